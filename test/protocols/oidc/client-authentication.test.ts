import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as client from 'openid-client';
import {
  chooseClientAuthMethod, clientSecretBasic, formUrlEncoded, supportedClientAuthMethods,
} from '../../../src/protocols/oidc/client-authentication.ts';
import { checkDetailText } from '../../../src/i18n/check-details.ts';

const secret = { clientSecret: 'demo-client-secret' };
const key = { privateKeyJwk: '{"kty":"RSA"}' };

/** The Authorization header clientSecretBasic sends, decoded back to the text inside Basic. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const headers = new Headers();
  clientSecretBasic(clientSecret)({} as client.ServerMetadata, { client_id: clientId } as client.ClientMetadata, new URLSearchParams(), headers);
  const value = headers.get('authorization') ?? '';
  assert.match(value, /^Basic [A-Za-z0-9+/]+=*$/);
  return Buffer.from(value.slice('Basic '.length), 'base64').toString('utf8');
}

describe('OIDC client authentication', () => {
  describe('the method auto chooses from discovery', () => {
    it('is client_secret_basic when the provider lists it, whatever the order (LemonLDAP::NG lists post first)', () => {
      assert.equal(chooseClientAuthMethod('auto', ['client_secret_post', 'client_secret_basic'], secret).method, 'client_secret_basic');
    });
    it('is client_secret_post when that is all the provider lists', () => {
      const choice = chooseClientAuthMethod('auto', ['client_secret_post'], secret);
      assert.equal(choice.method, 'client_secret_post');
      assert.match(checkDetailText(choice.reason, 'en'), /^auto: .*client_secret_post/);
    });
    it('is client_secret_basic when discovery lists nothing (OIDC Discovery 1.0 section 3 default)', () => {
      assert.deepEqual(supportedClientAuthMethods({}), ['client_secret_basic']);
      assert.deepEqual(supportedClientAuthMethods({ token_endpoint_auth_methods_supported: [] }), ['client_secret_basic']);
      assert.equal(chooseClientAuthMethod('auto', supportedClientAuthMethods({}), secret).method, 'client_secret_basic');
    });
    it('is private_key_jwt when the app has a key and the provider lists it', () => {
      assert.equal(chooseClientAuthMethod('auto', ['client_secret_basic', 'private_key_jwt'], { ...secret, ...key }).method, 'private_key_jwt');
      assert.equal(chooseClientAuthMethod('auto', ['client_secret_basic'], { ...secret, ...key }).method, 'client_secret_basic', 'not listed: the secret');
    });
    it('never chooses none (a public client) on its own, and says so when the provider lists nothing the app can do', () => {
      const choice = chooseClientAuthMethod('auto', ['none', 'tls_client_auth'], secret);
      assert.equal(choice.method, 'client_secret_basic');
      assert.match(checkDetailText(choice.reason, 'en'), /lists none of this app's methods/);
      assert.equal(chooseClientAuthMethod('auto', ['none'], {}).method, 'client_secret_basic');
    });
    it("takes the admin's choice over discovery", () => {
      const choice = chooseClientAuthMethod('client_secret_post', ['client_secret_basic'], secret);
      assert.equal(choice.method, 'client_secret_post');
      assert.match(checkDetailText(choice.reason, 'en'), /set in the app/);
    });
  });

  describe('client_secret_basic as sent', () => {
    it('sends letters, digits and - . _ * as they are: servers that decode and servers that do not read the same secret', () => {
      assert.equal(basicCredentials('frontdoor-tests', 'demo-client-secret'), 'frontdoor-tests:demo-client-secret');
      assert.equal(basicCredentials('0oa1b2c3.d_e', 'Ab9*-._'), '0oa1b2c3.d_e:Ab9*-._');
    });
    it('form-urlencodes every other character, as RFC 6749 section 2.3.1 asks (a colon in the id cannot split it)', () => {
      assert.equal(basicCredentials('id:with:colons', 'b64+/=secret'), 'id%3Awith%3Acolons:b64%2B%2F%3Dsecret');
      assert.equal(basicCredentials('café', 'a b~'), 'caf%C3%A9:a+b%7E');
      assert.equal(formUrlEncoded('a b'), 'a+b');
      // What a decoding server reads back is the value itself.
      for (const value of ['demo-client-secret', 'b64+/=secret', 'a b~', 'café', '%41']) {
        assert.equal(new URLSearchParams(`v=${formUrlEncoded(value)}`).get('v'), value);
      }
    });
  });
});
