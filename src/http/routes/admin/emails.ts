import type { FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import { isLanguage, type Language } from '../../../core/languages.ts';
import { defaultTemplate } from '../../../core/mail-templates/defaults/index.ts';
import { helpdeskName } from '../../../core/mail-templates/helpdesk-name.ts';
import { isMailKind, MAIL_KINDS, sampleValues, type MailKind, type MailTemplate } from '../../../core/mail-templates/kinds.ts';
import { oneLineValues, renderTemplate, type RenderedMail } from '../../../core/mail-templates/render.ts';
import { checkTemplate } from '../../../core/mail-templates/template-check.ts';
import { assertTestSendAllowed, recordTestSend } from '../../../core/mail-templates/test-sends.ts';
import { primaryEmail } from '../../../core/people.ts';
import { emailEditPage, emailPath, emailsPage, LANGUAGE_LABEL, mailKindLabel, type EmailEdit } from '../../pages/admin/emails.ts';
import { frameOf, send, type Admin, type AdminConsole, type Form } from './console.ts';
import type { ViewState } from '../../pages/admin/blocks.ts';
import { t } from '../../../i18n/t.ts';

// Emails: the list of kinds × languages, and per (kind, language) an edit page whose one form
// has three buttons: Preview and "Send a test to me" answer with the page itself (nothing is
// stored; the draft stays in the form), Save stores and redirects (POST-redirect-GET).

function emailOf(request: FastifyRequest): { kind: MailKind; language: Language } {
  const { kind, language } = request.params as { kind?: string; language?: string };
  if (!isMailKind(kind) || !isLanguage(language)) throw new FrontdoorError('request.not_found', 'There is no such email.');
  return { kind, language };
}

/** The draft as the form sent it; checked like a save, so a preview shows what Save would refuse. */
function draftOf(kind: MailKind, form: Form): MailTemplate {
  const draft = { subject: (form.subject ?? '').trim(), body: (form.body ?? '').replace(/\r\n?/g, '\n') };
  checkTemplate(kind, draft);
  return draft;
}

const sampleMail = (kind: MailKind, language: Language, draft: MailTemplate, brandName: string | null): RenderedMail =>
  renderTemplate(draft, language, oneLineValues(kind, { ...sampleValues(kind), helpdeskName: helpdeskName(language, brandName) }));

export function registerEmailTemplateRoutes({ services, page, action, answer, confirmed }: AdminConsole): void {
  const templates = services.mailTemplates;

  page('/admin/emails', async (_request, _reply, admin, state) => emailsPage(frameOf(admin, state), await templates.customised()));

  const edit = async (request: FastifyRequest, admin: Admin, state: ViewState, extra: Partial<EmailEdit> = {}) => {
    const { kind, language } = emailOf(request);
    const custom = (await templates.customised()).get(`${kind}:${language}`);
    const updatedBy = custom?.updatedBy ? await services.people.get(custom.updatedBy) : undefined;
    const fallback = defaultTemplate(kind, language);
    return emailEditPage(frameOf(admin, state), {
      kind, language, custom, fallback, current: custom ?? fallback, updatedByName: updatedBy?.name, ...extra,
    });
  };
  const render = (request: FastifyRequest, _reply: unknown, admin: Admin, state: ViewState) => edit(request, admin, state);

  page('/admin/emails/:kind/:language', render);

  action('/admin/emails/:kind/:language', render, async (request, admin, form) => {
    const { kind, language } = emailOf(request);
    await templates.save(kind, language, { subject: form.subject ?? '', body: form.body ?? '' }, admin.actor, request.ip);
    return `${emailPath(kind, language)}?notice=saved`;
  });

  answer('/admin/emails/:kind/:language/preview', render, async (request, reply, admin, form) => {
    const { kind, language } = emailOf(request);
    const preview = sampleMail(kind, language, draftOf(kind, form), (await services.brand.current()).name);
    return send(reply, 200, await edit(request, admin, { values: form }, { preview }));
  });

  // Through the real Mailer.sendNow, to the admin's own primary email only (never a typed
  // address: the console must not become a way to send mail to anyone), audited and at most
  // TEST_SENDS_PER_HOUR an hour per admin (test-sends.ts). A refusal by the SMTP server is
  // shown with its answer, the draft kept.
  answer('/admin/emails/:kind/:language/test', render, async (request, reply, admin, form) => {
    const { kind, language } = emailOf(request);
    const mail = sampleMail(kind, language, draftOf(kind, form), (await services.brand.current()).name);
    const to = primaryEmail(admin.person);
    await assertTestSendAllowed(services.db, admin.person.id);
    try {
      await services.mail.sendNow({ to, subject: `[Test] ${mail.subject}`, text: mail.text });
    } catch (error) {
      const said = error instanceof Error ? error.message : String(error);
      await recordTestSend(services.audit, { kind, language, to, actor: admin.actor, ip: request.ip, refusedBy: said });
      const refused = new FrontdoorError('mail_template.test_refused', `The test email to ${to} was not sent: the SMTP server answered “${said}”. Check SMTP_URL and MAIL_FROM, and that the server accepts mail for this address.`);
      return send(reply, refused.status, await edit(request, admin, { error: refused, values: form }));
    }
    await recordTestSend(services.audit, { kind, language, to, actor: admin.actor, ip: request.ip });
    const sentTo = services.config.smtpUrl ? to : `${to} (SMTP_URL is not set, so it was written to the log instead)`;
    return send(reply, 200, await edit(request, admin, { values: form }, { preview: mail, testSentTo: sentTo }));
  });

  confirmed('/admin/emails/:kind/:language/reset', async (request) => {
    const { kind, language } = emailOf(request);
    return {
      section: 'emails', title: t('console.confirm.emailTitle', { kind: mailKindLabel(kind), language: LANGUAGE_LABEL[language] }),
      takes: [t('console.confirm.emailTakes', { language: LANGUAGE_LABEL[language] })],
      button: t('console.emails.reset'), cancel: emailPath(kind, language),
    };
  }, async (request, admin) => {
    const { kind, language } = emailOf(request);
    await templates.reset(kind, language, admin.actor, request.ip);
    return `${emailPath(kind, language)}?notice=reset_default`;
  });
}
