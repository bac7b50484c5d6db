import type { AppType } from '../../../core/app-config.ts';
import { AGENT_APP_DEFAULTS } from '../../../core/apps.ts';
import type { Audience } from '../../../core/audience.ts';
import { FrontdoorError } from '../../../core/errors.ts';
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
  return html`<fieldset class="stack" data-section="trust"><legend>Trust and who gets in</legend>
<input type="hidden" name="${MARKER}" value="1">
${checkbox(state, 'config.trustEmail', 'Link to an existing account by a verified email', on('trustEmail'), {
  hint: agents
    ? 'On: a sign-in whose email the service marks verified opens the existing agent with that email, admins included (only if that account’s email was proven here). Off: only agents already linked to this app get in.'
    : 'On: a sign-in whose email the service marks verified joins the existing account with that email (only if that account’s email was proven here). Off: such a person is refused.',
})}
${checkbox(state, 'config.trustProviderMfa', 'Trust the identity service’s own two-factor check', on('trustProviderMfa'), {
  hint: 'On: people who set up two-factor authentication here are not asked for it after this app, whatever the service checked. Off (recommended): they are.',
})}
${agents
  ? checkbox(state, 'config.autoAgent', 'Create agents on first sign-in (Auto Agent)', on('autoAgent'), {
      hint: 'On: anyone this service lets in becomes an agent here (never an admin); narrow it with the filters below. Off: only agents an admin created.',
    })
  : checkbox(state, 'config.autoUser', 'Create Users on first sign-in even while registration is closed (Auto User)', on('autoUser'), {
      hint: 'On: anyone this service lets in gets a Help Center account, whatever the registration mode.',
    })}
${checkbox(state, 'config.syncProfile', 'Update the name and email from the service at each sign-in', on('syncProfile'), {
  hint: 'On: a new address at the service becomes the primary email here (if nobody else has it).',
})}
${textInput(state, 'filter.emailDomains', 'Only these email domains (comma-separated; empty: any)', (filter.emailDomains ?? []).join(', '), {
  hint: 'Others are refused with sso.filter_refused before any account is made or linked.', placeholder: 'example.com, example.org',
})}
${textInput(state, 'filter.requiredGroup', 'Only members of this group at the service (empty: anyone)', filter.requiredGroup ?? '')}
${textInput(state, 'filter.requiredClaimName', 'Only people whose claim… (name)', filter.requiredClaim?.name ?? '', { hint: 'With the value below; e.g. department = support.' })}
${textInput(state, 'filter.requiredClaimValue', '…has this value', filter.requiredClaim?.value ?? '')}
${agents ? '' : html`${textArea(state, 'loginActions.groupMappings', 'Group mappings: one per line, service group = usergroup name', mappings, {
  rows: 3, placeholder: 'vip = VIP customers', hint: 'Each sign-in adds the person to the usergroups their service groups map to (never removes).',
})}
${custom.length ? html`<fieldset><legend>Add every sign-in to these usergroups</legend>${custom.map((g) => checkbox(state, `loginActions.add.${g.id}`, g.name, (actions.addUsergroupIds ?? []).includes(g.id)))}</fieldset>` : ''}`}
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
