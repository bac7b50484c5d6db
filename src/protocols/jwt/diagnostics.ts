import { isFrontdoorError } from '../../core/errors.ts';
import { refusalOf } from '../../i18n/check-details.ts';
import { diagnosticCheck, type DiagnosticCheck } from '../diagnostic-check.ts';
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
  const checks: DiagnosticCheck[] = [
    diagnosticCheck('algorithms', config.algorithms.length > 0, 'check.jwt.algorithms', { count: config.algorithms.length, algorithms: config.algorithms.join(', ') }),
  ];
  try {
    // The same key lookup as a sign-in (keys.ts): what fails here fails every sign-in.
    verificationKeyFor(config, secrets, new JwtKeySets({ timeoutMs: JWKS_TIMEOUT_MS }), now);
  } catch (error) {
    checks.push(isFrontdoorError(error)
      ? diagnosticCheck('key', false, 'check.refusal', { refusal: refusalOf(error) })
      : diagnosticCheck('key', false, 'check.jwt.key.unreadable', { message: (error as Error).message }));
    return checks;
  }
  if (config.algorithms.some(isHmacAlgorithm)) checks.push(diagnosticCheck('key', true, 'check.jwt.key.secret'));
  else if (config.publicKey) checks.push(diagnosticCheck('key', true, 'check.jwt.key.publicKey'));
  else if (config.jwksUrl) checks.push(await jwksCheck(config.jwksUrl));
  return checks;
}

/** The JWKS URL answers 200 with a JSON key set holding at least one key. */
async function jwksCheck(url: string): Promise<DiagnosticCheck> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
    if (!response.ok) return diagnosticCheck('jwks', false, 'check.jwt.jwks.status', { url, status: response.status });
    const body = (await response.json()) as { keys?: unknown };
    const count = Array.isArray(body?.keys) ? body.keys.length : 0;
    return count > 0
      ? diagnosticCheck('jwks', true, 'check.jwt.jwks.keys', { url, count })
      : diagnosticCheck('jwks', false, 'check.jwt.jwks.noKeys', { url });
  } catch (error) {
    return diagnosticCheck('jwks', false, 'check.whereCause', { where: url, message: (error as Error).message });
  }
}
