import { LANGUAGES, type Language } from '../../../core/languages.ts';
import { MAIL_KIND_NAMES, MAIL_KINDS, type MailKind, type MailTemplate } from '../../../core/mail-templates/kinds.ts';
import type { RenderedMail } from '../../../core/mail-templates/render.ts';
import type { CustomTemplate } from '../../../core/mail-templates/store.ts';
import { TEMPLATE_LIMITS } from '../../../core/mail-templates/template-check.ts';
import { html, type SafeHtml } from '../../html.ts';
import { confirmLink, consolePage, csrfField, listTable, textArea, textInput, when, type ConsoleFrame } from './blocks.ts';

// The Emails section: every email Frontdoor sends, per language, customised or the default;
// an edit page per (kind, language) with the variables it may use, a preview with sample
// values, a test send to the admin's own address, Save and Reset to default.

export const LANGUAGE_LABEL: Record<Language, string> = { en: 'English', de: 'German', fr: 'French', es: 'Spanish' };

export const emailPath = (kind: MailKind, language: Language) => `/admin/emails/${kind}/${language}`;

export function emailsPage(frame: ConsoleFrame, customised: ReadonlyMap<string, CustomTemplate>): SafeHtml {
  const rows = MAIL_KIND_NAMES.map((kind) => [
    html`<strong>${MAIL_KINDS[kind].label}</strong><br><span class="muted">${MAIL_KINDS[kind].when}</span>`,
    ...LANGUAGES.map((language) => {
      const custom = customised.get(`${kind}:${language}`);
      return html`<a href="${emailPath(kind, language)}" aria-label="${MAIL_KINDS[kind].label}, ${LANGUAGE_LABEL[language]}: ${custom ? 'customised' : 'default'}">${custom ? html`<span class="badge automatic">Customised</span>` : 'Default'}</a>`;
    }),
  ]);
  return consolePage(frame, 'Emails', 'emails', html`<h1>Emails</h1>
<p class="muted">Every email is sent in the person’s language: the customised template of that language if there is one, else its default. Every node uses a saved template within a second.</p>
${listTable(['Email', ...LANGUAGES.map((l) => LANGUAGE_LABEL[l])], rows)}`);
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
  return listTable(['Variable', 'Type', 'Required', 'What it is', 'Sample'], Object.entries(MAIL_KINDS[kind].variables).map(([name, spec]) => [
    html`<code>{${name}}</code>`, spec.type === 'number' ? 'number' : 'text', spec.required ? 'required' : 'optional', spec.description, html`<code>${String(spec.sample)}</code>`,
  ]));
}

const mailText = (mail: { subject: string; text: string }) => html`<p><strong>Subject:</strong> ${mail.subject}</p><pre class="mail-text">${mail.text}</pre>`;

export function emailEditPage(frame: ConsoleFrame, edit: EmailEdit): SafeHtml {
  const { kind, language, current, custom } = edit;
  const spec = MAIL_KINDS[kind];
  const here = emailPath(kind, language);
  const title = `${spec.label} (${LANGUAGE_LABEL[language]})`;
  const status = custom
    ? html`<p><span class="badge automatic">Customised</span> saved ${when(custom.updatedAt)}${edit.updatedByName ? html` by ${edit.updatedByName}` : ''}.</p>`
    : html`<p><span class="badge">Default</span> Nobody has changed this email in ${LANGUAGE_LABEL[language]} yet.</p>`;
  const state = frame.state;
  return consolePage(frame, `Email: ${title}`, 'emails', html`<p><a href="/admin/emails">All emails</a></p>
<h1>${title}</h1>
<p class="muted">${spec.when}</p>
${status}
${edit.testSentTo ? html`<p class="notice" role="status" data-state="test-sent">A test of this draft was sent to ${edit.testSentTo}, with the sample values.</p>` : ''}
${edit.preview ? html`<section class="card" aria-labelledby="preview-h" data-state="preview"><h2 id="preview-h">Preview, with the sample values</h2>${mailText(edit.preview)}<p class="muted">Not saved yet: Save keeps it.</p></section>` : ''}
<form class="stack card" method="post" action="${here}">${csrfField(frame.csrf)}
${textInput(state, 'subject', 'Subject', current.subject, { required: true, hint: `One line, at most ${TEMPLATE_LIMITS.subject} characters.` })}
${textArea(state, 'body', 'Body (plain text)', current.body, { rows: 16, hint: `At most ${TEMPLATE_LIMITS.body} characters.` })}
<p class="muted">Write a variable as <code>{link}</code>; a count as <code>{expiresMinutes, plural, one {# minute} other {# minutes}}</code>; a literal brace as <code>'{'</code>. Save checks that every variable is one of the list below and that each required one is there.</p>
<p><button type="submit" formaction="${here}/preview" class="secondary">Preview</button>
<button type="submit" formaction="${here}/test" class="secondary">Send a test to me</button>
<button type="submit">Save</button></p>
</form>
${custom ? html`<p>${confirmLink(`${here}/reset`, 'Reset to default')}</p>` : ''}
<section class="card" aria-labelledby="variables-h"><h2 id="variables-h">Variables this email may use</h2>${variablesTable(kind)}</section>
<details class="card"><summary>The default in ${LANGUAGE_LABEL[language]}</summary><p><strong>Subject:</strong> <code>${edit.fallback.subject}</code></p><pre class="mail-text">${edit.fallback.body}</pre></details>`);
}
