import type { AppType } from '../../../core/app-config.ts';
import type { Audience } from '../../../core/audience.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { t } from '../../../i18n/t.ts';
import { html, raw, type SafeHtml } from '../../html.ts';

// The "Add an app" catalogue (issue 18 part 1): one card per way of signing in, with the
// vendor's name and a simple mark drawn here (plain shapes in the vendor's spirit, no logo
// of theirs), grouped as an admin looks for them. A card leads to its install form.

export type CatalogueEntry = {
  /** The app type installed, and `saml` for a vendor's SAML mode. */
  type: AppType;
  protocol?: 'saml';
  name: string;
  /** The message key of the one-line description. */
  description: MessageKey;
  mark: string;
};

// Each mark is a 40 x 40 drawing of circles, rectangles and paths, in the house colours.
const MARKS = {
  google: '<circle cx="20" cy="20" r="15" fill="none" stroke="#1a73e8" stroke-width="6"/><rect x="20" y="17" width="16" height="6" fill="#1a73e8"/>',
  microsoft: '<rect x="4" y="4" width="15" height="15" fill="#d83b01"/><rect x="21" y="4" width="15" height="15" fill="#107c10"/><rect x="4" y="21" width="15" height="15" fill="#0078d4"/><rect x="21" y="21" width="15" height="15" fill="#ffb900"/>',
  okta: '<circle cx="20" cy="20" r="14" fill="none" stroke="#00297a" stroke-width="8"/>',
  onelogin: '<circle cx="20" cy="20" r="17" fill="#1c1f2a"/><rect x="18" y="10" width="5" height="20" fill="#fff"/><rect x="14" y="10" width="6" height="4" fill="#fff"/>',
  github: '<circle cx="20" cy="22" r="13" fill="#24292f"/><path d="M9 14 L11 4 L18 10 Z M31 14 L29 4 L22 10 Z" fill="#24292f"/>',
  oidc: '<path d="M18 6 L24 3 V36 L18 38 Z" fill="#f78c40"/><path d="M16 14 C6 17 4 30 18 34 L18 30 C10 28 11 20 16 18 Z" fill="#555"/><path d="M26 14 C31 15 34 17 36 19 L37 13 Z" fill="#555"/>',
  saml: '<rect x="5" y="8" width="30" height="24" rx="3" fill="none" stroke="#6b4fbb" stroke-width="3"/><path d="M10 15 H30 M10 20 H26 M10 25 H22" stroke="#6b4fbb" stroke-width="3"/>',
  jwt: '<path d="M20 3 V14 M20 26 V37 M3 20 H14 M26 20 H37 M8 8 L16 16 M24 24 L32 32 M32 8 L24 16 M16 24 L8 32" stroke="#d63aff" stroke-width="4"/>',
  ldap: '<rect x="15" y="3" width="10" height="8" fill="#2f6f4f"/><rect x="4" y="29" width="10" height="8" fill="#2f6f4f"/><rect x="26" y="29" width="10" height="8" fill="#2f6f4f"/><path d="M20 11 V20 M9 29 V20 H31 V29" fill="none" stroke="#2f6f4f" stroke-width="3"/>',
} as const;

export const CATALOGUE: readonly { /** The message key of the heading. */ group: MessageKey; entries: readonly CatalogueEntry[] }[] = [
  {
    group: 'apps.catalogue.group.identity',
    entries: [
      { type: 'google', name: 'Google', description: 'apps.catalogue.google', mark: MARKS.google },
      { type: 'microsoft', name: 'Microsoft Entra ID', description: 'apps.catalogue.microsoft', mark: MARKS.microsoft },
      { type: 'microsoft', protocol: 'saml', name: 'Microsoft Entra ID (SAML)', description: 'apps.catalogue.microsoftSaml', mark: MARKS.microsoft },
      { type: 'okta', name: 'Okta', description: 'apps.catalogue.okta', mark: MARKS.okta },
      { type: 'okta', protocol: 'saml', name: 'Okta (SAML)', description: 'apps.catalogue.oktaSaml', mark: MARKS.okta },
      { type: 'onelogin', name: 'OneLogin', description: 'apps.catalogue.onelogin', mark: MARKS.onelogin },
      { type: 'onelogin', protocol: 'saml', name: 'OneLogin (SAML)', description: 'apps.catalogue.oneloginSaml', mark: MARKS.onelogin },
      { type: 'github', name: 'GitHub', description: 'apps.catalogue.github', mark: MARKS.github },
    ],
  },
  {
    group: 'apps.catalogue.group.protocols',
    entries: [
      { type: 'oidc', name: 'OpenID Connect', description: 'apps.catalogue.oidc', mark: MARKS.oidc },
      { type: 'saml', name: 'SAML 2.0', description: 'apps.catalogue.saml', mark: MARKS.saml },
      { type: 'jwt', name: 'JWT', description: 'apps.catalogue.jwt', mark: MARKS.jwt },
    ],
  },
  {
    group: 'apps.catalogue.group.directory',
    entries: [
      { type: 'ldap', name: 'LDAP / Active Directory', description: 'apps.catalogue.ldap', mark: MARKS.ldap },
    ],
  },
];

/** The catalogue entry an install form is for (its heading names the vendor and mode). */
export const catalogueEntryOf = (type: AppType, protocol: string | undefined): CatalogueEntry | undefined =>
  CATALOGUE.flatMap((g) => g.entries).find((e) => e.type === type && (e.protocol ?? undefined) === (protocol === 'saml' ? 'saml' : undefined));

const mark = (drawing: string) => html`<svg class="mark" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false">${raw(drawing)}</svg>`;

export function catalogueCards(audience: Audience): SafeHtml {
  return html`${CATALOGUE.map(({ group, entries }, i) => html`<section class="catalogue" aria-labelledby="catalogue-${i}"><h2 id="catalogue-${i}">${t(group)}</h2>
<ul class="cards">${entries.map((e) => {
  const href = `/admin/apps/new?audience=${audience}&type=${e.type}${e.protocol ? `&protocol=${e.protocol}` : ''}`;
  return html`<li class="card app-card">${mark(e.mark)}<div><h3><a href="${href}">${e.name}</a></h3><p class="muted">${t(e.description)}</p></div></li>`;
})}</ul></section>`)}`;
}
