import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SamlIdp } from '../../test/peers/saml-idp.ts';
import { adminApi } from '../lib/admin.ts';
import { assertPossible, floorProcess, spreadOf, type Rate } from '../lib/interleave.ts';
import { runLoad } from '../lib/load.ts';
import type { Server } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';
import { ROUNDS, WINDOW_SECONDS } from './session-check.ts';

// The IdP signs each answer (RSA-SHA256) before the run; both sides then check signatures only.
const ANSWERS_PER_SECOND = 150;

/**
 * SAML sign-in at the ACS end to end (HTTP POST, every check of src/protocols/saml/acs.ts,
 * the shared replay cache, InResponseTo against the stored request, account resolution,
 * session) for returning people, against bare validations of one of the same responses, each in
 * its own process (bench/servers/saml-floor.ts): the RSA verifications alone (a true floor),
 * node-saml's own validatePostResponseAsync and samlify's parseLoginResponse (maintained SP
 * libraries: peers). Interleaved: floors, Frontdoor, floors, ..., every side counted per
 * CPU-second of its own process.
 */
export async function samlAcs(frontdoor: Server, apiKey: string): Promise<Row[]> {
  const idp = await SamlIdp.start();
  const dir = await mkdtemp(join(tmpdir(), 'frontdoor-saml-floor-'));
  try {
    await adminApi(frontdoor.url, apiKey, 'POST', '/api/v1/apps', {
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
    // The floors validate one of the very responses Frontdoor is sent.
    const input = join(dir, 'floor-input.json');
    await writeFile(input, JSON.stringify({
      response: new URLSearchParams(await answer(0)).get('SAMLResponse'), idpCert: idp.keys.certificate, idpIssuer: idp.entityId, idpMetadata: idp.metadataXml,
      spMetadata: metadata, entityId: /entityID="([^"]+)"/.exec(metadata)![1], acsUrl: /AssertionConsumerService[^>]*Location="([^"]+)"/.exec(metadata)![1],
    }));
    const floors = {
      rsa: () => floorProcess('bench/servers/saml-floor.ts', 2, { SAML_FLOOR_INPUT: input, SAML_FLOOR_LIBRARY: 'rsa' }),
      'node-saml': () => floorProcess('bench/servers/saml-floor.ts', WINDOW_SECONDS, { SAML_FLOOR_INPUT: input, SAML_FLOOR_LIBRARY: 'node-saml' }),
      samlify: () => floorProcess('bench/servers/saml-floor.ts', WINDOW_SECONDS, { SAML_FLOOR_INPUT: input, SAML_FLOOR_LIBRARY: 'samlify' }),
    };
    // Each prepared answer is sent once (a second use is a replay, refused): exactly that many
    // requests, so the CPU measured is all spent on accepted sign-ins. A batch per round.
    const batches: string[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bodies: string[] = [];
      for (let i = 0; i < ANSWERS_PER_SECOND * WINDOW_SECONDS; i++) bodies.push(await answer(i % people));
      batches.push(bodies);
    }
    let last!: Awaited<ReturnType<typeof runLoad>>;
    const frontdoorRound = async (bodies: string[]): Promise<Rate> => {
      let next = 0;
      last = await runLoad({
        url: `${frontdoor.url}/sso/bench-saml/saml/acs`, method: 'POST', connections: 4, seconds: WINDOW_SECONDS * 2, amount: bodies.length, serverPid: frontdoor.child.pid!,
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, expectStatus: 303,
        setupRequest: (request) => ({ ...request, body: bodies[next++] ?? 'SAMLResponse=exhausted' }),
      });
      if (last.errors || last.non2xx) throw new Error(`SAML ACS: ${last.non2xx} unexpected answers, ${last.errors} errors`);
      return { perSecond: last.perSecond, perCpuSecond: last.perServerCpuSecond };
    };
    const floorRound = async () => ({ rsa: await floors.rsa(), 'node-saml': await floors['node-saml'](), samlify: await floors.samlify() });
    const floorRates: Awaited<ReturnType<typeof floorRound>>[] = [await floorRound()];
    const ours: Rate[] = [];
    for (const bodies of batches) {
      ours.push(await frontdoorRound(bodies));
      floorRates.push(await floorRound());
    }
    const ratios = (library: keyof typeof floors) =>
      spreadOf(ours.map((o, i) => o.perCpuSecond / ((floorRates[i]![library].perCpuSecond + floorRates[i + 1]![library].perCpuSecond) / 2)));
    const rsa = ratios('rsa');
    const nodeSaml = ratios('node-saml');
    const samlify = ratios('samlify');
    // Every ACS does these RSA verifications and more (XML, HTTP, replay cache, account, session): above 1 it cannot be.
    assertPossible('SAML ACS against the bare RSA verifications', rsa);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const perCpu = median(ours.map((o) => o.perCpuSecond));
    const scenario = 'SAML ACS, signed assertion (returning person)';
    const spread = (s: { min: number; max: number }) => ({ min: s.min, max: s.max, rounds: ROUNDS });
    return [
      { scenario, figure: 'sign-ins/s', value: median(ours.map((o) => o.perSecond)), unit: '/s' },
      {
        scenario, figure: 'per server CPU-second, against its crypto floor', value: perCpu, unit: '/CPU-s',
        floor: { name: 'node:crypto RSA-SHA256 verify of its signatures alone, per CPU-second, interleaved', value: median(floorRates.map((f) => f.rsa.perCpuSecond)) },
        ratio: rsa.median, ratioSpread: spread(rsa),
      },
      {
        scenario, figure: 'per server CPU-second', value: perCpu, unit: '/CPU-s',
        floor: { name: 'node-saml validatePostResponseAsync alone, per CPU-second, interleaved', value: median(floorRates.map((f) => f['node-saml'].perCpuSecond)) },
        ratio: nodeSaml.median, ratioSpread: spread(nodeSaml), goal: '≥ 0.8 of node-saml alone', met: nodeSaml.median >= 0.8,
      },
      {
        scenario, figure: 'per server CPU-second, against a peer', value: perCpu, unit: '/CPU-s',
        floor: { name: 'samlify parseLoginResponse alone, per CPU-second, interleaved', value: median(floorRates.map((f) => f.samlify.perCpuSecond)) },
        ratio: samlify.median, ratioSpread: spread(samlify),
      },
      { scenario, figure: 'p99 latency', value: last.p99Ms, unit: 'ms' },
    ];
  } finally {
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  }
}
