import type { AppType } from '../../../core/app-config.ts';
import type { Audience } from '../../../core/audience.ts';
import { isMessageKey, t } from '../../../i18n/t.ts';
import { protocolOfType, URL_LABELS } from '../../../protocols/registry.ts';
import { homeOf } from '../../external-sign-in-completion.ts';

// What an admin pastes into the identity service, known as soon as the slug is (issue 18
// part 1): the addresses of the protocol's endpoints, plus the OIDC post-logout redirect URI
// and the SAML SP certificate (on the install form, of the pair made for it: routes/admin/sp-key-offer.ts).

const EXTRA_LABELS = { postLogout: 'Post-logout redirect URI', spCertificate: 'SP certificate (PEM)' } as const;
export const COPY_LABELS: Readonly<Record<string, string>> = { ...URL_LABELS, ...EXTRA_LABELS };

/**
 * The labels in the page's language (`apps.copy.<key>`; English for a key without a message). The
 * validate answer is keyed by the same labels, so console.js finds each value under its data-copy.
 */
export function copyLabels(): Record<string, string> {
  return Object.fromEntries(Object.entries(COPY_LABELS).map(([key, label]) => {
    const message = `apps.copy.${key}`;
    return [key, isMessageKey(message) ? t(message) : label];
  }));
}

export function copyValuesFor(
  input: { type: AppType; audience: Audience; slug: string; config: Record<string, unknown> }, publicUrl: URL,
): Record<string, string> {
  const protocol = protocolOfType(input.type, input.config);
  if (!protocol) return {};
  const values: Record<string, string> = { ...protocol.urlsToCopy({ slug: input.slug, type: input.type, config: input.config }, publicUrl) };
  if (protocol.name === 'oidc') {
    // Registered at the service so it may send people back after logout: the one set below, or our home page.
    const set = input.config.postLogoutRedirectUri;
    values.postLogout = typeof set === 'string' && set ? set : new URL(homeOf(input).replace(/^\//, ''), `${publicUrl.origin}${publicUrl.pathname.replace(/\/?$/, '/')}`).href;
  }
  if (protocol.name === 'saml' && typeof input.config.spCertificate === 'string') values.spCertificate = input.config.spCertificate;
  return values;
}

/** The same values keyed by their labels, as POST /admin/apps/validate answers them. */
export function byLabel(values: Record<string, string>): Record<string, string> {
  const labels = copyLabels();
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [labels[key] ?? key, value]));
}
