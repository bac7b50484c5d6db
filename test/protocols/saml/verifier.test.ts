import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { SamlStatusError } from '@node-saml/node-saml';
import { libraryRefusal } from '../../../src/protocols/saml/verifier.ts';

// The one table that maps node-saml's (and xml-crypto's) refusals to our codes. Each message is
// quoted from node-saml 5.1.0's source; the test also reads that source, so that an upgrade that
// rewords a message fails here instead of silently becoming a generic signature refusal.

const require = createRequire(import.meta.url);
const LIB = join(dirname(require.resolve('@node-saml/node-saml')), '');
const SOURCE = ['saml.js', 'xml.js', 'date-time.js'].map((f) => readFileSync(join(LIB, f), 'utf8')).join('\n');

const CASES: [message: string, code: string, check: string][] = [
  ['Invalid signature', 'sso.saml.signature_invalid', 'signature'],
  ['Invalid document signature', 'sso.saml.signature_invalid', 'signature'],
  ['Invalid signature from encrypted assertion', 'sso.saml.signature_invalid', 'signature'],
  ['Invalid signature, too many transforms', 'sso.saml.signature_invalid', 'signature'],
  ['Too many signatures found for this element', 'sso.saml.signature_invalid', 'signature'],
  ['Invalid signature: ID cannot refer to more than one element', 'sso.saml.signature_invalid', 'signature'],
  ['Invalid query signature', 'sso.saml.signature_invalid', 'signature'],
  ['Cannot obtain assertion from signed data', 'sso.saml.signature_invalid', 'signed_content'],
  ['Invalid signature: multiple assertions', 'sso.saml.structure_invalid', 'one_assertion'],
  ['Missing SAML assertion', 'sso.saml.structure_invalid', 'one_assertion'],
  ['Invalid EncryptedAssertion content', 'sso.saml.structure_invalid', 'one_assertion'],
  ['Unable to process multiple conditions in SAML assertion', 'sso.saml.message_invalid', 'conditions'],
  ['SAML assertion has no AudienceRestriction', 'sso.saml.audience_invalid', 'audience'],
  ['SAML assertion AudienceRestriction has no Audience value', 'sso.saml.audience_invalid', 'audience'],
  ['SAML assertion audience mismatch. Expected: a Received: b', 'sso.saml.audience_invalid', 'audience'],
  ['Unknown SAML issuer. Expected: a Received: b', 'sso.saml.issuer_invalid', 'assertion_issuer'],
  ["Error parsing NotOnOrAfter: 'x' is not a valid date", 'sso.saml.time_invalid', 'not_on_or_after'],
  ["Error parsing IssueInstant: 'x' is not a valid date", 'sso.saml.message_invalid', 'issue_instant'],
  ['No decryption key for encrypted SAML response', 'sso.saml.decryption_failed', 'decrypt'],
  ['Missing SAML NameID', 'sso.saml.message_invalid', 'library_shape'],
  ['Missing SAML issuer', 'sso.saml.message_invalid', 'library_shape'],
  ['Unknown SAML response message', 'sso.saml.message_invalid', 'library_shape'],
  ['SAML assertion expired: clocks skewed too much', 'sso.saml.time_invalid', 'library_time'],
  ['SAML assertion not yet valid', 'sso.saml.time_invalid', 'library_time'],
  ['InResponseTo is not valid', 'sso.saml.in_response_to_invalid', 'in_response_to'],
  ['Bad status code: urn:oasis:names:tc:SAML:2.0:status:Requester', 'sso.saml.status_error', 'status'],
];

describe('node-saml refusals mapped to our codes (src/protocols/saml/verifier.ts)', () => {
  for (const [message, code, check] of CASES) {
    it(message, () => {
      const refusal = libraryRefusal(new Error(message));
      assert.deepEqual([refusal.code, refusal.details?.check], [code, check]);
      assert.equal(refusal.details?.detail, message, 'the library\'s own words go to the trace');
    });
  }

  it('every quoted message is still in node-saml\'s source (an upgrade that rewords one fails here)', () => {
    for (const [message] of CASES) {
      const stem = message.replace(/(Expected:|: ').*$/, '').replace(/: urn.*$/, '').trim();
      assert.ok(SOURCE.includes(stem) || stem.startsWith('Error parsing'), `node-saml no longer says "${stem}"`);
    }
    assert.ok(SOURCE.includes('Error parsing ${label}'), 'date-time.js still names the attribute it cannot parse');
  });

  it('a status error is status_error; anything unknown fails closed as a signature refusal', () => {
    assert.equal(libraryRefusal(new SamlStatusError('SAML provider returned Responder error: unspecified', '<Status/>')).code, 'sso.saml.status_error');
    assert.equal(libraryRefusal(new Error('something new')).code, 'sso.saml.signature_invalid');
    assert.equal(libraryRefusal('not even an Error').code, 'sso.saml.signature_invalid');
  });
});
