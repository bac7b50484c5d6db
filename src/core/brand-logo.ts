import { FrontdoorError } from './errors.ts';

// A logo is judged by its bytes, never by the content type or file name the browser sent:
// an HTML page named logo.png must not be served back as anything a browser would run.
// SVG is refused outright: it is XML that can carry script and event handlers, and would be
// one sandbox mistake away from stored XSS on our origin. PNG, JPEG and WebP carry no script.

export const LOGO_MAX_BYTES = 256 * 1024;
/** Wider or taller than this is not a header logo; a huge canvas can also exhaust a decoder. */
export const LOGO_MAX_PIXELS = 4096;

export type LogoContentType = 'image/png' | 'image/jpeg' | 'image/webp';
export type LogoImage = { contentType: LogoContentType; width: number; height: number };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type and size read from the header, or a refusal (`brand.logo_type_refused`, `brand.logo_invalid`, `brand.logo_too_large`). */
export function inspectLogo(bytes: Uint8Array): LogoImage {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length > LOGO_MAX_BYTES) {
    throw new FrontdoorError('brand.logo_too_large', `The logo is ${kib(data.length)}; at most ${kib(LOGO_MAX_BYTES)} is allowed. Export it smaller (a header logo needs no more than 512 pixels).`, { bytes: data.length, limit: LOGO_MAX_BYTES });
  }
  const image = pngSize(data) ?? jpegSize(data) ?? webpSize(data);
  if (!image) {
    if (looksLikeSvg(data)) {
      throw new FrontdoorError('brand.logo_type_refused', 'SVG logos are refused: an SVG can carry script. Upload a PNG, JPEG or WebP image instead.', { detected: 'svg' });
    }
    if (data.subarray(0, 8).equals(PNG_SIGNATURE) || data.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) || isRiffWebp(data)) {
      throw new FrontdoorError('brand.logo_invalid', 'The logo file is damaged or cut short: its image header could not be read. Export it again and upload the new file.');
    }
    throw new FrontdoorError('brand.logo_type_refused', 'The logo is not a PNG, JPEG or WebP image (judged by its content, not its name). Upload one of those.', { detected: 'unknown' });
  }
  if (image.width < 1 || image.height < 1 || image.width > LOGO_MAX_PIXELS || image.height > LOGO_MAX_PIXELS) {
    throw new FrontdoorError('brand.logo_invalid', `The logo is ${image.width} × ${image.height} pixels; each side must be between 1 and ${LOGO_MAX_PIXELS}.`, { width: image.width, height: image.height });
  }
  return image;
}

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

// PNG (RFC 2083 / ISO 15948): the signature, then the IHDR chunk first: length 13, "IHDR", width, height.
function pngSize(data: Buffer): LogoImage | undefined {
  if (data.length < 24 || !data.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  if (data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { contentType: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

// JPEG (ITU T.81 B.1): markers from SOI; the frame header (SOFn) holds height then width.
// DHT (C4), JPG (C8) and DAC (CC) share the C0-CF range but are not frame headers.
function jpegSize(data: Buffer): LogoImage | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8 || data[2] !== 0xff) return undefined;
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return undefined;
    const marker = data[at + 1]!;
    if (marker === 0xff) { at += 1; continue; }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
    const length = data.readUInt16BE(at + 2);
    if (length < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > data.length) return undefined;
      return { contentType: 'image/jpeg', height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // image data or its end before any frame header
    at += 2 + length;
  }
  return undefined;
}

function isRiffWebp(data: Buffer): boolean {
  return data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP';
}

// WebP (RFC 9649): RIFF, "WEBP", then one of the chunks VP8 (lossy), VP8L (lossless), VP8X (extended).
function webpSize(data: Buffer): LogoImage | undefined {
  if (!isRiffWebp(data) || data.length < 30) return undefined;
  const chunk = data.toString('latin1', 12, 16);
  if (chunk === 'VP8X') {
    return { contentType: 'image/webp', width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
  }
  if (chunk === 'VP8L') {
    if (data[20] !== 0x2f) return undefined;
    const bits = data.readUInt32LE(21);
    return { contentType: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') {
    if (data[23] !== 0x9d || data[24] !== 0x01 || data[25] !== 0x2a) return undefined;
    return { contentType: 'image/webp', width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
  }
  return undefined;
}

function looksLikeSvg(data: Buffer): boolean {
  const head = data.toString('utf8', 0, Math.min(data.length, 1024)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  return head.startsWith('<svg') || ((head.startsWith('<?xml') || head.startsWith('<!doctype svg') || head.startsWith('<!--')) && head.includes('<svg'));
}
