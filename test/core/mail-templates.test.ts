import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrontdoorError } from '../../src/core/errors.ts';
import { LANGUAGES } from '../../src/core/languages.ts';
import { DEFAULT_TEMPLATES, defaultTemplate } from '../../src/core/mail-templates/defaults/index.ts';
import { externalAppVariables } from '../../src/core/mail-templates/emails.ts';
import { MAIL_KIND_NAMES, MAIL_KINDS, sampleValues } from '../../src/core/mail-templates/kinds.ts';
import { renderTemplate } from '../../src/core/mail-templates/render.ts';
import { templateProblems } from '../../src/core/mail-templates/template-check.ts';
import type { Services } from '../../src/core/services.ts';
import { testServices } from '../helpers/services.ts';

// The emails' kinds, defaults and the rule they are sent by (issue 18 part 9): every kind has
// a default in every language that passes Save's own checks, and sending picks the custom
// template of (kind, language), else that language's default.

const cli = { type: 'cli' } as const;
const codeOf = (error: unknown) => (error instanceof FrontdoorError ? error.code : String(error));

describe('email templates: kinds and defaults', () => {
  it('has a default for every kind in every language, and no default for a kind that does not exist', () => {
    for (const language of LANGUAGES) {
      assert.deepEqual(Object.keys(DEFAULT_TEMPLATES[language]).sort(), [...MAIL_KIND_NAMES].sort(), language);
    }
  });

  it('every default parses, uses only its kind\'s variables, and all the required ones', () => {
    for (const language of LANGUAGES) {
      for (const kind of MAIL_KIND_NAMES) {
        assert.deepEqual(templateProblems(kind, defaultTemplate(kind, language)), [], `${kind} in ${language}`);
      }
    }
  });

  it('every default renders with its sample values, every value shown, in the language\'s plurals', () => {
    for (const language of LANGUAGES) {
      for (const kind of MAIL_KIND_NAMES) {
        const mail = renderTemplate(defaultTemplate(kind, language), language, sampleValues(kind));
        assert.doesNotMatch(mail.subject + mail.text, /[{}]/, `${kind} in ${language}: nothing left unfilled`);
        for (const [name, spec] of Object.entries(MAIL_KINDS[kind].variables)) {
          if (spec.required) assert.ok(mail.text.includes(String(spec.sample)) || mail.subject.includes(String(spec.sample)), `${kind}/${language} shows {${name}}`);
        }
      }
    }
    const reset = (minutes: number, language: 'en' | 'de') => renderTemplate(defaultTemplate('passwordReset', language), language, { ...sampleValues('passwordReset'), expiresMinutes: minutes }).text;
    assert.match(reset(1, 'en'), /expires in 1 minute\./);
    assert.match(reset(60, 'en'), /expires in 60 minutes\./);
    assert.match(reset(1, 'de'), /in 1 Minute ab/);
    assert.match(reset(60, 'de'), /in 60 Minuten ab/);
    const validation = renderTemplate(defaultTemplate('emailValidation', 'fr'), 'fr', sampleValues('emailValidation')).text;
    assert.match(validation, /expire dans 24 heures/);
  });

  it('lists external sign-in services in the person\'s language', () => {
    assert.deepEqual(externalAppVariables([{ name: 'Okta', url: 'https://o.example/forgot' }, { name: 'Google', url: undefined }], 'de'), {
      appNames: 'Okta oder Google', appLinks: 'Okta: https://o.example/forgot\nGoogle: fragen Sie Ihr IT-Team',
    });
  });
});

describe('email templates: Save\'s checks', () => {
  const reset = defaultTemplate('passwordReset', 'en');
  const problems = (subject: string, body: string) => templateProblems('passwordReset', { subject, body }).map((p) => `${p.field}:${p.code}`);

  it('refuses a template that is not an ICU message, naming the field and line', () => {
    const found = templateProblems('passwordReset', { subject: reset.subject, body: 'Hello {name,\n\n{link}' });
    assert.equal(found[0]?.code, 'mail_template.syntax_invalid');
    assert.equal(found[0]?.field, 'body');
    assert.deepEqual(problems('Reset {link', reset.body), ['subject:mail_template.syntax_invalid']);
    assert.deepEqual(problems(reset.subject, '{link} {expiresMinutes, plural, one {# minute}}'), ['body:mail_template.syntax_invalid'], 'a plural needs "other"');
  });

  it('refuses a variable the kind does not offer, a text variable used as a number, and a missing required one', () => {
    assert.deepEqual(problems(reset.subject, '{link} {token}'), ['body:mail_template.variable_unknown']);
    assert.deepEqual(problems(reset.subject, '{link} {name, plural, one {x} other {y}}'), ['body:mail_template.variable_type']);
    assert.deepEqual(problems(reset.subject, '{link} {expiresMinutes, date}'), ['body:mail_template.variable_type']);
    assert.deepEqual(problems(reset.subject, 'Hello {name}, no link here.'), ['body:mail_template.variable_missing']);
    assert.deepEqual(problems(reset.subject, '{expiresMinutes, plural, one {{link}} other {{link}}}'), ['body:mail_template.variable_missing'], 'only inside a case does not count');
    assert.deepEqual(problems('Your link: {link}', 'Hello {name}'), [], 'in the subject counts');
    assert.deepEqual(problems(reset.subject, 'A literal \'{link}\' is not the link'), ['body:mail_template.variable_missing']);
  });

  it('refuses line breaks in the subject, control characters, empty parts and oversize ones', () => {
    assert.deepEqual(problems('Reset\r\nBcc: all@example.com', reset.body), ['subject:mail_template.subject_line_break']);
    assert.deepEqual(problems('Reset\u2028now', reset.body), ['subject:mail_template.subject_line_break']);
    assert.deepEqual(problems('Reset\u0007', reset.body), ['subject:request.invalid']);
    assert.deepEqual(problems('  ', reset.body), ['subject:request.invalid']);
    assert.deepEqual(problems('x'.repeat(201), reset.body), ['subject:mail_template.too_long']);
    assert.deepEqual(problems(reset.subject, `{link}${'x'.repeat(10_000)}`), ['body:mail_template.too_long']);
  });
});

describe('email templates: stored and chosen', () => {
  let services: Services;
  before(async () => {
    services = await testServices();
  });
  after(async () => services.db.close());

  it('sends the default of the person\'s language, then the custom template once one is saved, and the default again after a reset', async () => {
    const values = { name: 'Dora', link: 'https://help.example.com/password/reset?token=t', expiresMinutes: 60 };
    const german = await services.mailTemplates.compose('passwordReset', 'de', values);
    assert.equal(german.subject, 'Setzen Sie Ihr Passwort zurück');
    assert.match(german.text, /Hallo Dora,/);
    assert.match(german.text, /Anmeldedienst von Ihrem Helpdesk gesendet/);

    await services.mailTemplates.save('passwordReset', 'de', { subject: 'Neues Passwort für {name}', body: 'Hallo {name},\r\n\r\nhier: {link}\r\n' }, cli);
    const custom = await services.mailTemplates.compose('passwordReset', 'de', values);
    assert.equal(custom.subject, 'Neues Passwort für Dora');
    assert.equal(custom.text, 'Hallo Dora,\n\nhier: https://help.example.com/password/reset?token=t\n', 'CRLF from a textarea is stored as \\n');
    assert.equal((await services.mailTemplates.compose('passwordReset', 'fr', values)).subject, 'Réinitialisez votre mot de passe', 'other languages keep their default');
    assert.equal((await services.mailTemplates.compose('passwordReset', 'en', values)).subject, 'Reset your password');
    const [event] = await services.audit.list({ action: 'mail_template.updated' });
    assert.deepEqual(event?.target, { type: 'mail_template', id: 'passwordReset:de' });

    await services.mailTemplates.reset('passwordReset', 'de', cli);
    assert.equal((await services.mailTemplates.compose('passwordReset', 'de', values)).subject, 'Setzen Sie Ihr Passwort zurück');
    assert.equal((await services.audit.list({ action: 'mail_template.reset' })).length, 1);
    await services.mailTemplates.reset('passwordReset', 'de', cli);
    assert.equal((await services.audit.list({ action: 'mail_template.reset' })).length, 1, 'nothing to reset: nothing audited');
  });

  it('a refused save stores nothing and audits nothing', async () => {
    const before = (await services.audit.list({ action: 'mail_template.updated' })).length;
    for (const [subject, body, code] of [
      ['Reset', 'Hello {name}', 'mail_template.variable_missing'],
      ['Reset\r\nBcc: x@example.com', '{link}', 'mail_template.subject_line_break'],
      ['Reset', '{link} {secret}', 'mail_template.variable_unknown'],
      ['Reset', '{link', 'mail_template.syntax_invalid'],
    ] as const) {
      await assert.rejects(services.mailTemplates.save('passwordReset', 'en', { subject, body }, cli), (error) => codeOf(error) === code);
    }
    assert.deepEqual(await services.db.query('SELECT kind FROM mail_templates'), []);
    assert.equal((await services.audit.list({ action: 'mail_template.updated' })).length, before);
  });

  it('the database itself refuses a subject with a line break', async () => {
    await assert.rejects(services.db.query("INSERT INTO mail_templates (kind, language, subject, body) VALUES ('approved', 'en', E'a\\r\\nBcc: x', '{link}')"));
    await assert.rejects(services.db.query("INSERT INTO mail_templates (kind, language, subject, body) VALUES ('approved', 'xx', 'a', '{link}')"));
  });
});
