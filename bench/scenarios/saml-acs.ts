import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { SamlIdp } from '../../test/peers/saml-idp.ts';
import { adminApi } from '../lib/admin.ts';
import { runLoad } from '../lib/load.ts';
import type { Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';
import { SECONDS } from './session-check.ts';

// The IdP signs each answer (RSA-SHA256) before the run; both sides then check signatures only.
const ANSWERS_PER_SECOND = 150;

/**
 * SAML sign-in at the ACS end to end (HTTP POST, every check of src/protocols/saml/acs.ts,
 * the shared replay cache, InResponseTo against the stored request, account resolution,
 * session) for returning people, against the floor the issue names: node-saml's own
 * validatePostResponseAsync on one of the same responses, in one process, nothing else.
 */
export async function samlAcs(frontdoor: Server, apiKey: string): Promise<Row[]> {
  const idp = await SamlIdp.start();
  try {
    const created = await adminApi(frontdoor.url, apiKey, 'POST', '/api/v1/apps', {
      audience: 'users', type: 'saml', slug: 'bench-saml', config: { idpMetadataUrl: idp.metadataUrl },
    });
    const metadata = await (await fetch(`${frontdoor.url}/sso/bench-saml/saml/metadata`)).text();
    const sp = idp.spFrom(metadata, {});
    const people = 50;
    const answer = async (person: number) => {
      const start = await fetch(`${frontdoor.url}/sso/bench-saml/start`, { redirect: 'manual' });
      const location = start.headers.get('location');
      if (start.status !== 302 || !location) throw new Error(`SAML start answered ${start.status}`);
      const signed = await idp.answerLogin(sp, { redirectUrl: location }, { nameId: `saml${person}@example.com`, email: `saml${person}@example.com` });
      return new URLSearchParams({ SAMLResponse: signed.SAMLResponse, RelayState: signed.RelayState }).toString();
    };
    for (let person = 0; person < people; person++) {
      const first = await fetch(`${frontdoor.url}/sso/bench-saml/saml/acs`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: await answer(person),
      });
      if (first.status !== 303) throw new Error(`SAML first sign-in answered ${first.status}: ${/data-code="([^"]+)"/.exec(await first.text())?.[1]}`);
    }
    const bodies: string[] = [];
    for (let i = 0; i < ANSWERS_PER_SECOND * SECONDS; i++) bodies.push(await answer(i % people));
    const floor = await nodeSamlFloor(idp, created.app, metadata, new URLSearchParams(await answer(0)).get('SAMLResponse')!);

    // Each prepared answer is sent once (a second use is a replay, refused): exactly that many
    // requests, so the CPU measured is all spent on accepted sign-ins.
    let next = 0;
    const result = await runLoad({
      url: `${frontdoor.url}/sso/bench-saml/saml/acs`, method: 'POST', connections: 4, seconds: SECONDS, amount: bodies.length, serverPid: frontdoor.child.pid!,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, expectStatus: 303,
      setupRequest: (request) => ({ ...request, body: bodies[next++] ?? 'SAMLResponse=exhausted' }),
    });
    if (result.errors || result.non2xx) throw new Error(`SAML ACS: ${result.non2xx} unexpected answers, ${result.errors} errors`);
    const perCpu = result.perServerCpuSecond;
    const ratio = perCpu / floor;
    return [
      { scenario: 'SAML ACS, signed assertion (returning person)', figure: 'sign-ins/s', value: result.perSecond, unit: '/s' },
      { scenario: 'SAML ACS, signed assertion (returning person)', figure: 'per server CPU-second', value: perCpu, unit: '/CPU-s', floor: { name: 'node-saml validatePostResponseAsync, one core', value: floor }, ratio, goal: '≥ 5× floor', met: ratio >= 5 },
      { scenario: 'SAML ACS, signed assertion (returning person)', figure: 'p99 latency', value: result.p99Ms, unit: 'ms' },
    ];
  } finally {
    await idp.close();
  }
}

/** Validations per second of one response by node-saml alone (signature, conditions, audience). */
async function nodeSamlFloor(idp: SamlIdp, app: { slug: string }, spMetadata: string, samlResponse: string): Promise<number> {
  const entityId = /entityID="([^"]+)"/.exec(spMetadata)![1]!;
  const acsUrl = /AssertionConsumerService[^>]*Location="([^"]+)"/.exec(spMetadata)![1]!;
  const saml = new SAML({
    issuer: entityId, audience: entityId, callbackUrl: acsUrl, idpCert: idp.keys.certificate, idpIssuer: idp.entityId,
    wantAssertionsSigned: true, wantAuthnResponseSigned: false, validateInResponseTo: ValidateInResponseTo.never, acceptedClockSkewMs: 60_000,
  });
  void app;
  await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }); // warm, and proof it validates
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < Math.min(SECONDS, 5) * 1000) {
    await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
    done += 1;
  }
  return done / ((performance.now() - started) / 1000);
}
