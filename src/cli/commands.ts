import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../config.ts';
import { createServices, type Services } from '../core/services.ts';
import { FrontdoorError, isFrontdoorError } from '../core/errors.ts';
import { migrate } from '../storage/migrate.ts';
import { scimProvisioning } from '../provisioning/scim/service.ts';
import { openConfiguredDatabase } from '../storage/open.ts';
import { DATA_DIR_IN_USE_EXIT_CODE, DataDirectoryInUse, liveLockOwner } from '../storage/data-dir-lock.ts';
import type { Database } from '../storage/database.ts';
import { controlSocketPath, runOnServer, socketPathFits, waitForControlSocket } from './control-socket.ts';
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

/** Where a command's output goes: the terminal, or the control socket's answer. */
export type CommandOutput = { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } };

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
  scim create --audience agents|users --name N
                                          create a SCIM connection; prints its base URL and token (shown once)
  app list                                list auth apps
  app disable-sso --audience agents|users set the audience's Automatic app back to Disabled (break-glass)
`;

/** A parsed command: what it needs from the terminal, and the work it does on the services. */
type PlannedCommand = {
  password?: { fromStdin: boolean };
  run(s: Services, out: CommandOutput, password: string | undefined): Promise<void>;
};

export async function runCommand(argv: string[], io: CliIo): Promise<number | undefined> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'serve') {
    try {
      await serve(io.config());
    } catch (error) {
      if (!(error instanceof DataDirectoryInUse)) throw error;
      io.stderr.write(`frontdoor: ${error.message}\n`);
      return DATA_DIR_IN_USE_EXIT_CODE;
    }
    return undefined;
  }
  const plan = planCommand(argv);
  if (typeof plan === 'string') return usageError(io, plan);
  // Read on this terminal before anything else: the running server has no terminal to ask.
  const password = plan.password ? await readPassword(io, plan.password.fromStdin) : undefined;
  const config = io.config();
  if (io.openDatabase) return runWithDatabase(await io.openDatabase(), false, config, plan, password, io);
  // A server that stops while we wait for it lets go of the directory: then open it ourselves.
  for (let attempt = 0; ; attempt += 1) {
    let db: Database;
    try {
      db = await openConfiguredDatabase(config, `cli: ${argv.slice(0, 2).join(' ')}`);
    } catch (error) {
      if (!(error instanceof DataDirectoryInUse)) throw error;
      const code = await runOnTheOwner(error, argv, password, io, attempt < 2);
      if (code === 'owner gone') continue;
      return code;
    }
    return runWithDatabase(db, true, config, plan, password, io);
  }
}

/**
 * The embedded database belongs to another process. If it is the server, the server runs the
 * command (its caches forget what the command changed at once); if it is another command,
 * refuse: no two processes ever open one directory.
 */
async function runOnTheOwner(inUse: DataDirectoryInUse, argv: string[], password: string | undefined, io: CliIo, mayRetry: boolean): Promise<number | 'owner gone'> {
  if (!inUse.owner.purpose.startsWith('serve')) {
    io.stderr.write(`frontdoor: ${inUse.message}\n`);
    return DATA_DIR_IN_USE_EXIT_CODE;
  }
  const socketPath = controlSocketPath(inUse.dataDir);
  const ready = socketPathFits(socketPath) && await waitForControlSocket(socketPath, inUse.dataDir, inUse.owner.pid, () =>
    io.stderr.write(`frontdoor: waiting for the server (pid ${inUse.owner.pid}) to finish starting...\n`));
  if (!ready && mayRetry && !liveLockOwner(inUse.dataDir)) return 'owner gone';
  if (!ready) {
    io.stderr.write(`frontdoor: ${inUse.message} It does not answer on ${socketPath}.\n`);
    return DATA_DIR_IN_USE_EXIT_CODE;
  }
  const answer = await runOnServer(socketPath, { argv, password });
  io.stdout.write(answer.stdout);
  io.stderr.write(answer.stderr);
  return answer.code;
}

async function runWithDatabase(db: Database, owned: boolean, config: Config, plan: PlannedCommand, password: string | undefined, io: CliIo): Promise<number> {
  try {
    await migrate(db);
    return await runPlanned(plan, await createServices(db, config), password, io);
  } finally {
    if (owned) await db.close();
  }
}

/** Runs a command on services this process already has: the CLI's own, or the running server's (control-socket.ts). */
export async function runCommandOnServices(argv: string[], services: Services, password: string | undefined, out: CommandOutput): Promise<number> {
  const plan = planCommand(argv);
  if (typeof plan === 'string') {
    out.stderr.write(`frontdoor: ${plan}\n`);
    return 64;
  }
  // The CLI reads the password on its terminal and sends it; a request without one is not
  // a command to run with none (an admin without a password).
  if (plan.password && typeof password !== 'string') {
    out.stderr.write(`frontdoor: ${argv.slice(0, 2).join(' ')} needs a password\n`);
    return 64;
  }
  return runPlanned(plan, services, password, out);
}

async function runPlanned(plan: PlannedCommand, services: Services, password: string | undefined, out: CommandOutput): Promise<number> {
  try {
    await plan.run(services, out, password);
    return 0;
  } catch (error) {
    if (!isFrontdoorError(error)) throw error;
    out.stderr.write(`frontdoor: ${error.message} (${error.code})\n`);
    return 2;
  }
}

/** The command and its options, or why they are wrong (a usage error). */
function planCommand(argv: string[]): PlannedCommand | string {
  const [command, sub] = argv;
  let values: Record<string, string | boolean | undefined>;
  const options = (spec: ParseArgsConfig['options']) => {
    values = parseArgs({ args: argv.slice(2), options: spec, strict: true }).values as typeof values;
    return values;
  };
  try {
    switch (`${command} ${sub ?? ''}`.trim()) {
      case 'migrate':
        return {
          async run(s, out) {
            const applied = await migrate(s.db);
            out.stdout.write(applied.length ? `applied migrations ${applied.join(', ')}\n` : 'database is up to date\n');
          },
        };
      case 'admin create': {
        const v = options({ email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
        if (typeof v.email !== 'string' || typeof v.name !== 'string') return 'admin create needs --email and --name';
        const [email, name] = [v.email, v.name];
        return {
          password: { fromStdin: Boolean(v['password-stdin']) },
          async run(s, out, password) {
            const person = await s.people.create({ audience: 'agents', name, email, password, isAdmin: true, emailVerified: true });
            await s.audit.record({ action: 'person.created', outcome: 'success', audience: 'agents', actor: { type: 'cli' }, target: { type: 'person', id: person.id }, details: { isAdmin: true } });
            out.stdout.write(`created admin agent ${email} (${person.id})\n`);
          },
        };
      }
      case 'admin reset-password': {
        const v = options({ email: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
        if (typeof v.email !== 'string') return 'admin reset-password needs --email';
        const email = v.email;
        return {
          password: { fromStdin: Boolean(v['password-stdin']) },
          async run(s, out, password) {
            const found = await s.people.findForSignIn('agents', email);
            if (!found) throw new FrontdoorError('person.not_found', `No agent has the email ${email}.`);
            await s.people.setPassword(found.person.id, password!);
            await s.sessions.revokeAllFor(found.person.id, 'password reset from the CLI');
            // As after a reset link: a browser remembered for the second factor goes too.
            const forgottenDevices = await s.rememberedDevices.revokeAllFor(found.person, 'password reset from the CLI', { type: 'cli' });
            await s.audit.record({ action: 'person.password_reset', outcome: 'success', audience: 'agents', actor: { type: 'cli' }, target: { type: 'person', id: found.person.id } });
            out.stdout.write(`password set for ${email}; their sessions were signed out${forgottenDevices ? ` and ${forgottenDevices} remembered device(s) forgotten` : ''}\n`);
          },
        };
      }
      case 'admin reset-sso': {
        const v = options({ audience: { type: 'string' } });
        if (v.audience !== 'agents' && v.audience !== 'users') return 'admin reset-sso needs --audience agents or users';
        const audience = v.audience;
        return {
          async run(s, out) {
            // Every app, not just the Automatic one: the login form comes back for the audience
            // whatever state a half-finished change left behind.
            const changed: string[] = [];
            for (const app of await s.apps.list(audience)) {
              if (app.sso === 'disabled') continue;
              await s.apps.update(app.id, { sso: 'disabled' }, { type: 'cli' });
              changed.push(app.slug);
            }
            await s.audit.record({ action: 'breakglass.reset_sso', outcome: 'success', audience, actor: { type: 'cli' }, details: { apps: changed } });
            out.stdout.write(changed.length
              ? `set ${changed.join(', ')} back to SSO Disabled; the ${audience} login form is back\n`
              : `every ${audience} app was already SSO Disabled\n`);
          },
        };
      }
      case 'apikey create': {
        const v = options({ name: { type: 'string' } });
        if (typeof v.name !== 'string') return 'apikey create needs --name';
        const name = v.name;
        return {
          async run(s, out) {
            const { key, apiKey } = await s.apiKeys.create(name, null);
            await s.audit.record({ action: 'apikey.created', outcome: 'success', actor: { type: 'cli' }, target: { type: 'api_key', id: apiKey.id } });
            out.stderr.write('API key created. It is shown only this once:\n');
            out.stdout.write(`${key}\n`);
          },
        };
      }
      case 'scim create': {
        const v = options({ name: { type: 'string' }, audience: { type: 'string' } });
        if (typeof v.name !== 'string' || (v.audience !== 'agents' && v.audience !== 'users')) return 'scim create needs --audience agents or users and --name';
        const input = { name: v.name, audience: v.audience as 'agents' | 'users' };
        return {
          async run(s, out) {
            const scim = scimProvisioning(s);
            const { token, connection } = await scim.connections.create(input, null);
            await s.audit.record({ action: 'scim_connection.created', outcome: 'success', audience: connection.audience, actor: { type: 'cli' }, target: { type: 'scim_connection', id: connection.id } });
            out.stderr.write(`SCIM connection created. Base URL: ${scim.baseUrl}\nIts token, shown only this once:\n`);
            out.stdout.write(`${token}\n`);
          },
        };
      }
      case 'app list':
        options({});
        return {
          async run(s, out) {
            for (const app of await s.apps.list()) {
              out.stdout.write(`${app.audience}\t${app.slug}\t${app.type}\t${app.enabled ? 'enabled' : 'disabled'}\tsso=${app.sso}\t${app.name}\n`);
            }
          },
        };
      case 'app disable-sso': {
        const v = options({ audience: { type: 'string' } });
        if (v.audience !== 'agents' && v.audience !== 'users') return 'app disable-sso needs --audience agents or users';
        const audience = v.audience;
        return {
          async run(s, out) {
            const automatic = await s.apps.automaticApp(audience);
            if (!automatic) {
              out.stdout.write(`no Automatic app for ${audience}\n`);
              return;
            }
            await s.apps.update(automatic.id, { sso: 'disabled' }, { type: 'cli' });
            out.stdout.write(`${automatic.slug} is no longer Automatic; the ${audience} login form is back\n`);
          },
        };
      }
      default:
        return `unknown command: ${argv.join(' ')}`;
    }
  } catch (error) {
    // parseArgs: an unknown option or a missing value.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return (error as Error).message;
    throw error;
  }
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`frontdoor: ${message}\n\n${USAGE}`);
  return 64; // EX_USAGE
}
