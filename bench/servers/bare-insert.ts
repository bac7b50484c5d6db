import { createServer } from 'node:http';
import pg from 'pg';

// The JWT sign-in's floor (issue 20, part 4): a bare node:http server that INSERTs one row per
// request into the same PostgreSQL database, through a plain `pg` pool, and answers. No
// Frontdoor code. Counted like the sign-in: per CPU-second of this process and of the
// database's server processes together.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// The bench drops the scratch database at the end, which ends these connections.
pool.on('error', () => {});
await pool.query('CREATE TABLE IF NOT EXISTS bench_floor_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), body text NOT NULL)');
const server = createServer((request, response) => {
  if (request.method !== 'POST') {
    // The readiness probe: answered without a row.
    response.writeHead(200, { 'content-length': 0 });
    response.end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    pool.query('INSERT INTO bench_floor_rows (body) VALUES ($1)', [Buffer.concat(chunks).toString()]).then(
      () => {
        response.writeHead(303, { location: '/', 'content-length': 0 });
        response.end();
      },
      () => {
        response.writeHead(500, { 'content-length': 0 });
        response.end();
      },
    );
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
