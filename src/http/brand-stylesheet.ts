import { shade, tint } from '../core/brand-contrast.ts';

// The brand colour reaches pages only through a stylesheet: the CSP forbids inline styles
// (security-headers.ts), and custom properties let frontdoor.css stay the one place that says
// where the accent is used. The colour was checked (#rrggbb, contrast) before it was stored.

export function brandStylesheet(color: string | null): string {
  if (!color) return '/* The default colours of frontdoor.css. */\n';
  return `:root { --accent: ${color}; --accent-strong: ${shade(color, 0.2)}; --accent-soft: ${tint(color, 0.9)}; }\n`;
}
