import type { AppType } from '../../../core/app-config.ts';
import type { AuthApp } from '../../../core/apps.ts';
import { defaultAt } from '../../../protocols/config-shape.ts';
import { JWT_ALGORITHMS } from '../../../protocols/jwt/config.ts';
import { adminFieldsOf, APP_CATALOG } from '../../../protocols/registry.ts';
import { CONFIG_FIELD_GROUPS, type ConfigField, type ConfigFieldGroup } from '../../../protocols/sign-in-protocol.ts';
import { isMessageKey, t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { checkbox, select, textArea, textInput, type ViewState } from './blocks.ts';

// A protocol's settings as labelled controls (issue 18 part 1): each field of the preset
// (src/protocols/<name>/fields.ts) in its fieldset, showing the stored value or the schema's
// default, with its one-line consequence. Posted back, app-config-form.ts reads them. A field's
// label, hint and option labels are message keys (src/i18n/apps/fields-en.ts): shown in the page's language.

/** Marks a form that carries every field: an unticked switch then means off, an empty field unset. */
export const CONFIG_FIELDS_MARKER = 'configFields';

/** The value at a dotted path of a config (`claims.email`). */
export function valueAt(config: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), config);
}

const asText = (value: unknown): string =>
  Array.isArray(value) ? value.filter((v) => typeof v === 'string' || typeof v === 'number').join('\n')
  : typeof value === 'string' || typeof value === 'number' ? String(value) : '';

export function configFields(state: ViewState, input: { type: AppType; config: Record<string, unknown>; app: AuthApp | undefined }): SafeHtml {
  const fields = adminFieldsOf(input.type, input.config);
  const schema = APP_CATALOG.schemaFor(input.type, input.config);
  const groups = Object.entries(CONFIG_FIELD_GROUPS) as [ConfigFieldGroup, (typeof CONFIG_FIELD_GROUPS)[ConfigFieldGroup]][];
  return html`<input type="hidden" name="${CONFIG_FIELDS_MARKER}" value="1">
${typeof input.config.protocol === 'string' ? html`<input type="hidden" name="config.protocol" value="${input.config.protocol}">` : ''}
${groups.map(([group, legend]) => {
  const inGroup = fields.filter((f) => (f.group ?? 'connection') === group);
  if (!inGroup.length) return '';
  return html`<fieldset class="stack" data-section="${group}"><legend>${t(legend)}</legend>
${inGroup.map((f) => control(state, f, valueAt(input.config, f.key) ?? defaultAt(schema, f.key), input.app))}
</fieldset>`;
})}`;
}

function control(state: ViewState, field: ConfigField, value: unknown, app: AuthApp | undefined): SafeHtml {
  const name = `config.${field.key}`;
  const label = t(field.label);
  const hint = field.hint ? t(field.hint) : undefined;
  const { placeholder } = field;
  // An option is a message key, or a technical name (a NameID format URN) shown as it is.
  const options = (field.options ?? []).map(([value, text]) => [value, isMessageKey(text) ? t(text) : text] as const);
  switch (field.kind) {
    case 'algorithm': {
      const current = Array.isArray(value) && typeof value[0] === 'string' ? value[0] : 'HS256';
      return select(state, name, label, current, JWT_ALGORITHMS.map((a) => [a, a] as const), hint);
    }
    case 'select':
      return select(state, name, label, asText(value), options, hint);
    case 'boolean':
      return checkbox(state, name, label, value === true, hint ? { hint } : {});
    case 'secret': {
      const set = app?.secretsSet.includes(field.key);
      return textInput(state, name, label, '', { type: 'password', required: Boolean(field.required) && !app, hint: set ? t('apps.form.secretSet', { hint: hint ?? '' }) : hint, autocomplete: 'new-password' });
    }
    case 'textarea': case 'pem': case 'pemList':
      return textArea(state, name, label, asText(value), { hint, placeholder: placeholder ?? (field.kind === 'textarea' ? undefined : '-----BEGIN CERTIFICATE-----'), rows: field.kind === 'textarea' ? 6 : 4 });
    case 'list':
      return textArea(state, name, label, asText(value), { hint, placeholder, rows: 3 });
    case 'number':
      return textInput(state, name, label, asText(value), { type: 'number', hint, placeholder });
    default:
      return textInput(state, name, label, asText(value), { type: field.kind === 'url' ? 'url' : 'text', required: Boolean(field.required), hint, placeholder });
  }
}
