import type { FastifyReply, FastifyRequest } from 'fastify';
import { SlugSchema, type AuthApp } from '../../../core/apps.ts';
import { isFrontdoorError } from '../../../core/errors.ts';
import { checkAgainst, fieldProblemOf, type FieldProblem } from '../../../core/field-problems.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import { t, type MessageValues } from '../../../i18n/t.ts';
import { generateJwtSharedSecret } from '../../../protocols/jwt/keys.ts';
import { adminFieldsOf, AppTypeSchema } from '../../../protocols/registry.ts';
import { needsGeneratedSecret } from '../../api/apps.ts';
import { byLabel, copyValuesFor } from '../../pages/admin/app-copy-values.ts';
import { problemInPageLanguage } from '../../pages/admin/app-problems.ts';
import { trustConfigFromForm } from '../../pages/admin/app-trust-fields.ts';
import { APP_FORM_BODY_LIMIT_BYTES, configFromForm, modeOf } from './app-config-form.ts';
import { AudienceParam, formOf, type AdminConsole } from './console.ts';

// Validation as you type (issue 18 part 1): console.js posts the install or edit form here on
// each change and shows what comes back next to each field. The answer is the SAME check the
// install and the save run (AuthAppRegistry.configProblems: the protocol's zod schema), on the
// same reading of the form (app-config-form.ts); nothing is written, nothing audited. Like every
// console POST it needs an admin session and this browser's CSRF token (routes/admin/index.ts).

type Problems = Record<string, string>;

// A request the check cannot answer is refused like every JSON refusal (a stable code and a
// human message, errors.ts), with the problem by field for console.js, which ignores non-200s.
const refusal = (code: 'app.not_found' | 'request.invalid', message: string, problems: Problems) => ({ error: { code, message }, problems, copy: {} });

/** A schema path as the form field that holds it: `config.scopes.0` is the scopes box. */
export function formFieldOf(path: string): string {
  const field = path.replace(/(\.\d+)+$/, '').replace(/\.\d+\./g, '.');
  if (field === 'config.filter.requiredClaim.name' || field === 'config.filter.requiredClaim') return 'filter.requiredClaimName';
  if (field === 'config.filter.requiredClaim.value') return 'filter.requiredClaimValue';
  if (/^config\.(filter|loginActions)\./.test(field)) return field.slice('config.'.length);
  return field;
}

export function registerAppValidation({ scope, services }: AdminConsole): void {
  scope.post('/admin/apps/validate', { bodyLimit: APP_FORM_BODY_LIMIT_BYTES }, async (request: FastifyRequest, reply: FastifyReply) => {
    const form = formOf(request);
    const problems: Problems = {};
    /** A problem found by a check (with zod's issue when zod found it), said in the page's language. */
    const add = (field: string, found: FieldProblem | string) => {
      problems[field] ??= problemInPageLanguage(found);
    };
    /** A problem this check words itself: a message. */
    const say = (field: string, key: MessageKey, values?: MessageValues) => {
      problems[field] ??= t(key, values);
    };
    let current: AuthApp | undefined;
    if (form.appId) {
      current = await services.apps.find(form.appId);
      if (!current) return reply.code(404).send(refusal('app.not_found', 'There is no such app.', { appId: t('apps.problem.noSuchApp') }));
    }
    const audience = current?.audience ?? AudienceParam.safeParse(form.audience).data;
    const type = current?.type ?? AppTypeSchema.safeParse(form.type).data;
    if (!audience || !type || type === 'password') {
      return reply.code(400).send(refusal('request.invalid', 'Choose an audience and a type from the catalogue.', { type: t('apps.problem.chooseType') }));
    }
    const mode = current ? (current.config.protocol === 'saml' ? { protocol: 'saml' } : {}) : modeOf(form);
    let config = configFromForm(form, type, mode);
    try {
      config = { ...config, ...trustConfigFromForm(form, audience, (await services.usergroups.list()).filter((g) => g.system === null)) };
    } catch (error) {
      if (!isFrontdoorError(error)) throw error;
      for (const f of (error.details?.fields as FieldProblem[] | undefined) ?? []) add(f.field, f);
    }
    // Install generates an HS256 secret when none is given: the check assumes it, as install does.
    const checked = !current && type === 'jwt' && needsGeneratedSecret(config) ? { ...config, sharedSecret: generateJwtSharedSecret() } : config;
    // A check across fields (SAML: metadata, or entity id, SSO URL and certificate) names no
    // field of its own: it is shown at the form's first.
    const first = `config.${adminFieldsOf(type, mode)[0]?.key ?? ''}`;
    for (const p of await services.apps.configProblems(type, audience, checked, current)) add(p.field === 'config' ? first : formFieldOf(p.field), p);
    if (!form.name?.trim()) say('name', 'apps.problem.giveName');
    else if (form.name.trim().length > 100) say('name', 'apps.problem.tooLong', { max: 100 });
    const displayOrder = Number(form.displayOrder?.trim() || '0');
    if (!Number.isInteger(displayOrder) || displayOrder < -1000 || displayOrder > 1000) say('displayOrder', 'apps.problem.displayOrder');
    let slug = current?.slug;
    if (!current) {
      const given = form.slug?.trim() ?? '';
      const parsed = checkAgainst(SlugSchema, given);
      if (!given) say('slug', 'apps.problem.giveSlug');
      else if (!parsed.success) add('slug', fieldProblemOf(parsed.error.issues[0]!, 'slug'));
      else if (await services.apps.find(given)) say('slug', 'apps.problem.slugTaken', { slug: given });
      else slug = given;
    }
    const copy = slug ? byLabel(copyValuesFor({ type, audience, slug, config: current ? { ...current.config, ...config } : config }, services.config.publicUrl)) : {};
    return reply.code(200).header('cache-control', 'no-store').send({ problems, copy });
  });
}
