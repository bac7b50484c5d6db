import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** An admin API key made with the CLI, before the server opens the (embedded) database. */
export async function createApiKey(env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['src/cli/main.ts', 'apikey', 'create', '--name', 'bench'], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
  return stdout.trim();
}

export async function adminApi(baseUrl: string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
