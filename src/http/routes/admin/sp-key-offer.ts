import type { SecretBox } from '../../../core/secrets.ts';
import { generateKeyPair } from '../../../protocols/saml/sp-keys.ts';

// A SAML app's SP key pair made when its install form is drawn, so that its certificate can be
// given to the IdP before install (issue 18 part 1), as the URLs are. The private key travels
// with the form only sealed by the server's SecretBox (AES-256-GCM: the browser can neither read
// nor alter it); Install opens it and keeps the pair. Anything else (altered, of another purpose,
// older than a day) is ignored and Install generates a fresh pair, as without a form.

const PURPOSE = 'saml-sp-key-offer:v1';
const VALID_MS = 24 * 60 * 60 * 1000;

export type SpKeyOffer = { sealed: string; certificate: string };

export async function offerSpKeyPair(box: SecretBox, label: string, now: Date): Promise<SpKeyOffer> {
  const pair = await generateKeyPair(`Frontdoor SAML ${label}`, now);
  const sealed = box.seal(JSON.stringify({ purpose: PURPOSE, issuedAt: now.getTime(), privateKey: pair.privateKey, certificate: pair.certificate }));
  return { sealed: sealed.toString('base64url'), certificate: pair.certificate };
}

/** The key pair a form carried, or undefined when it carried none that this server sealed lately. */
export function takeSpKeyPair(box: SecretBox, sealed: string | undefined, now: Date): { spPrivateKey: string; spCertificate: string } | undefined {
  if (!sealed || sealed.length > 20_000) return undefined;
  try {
    const offer = JSON.parse(box.open(Buffer.from(sealed, 'base64url'))) as Record<string, unknown>;
    const fresh = typeof offer.issuedAt === 'number' && now.getTime() - offer.issuedAt >= 0 && now.getTime() - offer.issuedAt < VALID_MS;
    if (offer.purpose !== PURPOSE || !fresh || typeof offer.privateKey !== 'string' || typeof offer.certificate !== 'string') return undefined;
    return { spPrivateKey: offer.privateKey, spCertificate: offer.certificate };
  } catch {
    return undefined;
  }
}
