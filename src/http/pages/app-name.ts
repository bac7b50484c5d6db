import { t } from '../../i18n/t.ts';
import { defaultAppName } from '../../protocols/registry.ts';

/**
 * An app's name as a page shows it. The built-in app is stored with its English default name
 * ("Email and password", migration 0001): while it keeps that name, pages say it in their own
 * language; the stored name stays as it is (the API and the audit data answer it). A name an
 * admin gave, to this app or any other, is theirs and shown as written.
 */
export function appDisplayName(app: { type: string; name: string }): string {
  return app.type === 'password' && app.name === defaultAppName('password') ? t('apps.passwordAppName') : app.name;
}
