import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli.js';
import { sourceWorkerEntry } from './worker.js';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the program in-process with captured streams (fast; for exit codes and messages). */
export async function runCli(
  argv: string[],
  opts: { isTTY?: boolean; stderrIsTTY?: boolean; env?: Record<string, string> } = {},
): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => ((stdout += s), true), isTTY: opts.isTTY ?? false },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: opts.stderrIsTTY ?? false },
    env: opts.env ?? {},
    workerEntry: sourceWorkerEntry(),
  });
  return { code, stdout, stderr };
}

export const BIN = fileURLToPath(new URL('../../bin/focal.js', import.meta.url));

/** Runs the built binary (npm test builds it first), as a user would. */
export function runBin(argv: string[], opts: { env?: Record<string, string>; input?: string } = {}): Result {
  // the output must not depend on the terminal the tests run in (locale, width, colour)
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['FORCE_COLOR', 'LC_ALL', 'LC_CTYPE', 'LANG', 'TERM', 'COLUMNS']) delete env[name];
  Object.assign(env, opts.env);
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', env, input: opts.input ?? '' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses a JSON document from the CLI, turning "Infinity" strings back into numbers. */
export function parseJson<T = any>(text: string): T {
  return JSON.parse(text, (_k, v) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v));
}
