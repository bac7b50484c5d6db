import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// RFC 6238 (TOTP) over RFC 4226 (HOTP): HMAC-SHA1, 30-second steps, 6 digits, the defaults
// every authenticator app supports. Pure functions over the secret and a time: the caller
// passes its clock, and remembers used steps (RFC 6238 section 5.2) itself.

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now, for clock drift between the phone and us (RFC 6238 5.2). */
export const TOTP_WINDOW = 1;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newTotpSecret(): Buffer {
  return randomBytes(20); // 160 bits, the HMAC-SHA1 block the RFC recommends
}

export function base32Encode(data: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** RFC 4226 section 5.3: HMAC, dynamic truncation, modulo 10^digits. */
export function hotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', secret).update(message).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary = ((digest[offset]! & 0x7f) << 24) | (digest[offset + 1]! << 16) | (digest[offset + 2]! << 8) | digest[offset + 3]!;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

export function totpCode(secret: Buffer, at: Date): string {
  return hotp(secret, totpStep(at));
}

/** The steps whose code equals `code` within the window, nearest first; empty when none does. */
export function matchingTotpSteps(secret: Buffer, code: string, at: Date): number[] {
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) return [];
  const now = totpStep(at);
  const steps = [now, now - 1, now + 1].slice(0, 1 + 2 * TOTP_WINDOW);
  const given = Buffer.from(code);
  return steps.filter((step) => timingSafeEqual(Buffer.from(hotp(secret, step)), given));
}

/** The otpauth:// URI authenticator apps read from the QR code (Google Authenticator key format). */
export function otpauthUri(input: { secret: Buffer; issuer: string; account: string }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(input.secret), issuer: input.issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
