import { createInterface } from 'node:readline';
import type { CliIo } from './commands.ts';

/**
 * A password from stdin (`--password-stdin`, for scripts: the first line) or typed at a
 * prompt that does not echo it. Never from an argument: those end up in shell history and `ps`.
 */
export async function readPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  if (fromStdin || !io.stdin.isTTY) {
    let data = '';
    for await (const chunk of io.stdin) data += String(chunk);
    const line = data.split(/\r?\n/)[0] ?? '';
    if (!line) throw new Error('no password on standard input');
    return line;
  }
  const prompt = async (question: string): Promise<string> => {
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
    const muted = rl as unknown as { _writeToOutput: (s: string) => void };
    io.stderr.write(question);
    muted._writeToOutput = () => {};
    const answer = await new Promise<string>((resolve) => rl.question('', resolve));
    rl.close();
    io.stderr.write('\n');
    return answer;
  };
  const first = await prompt('Password: ');
  const second = await prompt('Again: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}
