// The molt CLI in the test process (a child process pays seconds of start-up),
// with what it writes to stdout and stderr captured.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../core/cli/main';

export const BUILTIN_PLUGINS = [join(__dirname, '..', '..', 'plugins', 'index.ts')];

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMolt(args: string[], cwd = tmpdir()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += c.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += c.toString()), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(['node', 'molt', ...args], { builtins: BUILTIN_PLUGINS, cwd });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
