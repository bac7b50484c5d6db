import { decodeJwt } from 'jose';
import type { ExternalProfile } from '../../core/account-resolution.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { checkDetailText, checkMessage, refusalOf, type CheckMessage } from '../../i18n/check-details.ts';
import { durationMessage } from '../diagnostic-check.ts';
import type { JwtAppConfig } from './config.ts';
import type { JwtVerificationKey } from './keys.ts';
import { profileFromJwtClaims } from './profile.ts';
import { verifySignInJwt } from './verify.ts';

/**
 * One line of a pasted token's report. `skipped`: the verifier stopped before it. `message` is
 * the detail to say in the page's language, `detail` the same in English.
 */
export type TokenCheckLine = { name: string; label: string; state: 'passed' | 'failed' | 'skipped'; detail: string; message: CheckMessage };

export type TokenCheckReport = {
  ok: boolean;
  checks: TokenCheckLine[];
  /** The claims the token carried; `verified` only once its signature was. */
  claims: Record<string, unknown> | undefined;
  verified: boolean;
  profile: ExternalProfile | undefined;
  clockSkewMs: number | undefined;
  /** The failed check's error code. */
  code: string | undefined;
};

/**
 * The lines of the report, each naming the verifier's checks (the `check` of its refusals,
 * verify.ts) it stands for, in the verifier's order. The signature comes before any claim
 * is trusted; the claims of the middle group are judged by one call of jose, which reports
 * only the first it refuses, so the others of that group read "not checked" then.
 */
const LINES = [
  { name: 'token', label: 'Shape and size', checks: ['token_present', 'token_size', 'token_format'], stage: 0 },
  { name: 'algorithm', label: 'Algorithm and header', checks: ['algorithm', 'header'], stage: 1 },
  { name: 'signature', label: 'Signature with this app\'s key', checks: ['signature', 'key_selection'], stage: 2 },
  { name: 'issuer', label: 'Issuer (iss)', checks: ['iss'], stage: 3 },
  { name: 'audience', label: 'Audience (aud)', checks: ['aud'], stage: 3 },
  { name: 'time', label: 'Issued at, expiry, not before (iat, exp, nbf)', checks: ['iat', 'exp', 'nbf'], stage: 3 },
  { name: 'jti', label: 'Unique id (jti)', checks: ['jti'], stage: 3 },
  { name: 'email', label: 'Email claim', checks: ['email', 'identity'], stage: 4 },
  { name: 'replay', label: 'Not used before (jti)', checks: ['jti_replay'], stage: 5 },
] as const;

/**
 * An admin's pasted token, checked by the sign-in's own verifier (verifySignInJwt) with the
 * app's real key, but dry: its jti is not used up (the replay store is never asked or written),
 * nothing is stored and nobody is signed in. The token stays usable for a real sign-in.
 */
export async function checkPastedJwt(
  token: string,
  input: { config: JwtAppConfig; key: JwtVerificationKey; now: Date; /** Read-only: was this jti used by a sign-in already? */ isUsed: (jti: string) => Promise<boolean> },
): Promise<TokenCheckReport> {
  const { config } = input;
  const passedDetail = (name: string, skewMs?: number): CheckMessage => {
    switch (name) {
      case 'token': return checkMessage('check.token.shape');
      case 'algorithm': return checkMessage('check.token.algorithm', { algorithms: config.algorithms.join(', ') });
      case 'signature': return checkMessage('check.token.signature');
      // Unset in the app, the verifier requires no issuer or audience (verify.ts).
      case 'issuer': return config.issuer === undefined ? checkMessage('check.token.anyIssuer') : checkMessage('check.token.issuer', { issuer: config.issuer });
      case 'audience': return config.audience === undefined ? checkMessage('check.token.anyAudience') : checkMessage('check.token.audience', { audience: config.audience });
      case 'time': {
        const times = { age: durationMessage(config.maxTokenAgeSeconds), tolerance: config.clockToleranceSeconds };
        return skewMs === undefined ? checkMessage('check.token.time', times)
          : checkMessage('check.token.timeSkew', { ...times, skew: durationMessage(Math.abs(skewMs) / 1000), direction: skewMs >= 0 ? 'behind' : 'ahead' });
      }
      case 'jti': return checkMessage('check.token.jti');
      case 'email': return checkMessage('check.token.email', { claim: config.claims.email });
      default: return checkMessage('check.token.replay');
    }
  };
  const line = (of: (typeof LINES)[number], state: TokenCheckLine['state'], message: CheckMessage): TokenCheckLine =>
    ({ name: of.name, label: of.label, state, detail: checkDetailText(message, 'en'), message });
  try {
    // The verifier's own replay rule, asked of the store without writing to it: a jti a sign-in
    // already used is refused here as it would be there; an unused one stays unused.
    const { isUsed, ...rest } = input;
    const verified = await verifySignInJwt(token, { ...rest, firstUse: async (jti) => !(await isUsed(jti)) });
    const profile = profileFromJwtClaims(config, verified.claims);
    return {
      ok: true,
      checks: LINES.map((of) => line(of, 'passed', passedDetail(of.name, verified.clockSkewMs))),
      claims: verified.claims, verified: true, profile, clockSkewMs: verified.clockSkewMs, code: undefined,
    };
  } catch (error) {
    if (!(error instanceof FrontdoorError)) throw error;
    const failedCheck = error.failedCheck ?? '';
    const failed = LINES.find((line) => (line.checks as readonly string[]).includes(failedCheck)) ?? LINES.find((line) => line.name === 'email')!;
    const checks: TokenCheckLine[] = LINES.map((of) => {
      if (of === failed) return line(of, 'failed', checkMessage('check.refusal', { refusal: refusalOf(error) }));
      if (of.stage < failed.stage) return line(of, 'passed', passedDetail(of.name));
      return line(of, 'skipped', checkMessage('apps.notChecked'));
    });
    const verifiedClaims = error.claims;
    return {
      ok: false, checks, claims: verifiedClaims ?? unverifiedClaimsOf(token), verified: verifiedClaims !== undefined,
      profile: undefined, clockSkewMs: error.clockSkewMs, code: error.code,
    };
  }
}

/** The payload as written, for the report of a token whose signature did not verify. */
function unverifiedClaimsOf(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
