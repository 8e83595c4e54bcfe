import { Command, CommanderError } from 'commander';
import type { CommandContext, Register } from './commands/shared.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from './cli/errors.js';
import type { OutputOptionValues } from './cli/options.js';
import { DEFAULT_PRECISION, MAX_TABLE_ROWS } from './output/human.js';
import { render, type Report } from './output/index.js';

declare const FOCAL_VERSION: string | undefined;

const WRITE_BATCH = 1 << 16;

/**
 * The subcommands. Only the one that runs is loaded (a dynamic import, which the bundle keeps
 * unevaluated until needed); the others are named with their summaries for help and
 * suggestions. Loading all six costs ~5 ms of start-up (bench/startup.mjs).
 */
const COMMANDS: { name: string; summary: string; load: () => Promise<Register> }[] = [
  { name: 'compare', summary: 'cross-entropy and focal loss side by side, over a grid of inputs', load: async () => (await import('./commands/compare.js')).registerCompare },
  { name: 'loss', summary: 'the loss of a batch of samples (command line, file or stdin), reduced, with CE beside FL', load: async () => (await import('./commands/loss.js')).registerLoss },
  { name: 'imbalance', summary: 'many easy negatives versus a few hard positives: where the total loss goes', load: async () => (await import('./commands/imbalance.js')).registerImbalance },
  { name: 'plot', summary: "loss curves against p_t, one per γ (the paper's Figure 1), in the terminal or as SVG/PNG", load: async () => (await import('./commands/plot.js')).registerPlot },
  { name: 'prior', summary: "the paper's prior initialisation: the bias, and the start-of-training loss with and without it", load: async () => (await import('./commands/prior.js')).registerPrior },
  { name: 'anatomy', summary: "where the loss of real predictions goes: by class, by p_t bucket, and by hardness (the paper's Figure 4)", load: async () => (await import('./commands/anatomy.js')).registerAnatomy },
  { name: 'explore', summary: 'write the explorer: one offline HTML page with the exact core inside (curves, table, calculators)', load: async () => (await import('./commands/explore.js')).registerExplore },
];

/** Where the program reads its environment and writes its output; tests pass their own. */
export interface Io {
  stdout: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** standard input, looked up only when a command reads it */
  stdin?: () => (NodeJS.ReadableStream & { isTTY?: boolean }) | null;
  env: Readonly<Record<string, string | undefined>>;
  /** resolves when the written output has been taken by the stream (backpressure) */
  drain?: () => Promise<void>;
}

const ROOT_HELP = `
Examples:
  $ focal compare --p 0.9 --gamma 2
  $ focal compare --y 1,0 --p 0.9,0.1 --log-base 10
  $ focal loss --logit 2.5,-1,0.3 --y 1,0,0 --reduction sum
  $ focal imbalance --neg 1000000 --neg-pt 0.99 --pos 10 --pos-pt 0.01 --log-base 10
  $ focal loss --input preds.csv.gz --format json
  $ focal plot --out figure-1.svg
  $ focal prior --pi 0.01
  $ focal anatomy --input preds.csv
  $ focal explore --out explorer.html --open

Tables take --format json|csv|tsv|ndjson for programs; see 'focal <command> --help'.
Exit status: 0 success, 2 bad usage or input, 1 internal error.
`;

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or --no-color; FORCE_COLOR forces it. */
export function useColor(io: Io, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (io.env.TERM === 'dumb') return false;
  return io.stdout.isTTY === true;
}

export async function buildProgram(io: Io, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('focal');
  const ctx: CommandContext = {
    stdin: () => io.stdin?.() ?? null,
    stderr: io.stderr,
    write: (text) => void io.stdout.write(text),
    color: (flag) => useColor(io, flag),
    columns: () => (io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : 80),
    async emit(report: Report, o: OutputOptionValues) {
      const format = o.json ? 'json' : (o.format ?? 'table');
      if (o.json && o.format && o.format !== 'json') {
        throw new UsageError(`--json and --format ${o.format} disagree; give one of them.`);
      }
      if (format === 'table' && (report.rowCount ?? 0) > MAX_TABLE_ROWS) {
        throw new UsageError(`${report.rowCount!.toLocaleString('en-US')} rows are too many for a table (at most ${MAX_TABLE_ROWS.toLocaleString('en-US')}); use --format csv, tsv, ndjson or json, which stream.`);
      }
      const chunks = await render(report, { format, precision: o.precision ?? DEFAULT_PRECISION, color: useColor(io, o.color) });
      // Rows are small: gather them into writes of ~64 KiB, and wait when the pipe is full.
      let pending = '';
      for await (const chunk of chunks) {
        pending += chunk;
        if (pending.length >= WRITE_BATCH) {
          if (io.stdout.write(pending) === false && io.drain) await io.drain();
          pending = '';
        }
      }
      if (pending) io.stdout.write(pending);
    },
  };
  program
    .description('Focal loss versus cross-entropy: exact numbers, side by side.')
    .version(typeof FOCAL_VERSION === 'string' ? FOCAL_VERSION : '0.0.0-dev', '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', ROOT_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's usage errors: one line, prefixed with the program name.
      outputError: (s, write) => write(`focal: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .exitOverride();
  // the subcommand asked for (`focal help X` asks for X)
  const words = argv.filter((a) => !a.startsWith('-'));
  const wanted = new Set(words[0] === 'help' ? words.slice(0, 2) : words.slice(0, 1));
  for (const entry of COMMANDS) {
    if (wanted.has(entry.name)) (await entry.load())(program, ctx);
    else program.command(entry.name);
    program.commands[program.commands.length - 1]!.summary(entry.summary);
  }
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI and returns the exit status; never throws. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const program = await buildProgram(io, argv);
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT_USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version end here too, with exit code 0
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`focal: error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`focal: internal error: ${message}\n`);
    if (io.env.FOCAL_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_INTERNAL;
  }
}
