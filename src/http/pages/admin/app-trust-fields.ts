import type { AppType } from '../../../core/app-config.ts';
import { AGENT_APP_DEFAULTS } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { t } from '../../../i18n/t.ts';
import { html, type SafeHtml } from '../../html.ts';
import { checkbox, textArea, textInput, type ViewState } from './blocks.ts';

// How far an external app's identity service is trusted, and who it lets in: the settings that
// decide whether a sign-in can reach an existing account or skip a second factor. Issue 14: they
// were keys in the "Other settings (JSON)" box, invisible after install. Here each is a labelled
// switch or field with the one-line consequence an admin needs before turning it on.

/** The config keys these fields own; the JSON box shows everything else. */
export const TRUST_KEYS = ['trustEmail', 'trustProviderMfa', 'autoAgent', 'autoUser', 'syncProfile', 'filter', 'loginActions'] as const;

/** Marks a form that carries these fields: an unticked box then means off, not "leave as it is". */
const MARKER = 'trustFields';

type Group = { id: string; name: string };
type Filter = { emailDomains?: string[]; requiredGroup?: string; requiredClaim?: { name: string; value: string } };
type LoginActions = { addUsergroupIds?: string[]; groupMappings?: { group: string; usergroupId: string }[] };

/** What a new app of this audience and type starts with (the schema's defaults, per audience). */
export function defaultTrust(audience: Audience, type: AppType): Record<string, unknown> {
  const emailTrustedByType = !(type === 'microsoft' || type === 'saml');
  return {
    trustEmail: audience === 'agents' ? AGENT_APP_DEFAULTS.trustEmail : emailTrustedByType,
    trustProviderMfa: false, autoAgent: false, autoUser: false, syncProfile: true,
  };
}

export function trustFields(
  state: ViewState, input: { audience: Audience; type: AppType; config: Record<string, unknown> | undefined; usergroups: Group[] },
): SafeHtml {
  const config = { ...defaultTrust(input.audience, input.type), ...input.config };
  const on = (key: string) => config[key] === true;
  const filter = (config.filter ?? {}) as Filter;
  const actions = (config.loginActions ?? {}) as LoginActions;
  const nameOf = new Map(input.usergroups.map((g) => [g.id, g.name]));
  const mappings = (actions.groupMappings ?? []).map((m) => `${m.group} = ${nameOf.get(m.usergroupId) ?? m.usergroupId}`).join('\n');
  const custom = input.usergroups;
  const agents = input.audience === 'agents';
  return html`<fieldset class="stack" data-section="trust"><legend>${t('apps.trust.legend')}</legend>
<input type="hidden" name="${MARKER}" value="1">
${checkbox(state, 'config.trustEmail', t('apps.trust.trustEmail'), on('trustEmail'), {
  hint: t(agents ? 'apps.trust.trustEmailHintAgents' : 'apps.trust.trustEmailHintUsers'),
})}
${checkbox(state, 'config.trustProviderMfa', t('apps.trust.trustProviderMfa'), on('trustProviderMfa'), {
  hint: t('apps.trust.trustProviderMfaHint'),
})}
${agents
  ? checkbox(state, 'config.autoAgent', t('apps.trust.autoAgent'), on('autoAgent'), {
      hint: t('apps.trust.autoAgentHint'),
    })
  : checkbox(state, 'config.autoUser', t('apps.trust.autoUser'), on('autoUser'), {
      hint: t('apps.trust.autoUserHint'),
    })}
${checkbox(state, 'config.syncProfile', t('apps.trust.syncProfile'), on('syncProfile'), {
  hint: t('apps.trust.syncProfileHint'),
})}
${textInput(state, 'filter.emailDomains', t('apps.trust.emailDomains'), (filter.emailDomains ?? []).join(', '), {
  hint: t('apps.trust.emailDomainsHint'), placeholder: 'example.com, example.org',
})}
${textInput(state, 'filter.requiredGroup', t('apps.trust.requiredGroup'), filter.requiredGroup ?? '')}
${textInput(state, 'filter.requiredClaimName', t('apps.trust.requiredClaimName'), filter.requiredClaim?.name ?? '', { hint: t('apps.trust.requiredClaimNameHint') })}
${textInput(state, 'filter.requiredClaimValue', t('apps.trust.requiredClaimValue'), filter.requiredClaim?.value ?? '')}
${agents ? '' : html`${textArea(state, 'loginActions.groupMappings', t('apps.trust.groupMappings'), mappings, {
  rows: 3, placeholder: t('apps.trust.groupMappingsPlaceholder'), hint: t('apps.trust.groupMappingsHint'),
})}
${custom.length ? html`<fieldset><legend>${t('apps.trust.addUsergroups')}</legend>${custom.map((g) => checkbox(state, `loginActions.add.${g.id}`, g.name, (actions.addUsergroupIds ?? []).includes(g.id)))}</fieldset>` : ''}`}
</fieldset>`;
}

/** The trust settings of a posted form, or nothing when the form did not carry the fields. */
export function trustConfigFromForm(form: Record<string, string>, audience: Audience, usergroups: Group[]): Record<string, unknown> {
  if (form[MARKER] !== '1') return {};
  const ticked = (name: string) => form[name] !== undefined;
  const text = (name: string) => form[name]?.trim() ?? '';
  const config: Record<string, unknown> = {
    trustEmail: ticked('config.trustEmail'),
    trustProviderMfa: ticked('config.trustProviderMfa'),
    syncProfile: ticked('config.syncProfile'),
    ...(audience === 'agents' ? { autoAgent: ticked('config.autoAgent') } : { autoUser: ticked('config.autoUser') }),
  };
  const claimName = text('filter.requiredClaimName');
  config.filter = {
    emailDomains: text('filter.emailDomains').split(/[\s,]+/).filter(Boolean),
    ...(text('filter.requiredGroup') ? { requiredGroup: text('filter.requiredGroup') } : {}),
    ...(claimName ? { requiredClaim: { name: claimName, value: text('filter.requiredClaimValue') } } : {}),
  };
  if (audience === 'users') {
    const byName = new Map(usergroups.map((g) => [g.name.toLowerCase(), g.id]));
    const groupMappings = text('loginActions.groupMappings').split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
      const at = line.indexOf('=');
      const group = at > 0 ? line.slice(0, at).trim() : '';
      const usergroupId = byName.get(line.slice(at + 1).trim().toLowerCase());
      if (!group || !usergroupId) {
        throw new FrontdoorError('app.config_invalid', `The group mapping “${line}” is not “service group = usergroup name” with a usergroup that exists.`, {
          fields: [{ field: 'loginActions.groupMappings', problem: `“${line}”: not group = an existing usergroup name` }],
        });
      }
      return { group, usergroupId };
    });
    const addUsergroupIds = usergroups.filter((g) => ticked(`loginActions.add.${g.id}`)).map((g) => g.id);
    config.loginActions = { addUsergroupIds, groupMappings };
  }
  return config;
}
