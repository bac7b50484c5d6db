import type { Brand } from '../core/brand.ts';
import type { PageBrand } from './page-context.ts';

// The stored brand as pages draw it: the addresses carry the version, so a browser (and any
// cache in front) keeps the logo and stylesheet for a year and fetches them again after a change.

export const BRAND_LOGO_PATH = '/brand/logo';
export const BRAND_STYLESHEET_PATH = '/brand.css';

export function pageBrandOf(brand: Brand): PageBrand {
  return {
    name: brand.name,
    signInText: brand.signInText,
    logoSrc: brand.logo ? `${BRAND_LOGO_PATH}?v=${brand.version}` : null,
    stylesheetHref: brand.color ? `${BRAND_STYLESHEET_PATH}?v=${brand.version}` : null,
  };
}
