import type { AppType } from '../../../core/app-config.ts';
import { adminFieldsOf } from '../../../protocols/registry.ts';
import type { ConfigField } from '../../../protocols/sign-in-protocol.ts';
import { CONFIG_FIELDS_MARKER } from '../../pages/admin/app-config-fields.ts';
import type { Form } from './console.ts';

// The posted install or edit form back into a config (the inverse of pages/admin/app-config-fields.ts).
// A form that carries the marker has every field: an unticked switch is false and an emptied
// field is unset (undefined, so an edit clears it and the schema's default applies). A post
// without the marker (a script of old) sets only what it names, as before.

/** The SAML mode of a vendor preset is the one value a form carries for its mode. */
export const modeOf = (form: Form): Record<string, unknown> => (form['config.protocol'] === 'saml' ? { protocol: 'saml' } : {});

export function configFromForm(form: Form, type: AppType, mode: Record<string, unknown>): Record<string, unknown> {
  const complete = form[CONFIG_FIELDS_MARKER] === '1';
  const config: Record<string, unknown> = { ...mode };
  for (const field of adminFieldsOf(type, mode)) {
    const raw = form[`config.${field.key}`];
    const value = valueOf(field, raw, complete);
    if (value === SKIP) continue;
    setAt(config, field.key, value);
  }
  const buttonText = form['config.buttonText']?.trim();
  if (buttonText) config.buttonText = buttonText;
  else if (complete) config.buttonText = undefined;
  return config;
}

const SKIP = Symbol('not in the form');

function valueOf(field: ConfigField, raw: string | undefined, complete: boolean): unknown {
  if (field.kind === 'boolean') return complete ? raw !== undefined : SKIP;
  const text = raw?.trim() ?? '';
  // A secret is never shown, so an empty one keeps the stored value.
  if (field.kind === 'secret') return text ? raw : SKIP;
  if (!text) return complete ? undefined : SKIP;
  switch (field.kind) {
    case 'algorithm': return [text];
    case 'number': return Number(text);
    case 'list': return text.split('\n').map((line) => line.trim()).filter(Boolean);
    case 'pemList': return text.split(/(?<=-----END CERTIFICATE-----)/).map((block) => block.trim()).filter(Boolean);
    default: return text;
  }
}

function setAt(config: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = config;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    at = (at[key] = next && typeof next === 'object' ? { ...(next as Record<string, unknown>) } : {}) as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

/**
 * The install and edit forms (and their validation as you type) carry pasted SAML metadata,
 * which the schema allows up to 1 MB (saml/config.ts): the server's 64 KiB would refuse it. A
 * form sends it percent-encoded, each `<`, `>`, `"`, `/`, `=` and `:` as three bytes, so the
 * room is three times the schema's megabyte, and 64 KiB for the other fields. These routes
 * only; the console's check of the sender runs before their body is read (index.ts).
 */
export const APP_FORM_BODY_LIMIT_BYTES = 3 * 1024 * 1024 + 64 * 1024;
