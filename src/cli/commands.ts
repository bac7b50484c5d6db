import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../config.ts';
import { createServices, type Services } from '../core/services.ts';
import { FrontdoorError, isFrontdoorError } from '../core/errors.ts';
import { migrate } from '../storage/migrate.ts';
import { openConfiguredDatabase } from '../storage/open.ts';
import type { Database } from '../storage/database.ts';
import { readPassword } from './password-input.ts';
import { serve } from './serve.ts';

export type CliIo = {
  config: () => Config;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  /** Tests pass their own database; the real CLI opens the configured one. */
  openDatabase?: () => Promise<Database>;
};

const USAGE = `Usage: frontdoor <command> [options]

Commands:
  serve                                   run the server (migrates first)
  migrate                                 apply database migrations
  admin create --email E --name N [--password-stdin]
                                          create an admin agent (password prompted, or read from stdin)
  admin reset-password --email E [--password-stdin]
                                          set an agent's password (break-glass)
  admin reset-sso --audience agents|users set every app of the audience back to SSO Disabled (break-glass)
  apikey create --name N                  create an admin API key (shown once)
  app list                                list auth apps
  app disable-sso --audience agents|users set the audience's Automatic app back to Disabled (break-glass)
`;

export async function runCommand(argv: string[], io: CliIo): Promise<number | undefined> {
  const [command, sub] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'serve') {
    await serve(io.config());
    return undefined;
  }
  const withServices = async (work: (services: Services) => Promise<void>): Promise<number> => {
    const config = io.config();
    const db = io.openDatabase ? await io.openDatabase() : await openConfiguredDatabase(config);
    try {
      await migrate(db);
      await work(await createServices(db, config));
      return 0;
    } catch (error) {
      if (!isFrontdoorError(error)) throw error;
      io.stderr.write(`frontdoor: ${error.message} (${error.code})\n`);
      return 2;
    } finally {
      if (!io.openDatabase) await db.close();
    }
  };
  const options = (spec: ParseArgsConfig['options']) =>
    parseArgs({ args: argv.slice(2), options: spec, strict: true }).values as Record<string, string | boolean | undefined>;

  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'migrate':
      return withServices(async (s) => {
        const applied = await migrate(s.db);
        io.stdout.write(applied.length ? `applied migrations ${applied.join(', ')}\n` : 'database is up to date\n');
      });
    case 'admin create': {
      const values = options({ email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
      if (typeof values.email !== 'string' || typeof values.name !== 'string') return usageError(io, 'admin create needs --email and --name');
      const password = await readPassword(io, Boolean(values['password-stdin']));
      return withServices(async (s) => {
        const person = await s.people.create({ audience: 'agents', name: values.name as string, email: values.email as string, password, isAdmin: true, emailVerified: true });
        await s.audit.record({ action: 'person.created', outcome: 'success', audience: 'agents', actor: { type: 'cli' }, target: { type: 'person', id: person.id }, details: { isAdmin: true } });
        io.stdout.write(`created admin agent ${values.email} (${person.id})\n`);
      });
    }
    case 'admin reset-password': {
      const values = options({ email: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
      if (typeof values.email !== 'string') return usageError(io, 'admin reset-password needs --email');
      const password = await readPassword(io, Boolean(values['password-stdin']));
      return withServices(async (s) => {
        const found = await s.people.findForSignIn('agents', values.email as string);
        if (!found) throw new FrontdoorError('person.not_found', `No agent has the email ${values.email}.`);
        await s.people.setPassword(found.person.id, password);
        await s.sessions.revokeAllFor(found.person.id, 'password reset from the CLI');
        await s.audit.record({ action: 'person.password_reset', outcome: 'success', audience: 'agents', actor: { type: 'cli' }, target: { type: 'person', id: found.person.id } });
        io.stdout.write(`password set for ${values.email}; their sessions were signed out\n`);
      });
    }
    case 'admin reset-sso': {
      const values = options({ audience: { type: 'string' } });
      if (values.audience !== 'agents' && values.audience !== 'users') return usageError(io, 'admin reset-sso needs --audience agents or users');
      const audience = values.audience;
      return withServices(async (s) => {
        // Every app, not just the Automatic one: the login form comes back for the audience
        // whatever state a half-finished change left behind.
        const changed: string[] = [];
        for (const app of await s.apps.list(audience)) {
          if (app.sso === 'disabled') continue;
          await s.apps.update(app.id, { sso: 'disabled' }, { type: 'cli' });
          changed.push(app.slug);
        }
        await s.audit.record({ action: 'breakglass.reset_sso', outcome: 'success', audience, actor: { type: 'cli' }, details: { apps: changed } });
        io.stdout.write(changed.length
          ? `set ${changed.join(', ')} back to SSO Disabled; the ${audience} login form is back\n`
          : `every ${audience} app was already SSO Disabled\n`);
      });
    }
    case 'apikey create': {
      const values = options({ name: { type: 'string' } });
      if (typeof values.name !== 'string') return usageError(io, 'apikey create needs --name');
      return withServices(async (s) => {
        const { key, apiKey } = await s.apiKeys.create(values.name as string, null);
        await s.audit.record({ action: 'apikey.created', outcome: 'success', actor: { type: 'cli' }, target: { type: 'api_key', id: apiKey.id } });
        io.stderr.write('API key created. It is shown only this once:\n');
        io.stdout.write(`${key}\n`);
      });
    }
    case 'app list':
      return withServices(async (s) => {
        for (const app of await s.apps.list()) {
          io.stdout.write(`${app.audience}\t${app.slug}\t${app.type}\t${app.enabled ? 'enabled' : 'disabled'}\tsso=${app.sso}\t${app.name}\n`);
        }
      });
    case 'app disable-sso': {
      const values = options({ audience: { type: 'string' } });
      if (values.audience !== 'agents' && values.audience !== 'users') return usageError(io, 'app disable-sso needs --audience agents or users');
      return withServices(async (s) => {
        const automatic = await s.apps.automaticApp(values.audience as 'agents' | 'users');
        if (!automatic) {
          io.stdout.write(`no Automatic app for ${values.audience}\n`);
          return;
        }
        await s.apps.update(automatic.id, { sso: 'disabled' }, { type: 'cli' });
        io.stdout.write(`${automatic.slug} is no longer Automatic; the ${values.audience} login form is back\n`);
      });
    }
    default:
      return usageError(io, `unknown command: ${argv.join(' ')}`);
  }
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`frontdoor: ${message}\n\n${USAGE}`);
  return 64; // EX_USAGE
}
