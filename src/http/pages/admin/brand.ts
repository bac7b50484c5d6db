import { BRAND_BOUNDS, type Brand } from '../../../core/brand.ts';
import { LOGO_MAX_BYTES } from '../../../core/brand-logo.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { confirmLink, consolePage, csrfField, textArea, textInput, type ConsoleFrame } from './blocks.ts';

// The Brand section: name, sign-in text, colour and logo, previewed on the sign-in page before
// they are saved. One multipart form; the logo is removed through its own confirmation.

/** The stylesheet's own accent: what the colour picker shows while no colour is set. */
export const DEFAULT_ACCENT = '#1f5fd6';

export function brandPage(frame: ConsoleFrame, brand: Brand): SafeHtml {
  const { state } = frame;
  const color = state.values?.color ?? brand.color ?? '';
  const picker = /^#[0-9a-f]{6}$/i.test(color) ? color.toLowerCase() : (brand.color ?? DEFAULT_ACCENT);
  return consolePage(frame, t('admin.section.brand'), 'brand', html`<h1>${t('admin.section.brand')}</h1>
<p>${t('console.brand.intro')}</p>
<form class="stack card" method="post" action="/admin/brand" enctype="multipart/form-data">${csrfField(frame.csrf)}
${textInput(state, 'name', t('console.brand.name'), brand.name ?? '', { hint: t('console.brand.nameHint', { max: BRAND_BOUNDS.name }) })}
${textArea(state, 'signInText', t('console.brand.signInText'), brand.signInText ?? '', { rows: 3, hint: t('console.brand.signInTextHint', { max: BRAND_BOUNDS.signInText }) })}
<fieldset><legend>${t('console.brand.colour')}</legend>
<div class="color-pair">
<label for="f-color-picker">${t('console.brand.pick')} <input id="f-color-picker" name="color_picker" type="color" value="${picker}"></label>
<input type="hidden" name="color_picker_shown" value="${picker}">
<label for="f-color">${t('console.brand.type')} <input id="f-color" name="color" type="text" value="${color}" placeholder="${DEFAULT_ACCENT}" maxlength="7" autocomplete="off" aria-describedby="f-color-hint"></label>
</div>
<span class="muted" id="f-color-hint">${t('console.brand.colourHint')}</span>
</fieldset>
<fieldset><legend>${t('console.brand.logo')}</legend>
${brand.logo ? html`<p><img class="logo-now" src="/brand/logo?v=${brand.version}" alt="${t('console.brand.currentLogo')}"> <span class="muted">${brand.logo.contentType}, ${brand.logo.width} × ${brand.logo.height} px</span></p>` : html`<p class="muted">${t('console.brand.noLogo')}</p>`}
<label for="f-logo">${brand.logo ? t('console.brand.replaceLogo') : t('console.brand.uploadLogo')}
<input id="f-logo" name="logo" type="file" accept="image/png,image/jpeg,image/webp">
<span class="muted">${t('console.brand.logoHint', { kb: LOGO_MAX_BYTES / 1024 })}</span></label>
</fieldset>
<p><button type="submit" class="secondary" formaction="/admin/brand/preview">${t('console.preview')}</button> <button type="submit">${t('console.save')}</button></p>
</form>
${brand.logo ? html`<p>${confirmLink('/admin/brand/logo/remove', t('console.brand.removeLogo'))}</p>` : ''}`);
}

/** The bar above the previewed sign-in page: what it is, and Save with the previewed values. */
export function brandPreviewBar(csrf: string, values: { name: string; signInText: string; color: string; logoData: string | undefined }): SafeHtml {
  return html`<form class="preview-bar" method="post" action="/admin/brand" enctype="multipart/form-data" aria-label="${t('console.brand.previewLabel')}">${csrfField(csrf)}
<p role="status"><strong>${t('console.brand.previewNotSaved')}</strong> ${t('console.brand.previewWhat')}</p>
<input type="hidden" name="name" value="${values.name}">
<input type="hidden" name="signInText" value="${values.signInText}">
<input type="hidden" name="color" value="${values.color}">
${values.logoData ? html`<input type="hidden" name="logoData" value="${values.logoData}">` : ''}
<button type="submit">${t('console.save')}</button> <a href="/admin/brand">${t('console.brand.back')}</a>
</form>`;
}
