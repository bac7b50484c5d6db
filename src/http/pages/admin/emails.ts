import { LANGUAGES, type Language } from '../../../core/languages.ts';
import { MAIL_KIND_NAMES, MAIL_KINDS, type MailKind, type MailTemplate } from '../../../core/mail-templates/kinds.ts';
import type { RenderedMail } from '../../../core/mail-templates/render.ts';
import type { CustomTemplate } from '../../../core/mail-templates/store.ts';
import { TEMPLATE_LIMITS } from '../../../core/mail-templates/template-check.ts';
import { tHtml } from '../../../i18n/rich.ts';
import { isMessageKey, t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { confirmLink, consolePage, csrfField, listTable, textArea, textInput, when, type ConsoleFrame } from './blocks.ts';

// The Emails section: every email Frontdoor sends, per language, customised or the default;
// an edit page per (kind, language) with the variables it may use, a preview with sample
// values, a test send to the admin's own address, Save and Reset to default.

/** A language as the console names it, in the page's language; each read is drawn in the language of the page. */
export const LANGUAGE_LABEL: Readonly<Record<Language, string>> = Object.defineProperties({} as Record<Language, string>,
  Object.fromEntries(LANGUAGES.map((l) => [l, { get: () => t('console.languageName', { language: l }), enumerable: true }])));

/** A kind's name, when it is sent, and its variables' descriptions, in the page's language (English: kinds.ts itself). */
const kindText = (kind: MailKind, part: 'label' | 'when', english: string): string => {
  const key = `console.mail.${kind}.${part}`;
  return isMessageKey(key) ? t(key) : english;
};
const variableText = (kind: MailKind, name: string, english: string): string => {
  const own = `console.mail.${kind}.var.${name}`;
  const common = `console.mail.var.${name}`;
  return isMessageKey(own) ? t(own) : isMessageKey(common) ? t(common) : english;
};
export const mailKindLabel = (kind: MailKind) => kindText(kind, 'label', MAIL_KINDS[kind].label);
const kindWhen = (kind: MailKind) => kindText(kind, 'when', MAIL_KINDS[kind].when);

export const emailPath = (kind: MailKind, language: Language) => `/admin/emails/${kind}/${language}`;

export function emailsPage(frame: ConsoleFrame, customised: ReadonlyMap<string, CustomTemplate>): SafeHtml {
  const rows = MAIL_KIND_NAMES.map((kind) => [
    html`<strong>${mailKindLabel(kind)}</strong><br><span class="muted">${kindWhen(kind)}</span>`,
    ...LANGUAGES.map((language) => {
      const custom = customised.get(`${kind}:${language}`);
      return html`<a href="${emailPath(kind, language)}" aria-label="${mailKindLabel(kind)}, ${LANGUAGE_LABEL[language]}: ${custom ? t('console.emails.customisedLower') : t('console.emails.defaultLower')}">${custom ? html`<span class="badge automatic">${t('console.emails.customised')}</span>` : t('console.emails.default')}</a>`;
    }),
  ]);
  return consolePage(frame, t('admin.section.emails'), 'emails', html`<h1>${t('admin.section.emails')}</h1>
<p class="muted">${t('console.emails.intro')}</p>
${listTable([t('console.emails.email'), ...LANGUAGES.map((l) => LANGUAGE_LABEL[l])], rows)}`);
}

export type EmailEdit = {
  kind: MailKind;
  language: Language;
  /** What the form shows: the customised template, else the default. */
  current: MailTemplate;
  custom: CustomTemplate | undefined;
  /** Who saved the customised template, by name. */
  updatedByName: string | undefined;
  fallback: MailTemplate;
  preview?: RenderedMail | undefined;
  /** Where the test went, after a test send. */
  testSentTo?: string | undefined;
};

function variablesTable(kind: MailKind): SafeHtml {
  return listTable([t('console.emails.variable'), t('console.emails.type'), t('console.emails.required'), t('console.emails.whatItIs'), t('console.emails.sample')], Object.entries(MAIL_KINDS[kind].variables).map(([name, spec]) => [
    html`<code>{${name}}</code>`, spec.type === 'number' ? t('console.emails.number') : t('console.emails.text'), spec.required ? t('console.emails.requiredLower') : t('console.emails.optional'), variableText(kind, name, spec.description), html`<code>${String(spec.sample)}</code>`,
  ]));
}

const mailText = (mail: { subject: string; text: string }) => html`<p><strong>${t('console.emails.subjectColon')}</strong> ${mail.subject}</p><pre class="mail-text">${mail.text}</pre>`;

export function emailEditPage(frame: ConsoleFrame, edit: EmailEdit): SafeHtml {
  const { kind, language, current, custom } = edit;
  const spec = MAIL_KINDS[kind];
  const here = emailPath(kind, language);
  const title = `${mailKindLabel(kind)} (${LANGUAGE_LABEL[language]})`;
  const status = custom
    ? html`<p><span class="badge automatic">${t('console.emails.customised')}</span> ${edit.updatedByName ? t('console.emails.savedBy', { at: when(custom.updatedAt), name: edit.updatedByName }) : t('console.emails.savedAt', { at: when(custom.updatedAt) })}</p>`
    : html`<p><span class="badge">${t('console.emails.default')}</span> ${t('console.emails.unchanged', { language: LANGUAGE_LABEL[language] })}</p>`;
  const state = frame.state;
  return consolePage(frame, t('console.emails.editTitle', { title }), 'emails', html`<p><a href="/admin/emails">${t('console.emails.all')}</a></p>
<h1>${title}</h1>
<p class="muted">${kindWhen(kind)}</p>
${status}
${edit.testSentTo ? html`<p class="notice" role="status" data-state="test-sent">${t('console.emails.testSent', { to: edit.testSentTo })}</p>` : ''}
${edit.preview ? html`<section class="card" aria-labelledby="preview-h" data-state="preview"><h2 id="preview-h">${t('console.emails.previewHeading')}</h2>${mailText(edit.preview)}<p class="muted">${t('console.emails.notSaved')}</p></section>` : ''}
<form class="stack card" method="post" action="${here}">${csrfField(frame.csrf)}
${textInput(state, 'subject', t('console.emails.subject'), current.subject, { required: true, hint: t('console.emails.subjectHint', { max: TEMPLATE_LIMITS.subject }) })}
${textArea(state, 'body', t('console.emails.body'), current.body, { rows: 16, hint: t('console.emails.bodyHint', { max: TEMPLATE_LIMITS.body }) })}
<p class="muted">${tHtml('console.emails.syntax', { variable: html`<code>{link}</code>`, plural: html`<code>{expiresMinutes, plural, one {# minute} other {# minutes}}</code>`, brace: html`<code>'{'</code>` })}</p>
<p><button type="submit" formaction="${here}/preview" class="secondary">${t('console.preview')}</button>
<button type="submit" formaction="${here}/test" class="secondary">${t('console.emails.sendTest')}</button>
<button type="submit">${t('console.save')}</button></p>
</form>
${custom ? html`<p>${confirmLink(`${here}/reset`, t('console.emails.reset'))}</p>` : ''}
<section class="card" aria-labelledby="variables-h"><h2 id="variables-h">${t('console.emails.variables')}</h2>${variablesTable(kind)}</section>
<details class="card"><summary>${t('console.emails.defaultIn', { language: LANGUAGE_LABEL[language] })}</summary><p><strong>${t('console.emails.subjectColon')}</strong> <code>${edit.fallback.subject}</code></p><pre class="mail-text">${edit.fallback.body}</pre></details>`);
}
