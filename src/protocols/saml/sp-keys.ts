import { X509Certificate, createHash, createPrivateKey, generateKeyPair as generateRsaKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';

export type KeyPair = { privateKey: string; certificate: string };

// node:crypto makes keys but not certificates, and SAML metadata publishes keys as X.509
// certificates. A self-signed certificate is a few DER structures (RFC 5280 4.1), written
// here rather than pulling in a certificate library with global polyfills. Its signature
// means nothing in SAML: trust comes from the admin pasting our metadata into the identity
// service.
const VALIDITY_YEARS = 10;

/** A fresh RSA-2048 key pair and a self-signed certificate for it (signing and encryption). */
export async function generateKeyPair(commonName: string, now: Date = new Date()): Promise<KeyPair> {
  const { publicKey, privateKey } = await promisify(generateRsaKeyPair)('rsa', { modulusLength: 2048 });
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName.slice(0, 64), 'utf8')))));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, non-zero
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // v3
    tlv(0x02, serial),
    sha256WithRsa,
    name,
    seq(time(new Date(now.getTime() - 60_000)), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificate: toPem(der, 'CERTIFICATE'),
  };
}

function tlv(tag: number, value: Buffer): Buffer {
  const n = value.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, value]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

/** True when the PEM private key belongs to the certificate. */
export function keyMatchesCertificate(privateKey: string, certificate: string): boolean {
  try {
    return new X509Certificate(certificateToPem(certificate)).checkPrivateKey(createPrivateKey(privateKey));
  } catch {
    return false;
  }
}

export function toPem(der: Buffer, label: string): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** A certificate as PEM, from PEM or the bare base64 that metadata and admin consoles show. */
export function certificateToPem(text: string): string {
  const base64 = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return toPem(Buffer.from(base64, 'base64'), 'CERTIFICATE');
}

/** The base64 body of a certificate (as it goes into metadata's X509Certificate). */
export function certificateBody(text: string): string {
  return text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export type CertificateFacts = { subject: string; notBefore: string; notAfter: string; sha256: string; sha1: string };

/** Reads a certificate; throws when it is not one. */
export function certificateFacts(text: string): CertificateFacts {
  const cert = new X509Certificate(certificateToPem(text));
  const der = cert.raw;
  return {
    subject: cert.subject,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    sha256: createHash('sha256').update(der).digest('hex'),
    sha1: createHash('sha1').update(der).digest('hex'),
  };
}
