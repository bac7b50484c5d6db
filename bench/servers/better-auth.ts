import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';

// The peer: better-auth with email and password, configured as its documentation's
// installation guide shows (PostgreSQL through a pg Pool, its own schema migrated with its
// own migration code, default password hashing and session settings). Telemetry off: this
// machine reaches no network.
const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;
const options = {
  baseURL,
  secret: 'bench-secret-bench-secret-bench-secret-0123456789',
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }),
  emailAndPassword: { enabled: true },
  telemetry: { enabled: false },
  // The benchmark signs one person in many times from one address: its limiter would
  // measure refusals, not sign-ins (Frontdoor's throttle only counts failures).
  rateLimit: { enabled: false },
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const handler = toNodeHandler(auth);
const server = createServer((request, response) => {
  if (request.url === '/') return void response.writeHead(200).end('ok');
  void handler(request, response);
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
