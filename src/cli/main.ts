import { loadConfig } from '../config.ts';
import { runCommand } from './commands.ts';

// `frontdoor <command>`: the process entry point; everything else is in commands.ts so
// tests can run commands in-process with their own database and streams.
try {
  const code = await runCommand(process.argv.slice(2), {
    config: () => loadConfig(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if (code !== undefined) process.exitCode = code;
} catch (error) {
  process.stderr.write(`frontdoor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
