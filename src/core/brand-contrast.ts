import { FrontdoorError } from './errors.ts';

// Buttons draw white text on the primary colour, and links use it on white: below WCAG 2.x's
// 4.5:1 (success criterion 1.4.3, contrast minimum) for normal text, people with low vision
// cannot read them. A brand colour is refused rather than silently darkened: the admin decides.

export const MIN_CONTRAST_WITH_WHITE = 4.5;
export const HEX_COLOR = /^#[0-9a-f]{6}$/;

type Rgb = [number, number, number];

const rgbOf = (hex: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const hexOf = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** WCAG 2.x relative luminance of an sRGB colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = rgbOf(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of white text on this colour, from 1 to 21. */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (relativeLuminance(hex) + 0.05);
}

/** The same hue made darker step by step until white text on it reaches 4.5:1. */
export function darkerShadeThatPasses(hex: string): string {
  const rgb = rgbOf(hex);
  for (let factor = 1; factor > 0; factor -= 0.02) {
    const candidate = hexOf(rgb.map((c) => c * factor) as Rgb);
    if (contrastWithWhite(candidate) >= MIN_CONTRAST_WITH_WHITE) return candidate;
  }
  return '#000000';
}

/** Mixes the colour with white (`amount` 0: the colour, 1: white): the soft shades of notices. */
export function tint(hex: string, amount: number): string {
  return hexOf(rgbOf(hex).map((c) => c + (255 - c) * amount) as Rgb);
}

/** Mixes the colour with black: the pressed and hover shade. */
export function shade(hex: string, amount: number): string {
  return hexOf(rgbOf(hex).map((c) => c * (1 - amount)) as Rgb);
}

/** A lower-case #rrggbb colour white text can be read on, or a refusal. */
export function checkPrimaryColor(input: string): string {
  const hex = input.trim().toLowerCase();
  if (!HEX_COLOR.test(hex)) {
    throw new FrontdoorError('request.invalid', 'The colour must be 6-digit hex, like #1f5fd6.', { fields: [{ field: 'color', problem: 'not a 6-digit hex colour (#rrggbb)' }] });
  }
  const ratio = contrastWithWhite(hex);
  if (ratio < MIN_CONTRAST_WITH_WHITE) {
    const darker = darkerShadeThatPasses(hex);
    throw new FrontdoorError(
      'brand.color_contrast_too_low',
      `White button text on ${hex} has a contrast of ${floor2(ratio)}:1; at least ${MIN_CONTRAST_WITH_WHITE}:1 is needed (WCAG 2, contrast minimum). Try a darker shade, such as ${darker} (${floor2(contrastWithWhite(darker))}:1).`,
      { color: hex, ratio: floor2(ratio), minimum: MIN_CONTRAST_WITH_WHITE, suggestion: darker, fields: [{ field: 'color', problem: `contrast ${floor2(ratio)}:1 with white, below ${MIN_CONTRAST_WITH_WHITE}:1` }] },
    );
  }
  return hex;
}

// Rounded down: 4.496 must not read as "4.5:1" in a refusal.
const floor2 = (n: number) => Math.floor(n * 100) / 100;
