import { LanguageSettingsChangesSchema } from '../../../core/language-settings.ts';
import { parseInput } from '../../../core/validation.ts';
import { languagesPage } from '../../pages/admin/languages.ts';
import { frameOf, listOf, type AdminConsole, type Render } from './console.ts';

// Languages: the languages offered and the default, one form, one save (audited by the core).

export function registerLanguageSettingsRoutes({ services, page, action }: AdminConsole): void {
  const settings: Render = async (_request, _reply, admin, state) => languagesPage(frameOf(admin, state), await services.languages.settings());
  page('/admin/settings/languages', settings);
  action('/admin/settings/languages', settings, async (request, admin, form) => {
    const changes = parseInput(LanguageSettingsChangesSchema, { offered: listOf(request, 'offered'), defaultLanguage: form.defaultLanguage });
    await services.languages.update(changes, admin.actor);
    return '/admin/settings/languages?notice=saved';
  });
}
