import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { contrastWithWhite, darkerShadeThatPasses, MIN_CONTRAST_WITH_WHITE } from '../../src/core/brand-contrast.ts';
import { inspectLogo } from '../../src/core/brand-logo.ts';
import { isFrontdoorError } from '../../src/core/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/brand/${name}`, import.meta.url));
const codeOf = (bytes: Uint8Array) => {
  try {
    inspectLogo(bytes);
    return 'accepted';
  } catch (error) {
    return isFrontdoorError(error) ? error.code : 'thrown';
  }
};

// The logo check reads types and sizes from the bytes alone (brand-logo.ts): the encoders'
// own output (Chromium's, in test/fixtures/brand/), and headers written by hand for the WebP
// and JPEG variants those encoders did not produce.
describe('logo inspection', () => {
  it('reads PNG, JPEG and WebP (extended) as Chromium encodes them', () => {
    assert.deepEqual(inspectLogo(fixture('logo.png')), { contentType: 'image/png', width: 48, height: 48 });
    assert.deepEqual(inspectLogo(fixture('logo.jpg')), { contentType: 'image/jpeg', width: 48, height: 48 });
    assert.deepEqual(inspectLogo(fixture('logo.webp')), { contentType: 'image/webp', width: 48, height: 48 });
  });

  it('reads lossy (VP8) and lossless (VP8L) WebP headers, and a progressive JPEG frame (SOF2) after other segments', () => {
    const riff = (chunk: string, payload: Buffer) => Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP'), Buffer.from(chunk), Buffer.alloc(4), payload]);
    const lossy = riff('VP8 ', Buffer.from([0, 0, 0, 0x9d, 0x01, 0x2a, 200, 0, 100, 0]));
    assert.deepEqual(inspectLogo(lossy), { contentType: 'image/webp', width: 200, height: 100 });
    const bits = (300 - 1) | ((90 - 1) << 14);
    const lossless = riff('VP8L', Buffer.concat([Buffer.from([0x2f]), Buffer.from(new Uint32Array([bits]).buffer), Buffer.alloc(5)]));
    assert.deepEqual(inspectLogo(lossless), { contentType: 'image/webp', width: 300, height: 90 });
    const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
    const sof2 = Buffer.from([0xff, 0xc2, 0x00, 0x11, 0x08, 0x00, 0x40, 0x01, 0x00, 0x03]);
    assert.deepEqual(inspectLogo(Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof2])), { contentType: 'image/jpeg', width: 256, height: 64 });
  });

  it('refuses SVG, HTML, text and empty files as not an image type it takes', () => {
    assert.equal(codeOf(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')), 'brand.logo_type_refused');
    assert.equal(codeOf(Buffer.from('\uFEFF  <?xml version="1.0"?><!-- a logo --><svg/>')), 'brand.logo_type_refused');
    assert.equal(codeOf(Buffer.from('<!doctype html><script>1</script>')), 'brand.logo_type_refused');
    assert.equal(codeOf(Buffer.from('GIF89a')), 'brand.logo_type_refused');
    assert.equal(codeOf(Buffer.alloc(0)), 'brand.logo_type_refused');
  });

  it('refuses a header cut short, and sides of 0 or over 4096 px, as logo_invalid', () => {
    const png = fixture('logo.png');
    for (const cut of [8, 12, 23]) assert.equal(codeOf(png.subarray(0, cut)), 'brand.logo_invalid', `PNG cut at ${cut}`);
    assert.equal(codeOf(fixture('logo.jpg').subarray(0, 20)), 'brand.logo_invalid', 'JPEG before its frame header');
    assert.equal(codeOf(fixture('logo.webp').subarray(0, 20)), 'brand.logo_invalid', 'WebP before its sizes');
    const huge = Buffer.from(png);
    huge.writeUInt32BE(5000, 16);
    assert.equal(codeOf(huge), 'brand.logo_invalid');
    const empty = Buffer.from(png);
    empty.writeUInt32BE(0, 20);
    assert.equal(codeOf(empty), 'brand.logo_invalid');
  });
});

describe('brand colour contrast', () => {
  it('computes the WCAG 2 ratio with white: #767676 is the lightest grey that passes, #777777 fails', () => {
    assert.ok(contrastWithWhite('#767676') >= MIN_CONTRAST_WITH_WHITE);
    assert.ok(contrastWithWhite('#777777') < MIN_CONTRAST_WITH_WHITE);
    assert.equal(contrastWithWhite('#000000').toFixed(1), '21.0');
    assert.equal(contrastWithWhite('#ffffff'), 1);
  });

  it('suggests a darker shade of the same hue that passes', () => {
    for (const light of ['#4fa3e0', '#ffcc00', '#ff8800', '#ffffff']) {
      const darker = darkerShadeThatPasses(light);
      assert.ok(contrastWithWhite(darker) >= MIN_CONTRAST_WITH_WHITE, `${light} -> ${darker}`);
    }
    assert.equal(darkerShadeThatPasses('#0b6e4f'), '#0b6e4f', 'a passing colour is its own answer');
  });
});
