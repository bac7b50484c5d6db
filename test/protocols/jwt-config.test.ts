import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Services } from '../../src/core/services.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { rejectsWithCode } from '../helpers/assertions.ts';
import { signingKeyPair } from '../helpers/jwt.ts';
import { testServices } from '../helpers/services.ts';

const cli = { type: 'cli' } as const;
const remoteLoginUrl = 'https://www.example.com/login';

describe('JWT app configuration', () => {
  let s: Services;
  before(async () => {
    s = await testServices();
  });
  after(async () => {
    await s.db.close();
  });

  const create = (config: Record<string, unknown>, audience: 'users' | 'agents' = 'users') => s.apps.create({ audience, type: 'jwt', config }, cli);
  const problems = async (config: Record<string, unknown>) => {
    let fields: { field: string; problem: string }[] = [];
    await rejectsWithCode(create(config), 'app.config_invalid', (e) => {
      fields = e.details!.fields as typeof fields;
    });
    return fields;
  };

  it('stores a valid HS256 app with the documented defaults, its secret encrypted and never returned', async () => {
    const secret = generateJwtSharedSecret();
    const app = await create({ remoteLoginUrl, sharedSecret: secret, logoutUrl: 'https://www.example.com/logout' });
    assert.deepEqual(app.config.algorithms, ['HS256']);
    assert.equal(app.config.clockToleranceSeconds, 60);
    assert.equal(app.config.maxTokenAgeSeconds, 300);
    assert.equal(app.config.mapGroups, false);
    assert.deepEqual(app.config.claims, { email: 'email', name: 'name', firstName: 'first_name', lastName: 'last_name', externalId: 'external_id', groups: 'groups' });
    assert.equal('sharedSecret' in app.config, false);
    assert.deepEqual(app.secretsSet, ['sharedSecret']);
    assert.equal((await s.apps.secretsOf(app.id)).sharedSecret, secret);
    const [row] = await s.db.query<{ config: unknown; secrets: Uint8Array }>('SELECT config, secrets FROM auth_apps WHERE id = $1', [app.id]);
    assert.equal(JSON.stringify(row!.config).includes(secret), false);
    assert.equal(Buffer.from(row!.secrets).toString('latin1').includes(secret), false, 'encrypted at rest');
  });

  it('refuses short shared secrets, counting bytes, and longer ones than the hash for HS384/HS512', async () => {
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, sharedSecret: 'x'.repeat(31) })), /config\.sharedSecret.*at least 32 bytes/);
    await create({ remoteLoginUrl, sharedSecret: 'é'.repeat(16) }); // 16 characters, 32 bytes
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['HS512'], sharedSecret: 'x'.repeat(40) })), /at least 64 bytes for HS512/);
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['HS256', 'HS384'], sharedSecret: 'x'.repeat(40) })), /at least 48 bytes/);
    await create({ remoteLoginUrl, algorithms: ['HS256', 'HS384', 'HS512'], sharedSecret: generateJwtSharedSecret() });
  });

  it('refuses an HS algorithm without a secret, and a public-key algorithm without a key', async () => {
    assert.match(JSON.stringify(await problems({ remoteLoginUrl })), /HS256 needs a shared secret/);
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['RS256'] })), /needs the signing site's publicKey \(PEM or JWK\) or its jwksUrl/);
  });

  it('refuses mixing shared-secret and public-key algorithms in one app (key confusion)', async () => {
    const pair = await signingKeyPair('RS256');
    const fields = await problems({ remoteLoginUrl, algorithms: ['HS256', 'RS256'], sharedSecret: generateJwtSharedSecret(), publicKey: pair.pem });
    assert.equal(fields[0]!.field, 'config.algorithms');
    assert.match(fields[0]!.problem, /key confusion/);
  });

  it('checks that a pasted key is public and fits every allowed algorithm', async () => {
    const rsa = await signingKeyPair('RS256');
    const ec = await signingKeyPair('ES256');
    const ed = await signingKeyPair('EdDSA');
    await create({ remoteLoginUrl, algorithms: ['RS256'], publicKey: rsa.pem });
    await create({ remoteLoginUrl, algorithms: ['ES256'], publicKey: JSON.stringify(ec.jwk) });
    await create({ remoteLoginUrl, algorithms: ['EdDSA'], publicKey: ed.pem });
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['ES256'], publicKey: rsa.pem })), /cannot verify ES256: it needs an EC P-256 key, this is rsa key/);
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['RS256', 'ES256'], publicKey: rsa.pem })), /cannot verify ES256/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['RS256'], publicKey: weak.publicKey.export({ type: 'spki', format: 'pem' }) })), /at least 2048 bits/);
    const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['ES256'], publicKey: privatePem })), /is a private key/);
    const privateJwk = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['EdDSA'], publicKey: privateJwk })), /private or secret JWK/);
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['RS256'], publicKey: 'not a key' })), /PEM public key/);
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['RS256'], publicKey: rsa.pem, jwksUrl: 'https://www.example.com/jwks' })), /not both/);
  });

  it('accepts a JWKS URL over https (http only for localhost) and refuses none as an algorithm', async () => {
    await create({ remoteLoginUrl, algorithms: ['RS256', 'ES256', 'EdDSA'], jwksUrl: 'https://www.example.com/.well-known/jwks.json' });
    assert.match(JSON.stringify(await problems({ remoteLoginUrl, algorithms: ['RS256'], jwksUrl: 'http://www.example.com/jwks' })), /https/);
    assert.equal((await problems({ remoteLoginUrl, algorithms: ['none'], sharedSecret: generateJwtSharedSecret() }))[0]!.field, 'config.algorithms.0');
    assert.match(JSON.stringify(await problems({ remoteLoginUrl: 'javascript:alert(1)', sharedSecret: generateJwtSharedSecret() })), /config\.remoteLoginUrl/);
  });

  it('keeps the stored secret when other settings change, and validates the merged result', async () => {
    const secret = generateJwtSharedSecret();
    const app = await create({ remoteLoginUrl, sharedSecret: secret });
    const changed = await s.apps.update(app.id, { config: { issuer: 'https://www.example.com', clockToleranceSeconds: 10 } }, cli);
    assert.equal(changed.config.issuer, 'https://www.example.com');
    assert.equal((await s.apps.secretsOf(app.id)).sharedSecret, secret);
    await rejectsWithCode(s.apps.update(app.id, { config: { algorithms: ['HS256', 'EdDSA'] } }, cli), 'app.config_invalid');
    await rejectsWithCode(s.apps.update(app.id, { config: { sharedSecret: 'short' } }, cli), 'app.config_invalid');
    assert.equal((await s.apps.secretsOf(app.id)).sharedSecret, secret);
  });
});
