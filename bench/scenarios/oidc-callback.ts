import { TestClient } from '../../test/helpers/server.ts';
import { startOidcPeer } from '../../test/peers/oidc-provider.ts';
import { adminApi } from '../lib/admin.ts';
import { runPrepared } from '../lib/prepared-load.ts';
import type { Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';

// Prepared before the run. oidc-provider's development store keeps about its last 1000 entries
// and a sign-in leaves some eight (interaction, session, grant and its members, code, token):
// more prepared callbacks would find their codes evicted (sso.code_invalid).
const PREPARED_CALLBACKS = 100;

/** A browser that started sign-in and came back from the provider: its cookies and the callback it must load. */
type PendingCallback = { cookie: string; path: string };

/**
 * OpenID Connect callback end to end against a real provider on loopback (oidc-provider):
 * state taken, code exchanged at the token endpoint, ID token signature checked against the
 * provider's JWKS, nonce and times, account resolved, session written. Each callback is a
 * distinct browser's, prepared before the run; the provider's own work is inside the figure.
 */
export async function oidcCallback(frontdoor: Server, apiKey: string): Promise<Row[]> {
  const client = { clientId: 'bench', clientSecret: 'bench-client-secret' };
  const peer = await startOidcPeer({
    clients: [{ ...client, redirectUris: [`${frontdoor.url}/sso/bench-oidc/callback`] }],
    accounts: [{ id: 'bench-sub', email: 'oidc-bench@example.com', email_verified: true, name: 'Bench' }],
    // Codes are prepared for the whole run before it starts: they must not expire meanwhile.
    authorizationCodeTtlSeconds: 3600,
  });
  try {
    await adminApi(frontdoor.url, apiKey, 'POST', '/api/v1/apps', {
      audience: 'users', type: 'oidc', slug: 'bench-oidc', config: { issuer: peer.issuer, ...client },
    });
    const prepare = async (): Promise<PendingCallback> => {
      const browser = new TestClient(frontdoor.url);
      let response = await browser.get('/sso/bench-oidc/start');
      let current = new URL('/sso/bench-oidc/start', frontdoor.url);
      for (let hops = 0; hops < 20; hops++) {
        if (!response.location) throw new Error(`OIDC flow stopped at ${current.href} with ${response.status}`);
        const next = new URL(response.location, current);
        if (next.origin === frontdoor.url && next.pathname.endsWith('/callback')) {
          return { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), path: `${next.pathname}${next.search}` };
        }
        // The provider keeps its own cookies per origin: a second jar for it.
        const jar = next.origin === frontdoor.url ? browser : providerJar(browser, peer.issuer);
        current = next;
        response = await jar.get(next.href);
      }
      throw new Error('too many redirects');
    };
    const first = await prepare();
    const landed = await fetch(`${frontdoor.url}${first.path}`, { redirect: 'manual', headers: { cookie: first.cookie } });
    if (landed.status !== 303) throw new Error(`OIDC first sign-in answered ${landed.status}`);
    const pending: PendingCallback[] = [];
    for (let i = 0; i < PREPARED_CALLBACKS; i++) pending.push(await prepare());
    // Each prepared callback is loaded once (its state is single use), over 4 connections.
    const result = await runPrepared({
      baseUrl: frontdoor.url, connections: 4, serverPid: frontdoor.child.pid!, expectStatus: 303,
      requests: pending.map((call) => ({ path: call.path, headers: { cookie: call.cookie } })),
    });
    if (result.errors || result.non2xx) throw new Error(`OIDC callback: ${result.non2xx} unexpected answers, ${result.errors} errors`);
    return [
      { scenario: 'OIDC callback with a real provider (returning person)', figure: 'sign-ins/s', value: result.perSecond, unit: '/s' },
      { scenario: 'OIDC callback with a real provider (returning person)', figure: 'per server CPU-second', value: result.perServerCpuSecond, unit: '/CPU-s' },
      { scenario: 'OIDC callback with a real provider (returning person)', figure: 'p99 latency', value: result.p99Ms, unit: 'ms' },
    ];
  } finally {
    await peer.close();
  }
}

const providerJars = new WeakMap<TestClient, TestClient>();
function providerJar(browser: TestClient, issuer: string): TestClient {
  let jar = providerJars.get(browser);
  if (!jar) providerJars.set(browser, (jar = new TestClient(issuer)));
  return jar;
}
