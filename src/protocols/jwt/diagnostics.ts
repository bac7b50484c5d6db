import { isFrontdoorError } from '../../core/errors.ts';
import type { DiagnosticCheck } from '../oidc/diagnostics.ts';
import { isHmacAlgorithm, type JwtAppConfig } from './config.ts';
import { JwtKeySets, verificationKeyFor } from './keys.ts';

const JWKS_TIMEOUT_MS = 5000;

/**
 * The admin's "Test" for a JWT app: the setup Frontdoor needs to check a token (allowed
 * algorithms, a usable key: the shared secret, the public key, or a JWKS URL that answers with
 * keys). No token is verified and nobody is signed in; a config check alone does not unlock
 * Automatic mode, only a real sign-in does.
 */
export async function diagnoseJwtApp(config: JwtAppConfig, secrets: Record<string, unknown>, now: Date): Promise<DiagnosticCheck[]> {
  const checks: DiagnosticCheck[] = [{ name: 'algorithms', ok: config.algorithms.length > 0, detail: `accepted: ${config.algorithms.join(', ') || 'none'}` }];
  try {
    // The same key lookup as a sign-in (keys.ts): what fails here fails every sign-in.
    verificationKeyFor(config, secrets, new JwtKeySets({ timeoutMs: JWKS_TIMEOUT_MS }), now);
  } catch (error) {
    checks.push({ name: 'key', ok: false, detail: isFrontdoorError(error) ? error.message : `the key cannot be read: ${(error as Error).message}` });
    return checks;
  }
  if (config.algorithms.some(isHmacAlgorithm)) checks.push({ name: 'key', ok: true, detail: 'a shared secret is set' });
  else if (config.publicKey) checks.push({ name: 'key', ok: true, detail: 'the public key reads as a key' });
  else if (config.jwksUrl) checks.push(await jwksCheck(config.jwksUrl));
  return checks;
}

/** The JWKS URL answers 200 with a JSON key set holding at least one key. */
async function jwksCheck(url: string): Promise<DiagnosticCheck> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
    if (!response.ok) return { name: 'jwks', ok: false, detail: `${url} answered HTTP ${response.status}` };
    const body = (await response.json()) as { keys?: unknown };
    const count = Array.isArray(body?.keys) ? body.keys.length : 0;
    return count > 0
      ? { name: 'jwks', ok: true, detail: `${url} lists ${count} key(s)` }
      : { name: 'jwks', ok: false, detail: `${url} answered without keys` };
  } catch (error) {
    return { name: 'jwks', ok: false, detail: `${url}: ${(error as Error).message}` };
  }
}
