import { createServer } from 'node:http';

// The floor: the fastest answer this machine's Node.js gives over loopback, no framework,
// no database. Every HTTP scenario is reported as a ratio to it, measured in the same run.
const body = JSON.stringify({ ok: true });
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
