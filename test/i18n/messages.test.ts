import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntlMessageFormat } from 'intl-messageformat';
import { LANGUAGES, type Language } from '../../src/core/languages.ts';
import { en, type MessageKey } from '../../src/i18n/en.ts';
import { CATALOGS, translate } from '../../src/i18n/t.ts';

// Every language has every message, each parses as ICU MessageFormat, and each takes the same
// arguments as the English one: a missing key, a typo in `{email}` or a plural that lost its
// variable fails here (and a missing key is also a type error in de.ts, fr.ts, es.ts).

type Element = { type: number; value?: unknown; options?: Record<string, { value: Element[] }>; children?: Element[] };
// intl-messageformat's AST: 1 argument, 2 number, 3 date, 4 time, 5 select, 6 plural, 8 tag.
const WITH_NAME = new Set([1, 2, 3, 4, 5, 6, 8]);

function argumentsOf(message: string, language: Language): string[] {
  const names = new Set<string>();
  const walk = (elements: Element[]) => {
    for (const element of elements) {
      if (WITH_NAME.has(element.type) && typeof element.value === 'string') names.add(`${element.value}:${element.type === 6 ? 'plural' : element.type === 5 ? 'select' : 'arg'}`);
      for (const option of Object.values(element.options ?? {})) walk(option.value);
      if (element.children) walk(element.children);
    }
  };
  walk(new IntlMessageFormat(message, language).getAst() as unknown as Element[]);
  return [...names].sort();
}

const keys = Object.keys(en) as MessageKey[];

describe('messages', () => {
  for (const language of LANGUAGES) {
    it(`${language}: every key of the English messages, and no other`, () => {
      const catalog = CATALOGS[language] as Record<string, unknown>;
      assert.deepEqual(keys.filter((key) => typeof catalog[key] !== 'string'), [], `missing in ${language}`);
      assert.deepEqual(Object.keys(catalog).filter((key) => !Object.hasOwn(en, key)), [], `not in en.ts`);
    });

    it(`${language}: every message parses and takes the English message's arguments`, () => {
      for (const key of keys) {
        const message = CATALOGS[language][key];
        assert.ok(message.trim().length > 0, `${language} ${key} is empty`);
        assert.deepEqual(argumentsOf(message, language), argumentsOf(en[key], 'en'), `${language} ${key}: arguments differ`);
      }
    });
  }

  it('the translations are translations: most messages differ from the English', () => {
    for (const language of ['de', 'fr', 'es'] as const) {
      const same = keys.filter((key) => CATALOGS[language][key] === en[key]);
      assert.ok(same.length < keys.length / 10, `${language}: ${same.length} messages are the English text`);
    }
  });

  it('formats plurals and selects per language', () => {
    assert.equal(translate('en', 'twoFactor.remember', { days: 1 }), 'Remember this device for 1 day');
    assert.equal(translate('de', 'twoFactor.remember', { days: 30 }), 'Dieses Gerät 30 Tage lang merken');
    assert.equal(translate('fr', 'account.sessionsEnded', { count: 2 }), '2 autres sessions ont été fermées.');
    assert.equal(translate('es', 'account.sessionsEnded', { count: 1 }), 'Se ha cerrado 1 sesión más.');
    assert.equal(translate('en', 'account.passwordChanged', { ended: 0, forgotten: 0 }), 'Your password is changed.');
    assert.equal(translate('en', 'account.passwordChanged', { ended: 3, forgotten: 0 }), 'Your password is changed. 3 other sessions were ended.');
    assert.equal(translate('de', 'account.passwordChanged', { ended: 0, forgotten: 1 }), 'Ihr Passwort ist geändert. Das für den zweiten Faktor gemerkte Gerät wurde vergessen.');
    assert.match(translate('de', 'register.checkEmailMessage', { email: 'a@example.com', approval: 'yes' }), /danach gibt ein Agent Ihr Konto frei/);
  });
});
