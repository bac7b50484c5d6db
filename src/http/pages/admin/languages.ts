import { LANGUAGE_NAMES, LANGUAGES } from '../../../core/languages.ts';
import type { LanguageSettingsValue } from '../../../core/language-settings.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { consolePage, csrfField, select, type ConsoleFrame } from './blocks.ts';

// The Languages section (issue 18 part 7): which languages the Help Center offers, and its default.

export function languagesPage(frame: ConsoleFrame, settings: LanguageSettingsValue): SafeHtml {
  const { state } = frame;
  // After a refusal, the boxes show what was sent (the form's `offered` lines), not what is stored.
  const offered = state.values ? (state.values.offered ?? '').split('\n') : settings.offered;
  return consolePage(frame, t('adminLanguages.heading'), 'languages', html`<h1>${t('adminLanguages.heading')}</h1>
<p>${t('adminLanguages.intro')}</p>
<form class="stack card" method="post" action="/admin/settings/languages">${csrfField(frame.csrf)}
<fieldset><legend>${t('adminLanguages.offered')}</legend>
${LANGUAGES.map((l) => html`<label class="check"><input type="checkbox" name="offered" value="${l}"${offered.includes(l) ? html` checked` : ''}> <span lang="${l}">${LANGUAGE_NAMES[l]}</span> <code>${l}</code></label>`)}
</fieldset>
${select(state, 'defaultLanguage', t('adminLanguages.default'), settings.defaultLanguage, LANGUAGES.map((l) => [l, LANGUAGE_NAMES[l]] as const), t('adminLanguages.defaultHint'))}
<button type="submit">${t('adminLanguages.save')}</button></form>`);
}
