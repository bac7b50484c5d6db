import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { runCommand } from '../../src/cli/commands.ts';
import { testConfig } from '../helpers/services.ts';

// Every command the CLI offers is in docs/CLI.md, so the reference cannot fall behind.
describe('CLI reference', () => {
  it('documents every command the usage text lists', async () => {
    const stdout = new PassThrough();
    let usage = '';
    stdout.on('data', (chunk) => (usage += chunk));
    await runCommand(['help'], { config: () => testConfig(), stdin: new PassThrough(), stdout, stderr: new PassThrough() });
    const commands = [...usage.matchAll(/^  ([a-z]+(?: [a-z-]+)?)(?= |$)/gm)].map((m) => m[1]!.trim());
    assert.ok(commands.length >= 8, `found the commands in the usage text: ${commands.join(', ')}`);
    const doc = await readFile(new URL('../../docs/CLI.md', import.meta.url), 'utf8');
    for (const command of commands) assert.ok(doc.includes(`\`${command}`), `docs/CLI.md documents "${command}"`);
  });
});
