import { BRAND_BOUNDS, type Brand } from '../../../core/brand.ts';
import { LOGO_MAX_BYTES } from '../../../core/brand-logo.ts';
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
  return consolePage(frame, 'Brand', 'brand', html`<h1>Brand</h1>
<p>The helpdesk’s name, logo, colour and sign-in text, on every Help Center and agent page. Preview shows the sign-in page with what you entered; nothing changes for anyone until you save.</p>
<form class="stack card" method="post" action="/admin/brand" enctype="multipart/form-data">${csrfField(frame.csrf)}
${textInput(state, 'name', 'Helpdesk name', brand.name ?? '', { hint: `In every page’s header and title, and the logo’s text for screen readers. Empty: “Help Center” and “Agent console”. At most ${BRAND_BOUNDS.name} characters.` })}
${textArea(state, 'signInText', 'Sign-in page text', brand.signInText ?? '', { rows: 3, hint: `Plain text under the sign-in heading, for Users and Agents (no HTML; line breaks are kept). At most ${BRAND_BOUNDS.signInText} characters.` })}
<fieldset><legend>Primary colour</legend>
<div class="color-pair">
<label for="f-color-picker">Pick <input id="f-color-picker" name="color_picker" type="color" value="${picker}"></label>
<input type="hidden" name="color_picker_shown" value="${picker}">
<label for="f-color">or type (#rrggbb) <input id="f-color" name="color" type="text" value="${color}" placeholder="${DEFAULT_ACCENT}" maxlength="7" autocomplete="off" aria-describedby="f-color-hint"></label>
</div>
<span class="muted" id="f-color-hint">Buttons and links. White button text must contrast at least 4.5:1 with it (WCAG 2); a lighter colour is refused with a darker one to try. Empty: the default blue.</span>
</fieldset>
<fieldset><legend>Logo</legend>
${brand.logo ? html`<p><img class="logo-now" src="/brand/logo?v=${brand.version}" alt="The current logo"> <span class="muted">${brand.logo.contentType}, ${brand.logo.width} × ${brand.logo.height} px</span></p>` : html`<p class="muted">No logo yet.</p>`}
<label for="f-logo">${brand.logo ? 'Replace the logo' : 'Upload a logo'}
<input id="f-logo" name="logo" type="file" accept="image/png,image/jpeg,image/webp">
<span class="muted">PNG, JPEG or WebP, at most ${LOGO_MAX_BYTES / 1024} KB, each side at most 4096 px; shown at most 40 px high. SVG is refused: it can carry script.</span></label>
</fieldset>
<p><button type="submit" class="secondary" formaction="/admin/brand/preview">Preview</button> <button type="submit">Save</button></p>
</form>
${brand.logo ? html`<p>${confirmLink('/admin/brand/logo/remove', 'Remove logo')}</p>` : ''}`);
}

/** The bar above the previewed sign-in page: what it is, and Save with the previewed values. */
export function brandPreviewBar(csrf: string, values: { name: string; signInText: string; color: string; logoData: string | undefined }): SafeHtml {
  return html`<form class="preview-bar" method="post" action="/admin/brand" enctype="multipart/form-data" aria-label="Brand preview">${csrfField(csrf)}
<p role="status"><strong>Preview, not saved:</strong> the Help Center sign-in page with the brand you entered.</p>
<input type="hidden" name="name" value="${values.name}">
<input type="hidden" name="signInText" value="${values.signInText}">
<input type="hidden" name="color" value="${values.color}">
${values.logoData ? html`<input type="hidden" name="logoData" value="${values.logoData}">` : ''}
<button type="submit">Save</button> <a href="/admin/brand">Back to the Brand settings</a>
</form>`;
}
