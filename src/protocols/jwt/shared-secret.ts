import type { Actor } from '../../core/audit.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import { isHmacAlgorithm, jwtConfigOf } from './config.ts';
import { generateJwtSharedSecret } from './keys.ts';

/** Whether the app verifies its tokens with a shared secret (HS256/384/512). */
export function usesSharedSecret(app: AuthApp): boolean {
  return app.type === 'jwt' && jwtConfigOf(app).algorithms.some(isHmacAlgorithm);
}

/**
 * A new shared secret for an HS256/384/512 JWT app, for the admin API and the console alike:
 * the old one stops working at once (the next token is checked against the new one). Audited as
 * `app.secret_regenerated`, never with the secret; the caller shows it to whoever asked.
 */
export async function regenerateJwtSharedSecret(
  services: Pick<Services, 'apps' | 'audit'>, app: AuthApp, actor: Actor, via: 'api' | 'console', ip?: string,
): Promise<{ app: AuthApp; sharedSecret: string }> {
  if (!usesSharedSecret(app)) {
    throw new FrontdoorError('app.secret_not_regenerable', `${app.name} has no shared secret: only JWT apps signing with HS256, HS384 or HS512 have one.`);
  }
  const sharedSecret = generateJwtSharedSecret();
  const updated = await services.apps.update(app.id, { config: { sharedSecret } }, actor);
  await services.audit.record({
    action: 'app.secret_regenerated', outcome: 'success', audience: app.audience, actor, target: { type: 'app', id: app.id }, ip, details: { via },
  });
  return { app: updated, sharedSecret };
}
