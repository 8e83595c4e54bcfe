import { Command, CommanderError } from 'commander';
import type { CommandContext, Register } from './commands/shared.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, isUsageError, UsageError } from './cli/errors.js';
import { outputFormat, refuseRepeats, type OutputOptionValues } from './cli/options.js';
import { DEFAULT_PRECISION, MAX_TABLE_ROWS } from './output/human.js';
import { render, type Report } from './output/index.js';
import { writeChunks } from './output/write.js';
import { plainOutput, plainText } from './output/plain.js';

declare const FOCAL_VERSION: string | undefined;

/**
 * The subcommands. Only the one that runs is loaded (a dynamic import, which the bundle keeps
 * unevaluated until needed); the others are named with their summaries for help and
 * suggestions. Loading all six costs ~5 ms of start-up (bench/startup.mjs). `completion` and
 * `man` describe the whole program, so they load every command (`all`).
 */
const COMMANDS: { name: string; summary: string; load: () => Promise<Register>; all?: boolean }[] = [
  {
    name: 'compare',
    summary: 'CE and FL side by side, over a grid of inputs',
    load: async () => (await import('./commands/compare.js')).registerCompare,
  },
  {
    name: 'loss',
    summary: 'a batch of samples (arguments, file or stdin), reduced',
    load: async () => (await import('./commands/loss.js')).registerLoss,
  },
  {
    name: 'imbalance',
    summary: 'many easy negatives versus a few hard positives',
    load: async () => (await import('./commands/imbalance.js')).registerImbalance,
  },
  {
    name: 'plot',
    summary: "loss curves against p_t (the paper's Figure 1)",
    load: async () => (await import('./commands/plot.js')).registerPlot,
  },
  {
    name: 'prior',
    summary: "the prior initialisation's bias and first loss",
    load: async () => (await import('./commands/prior.js')).registerPrior,
  },
  {
    name: 'anatomy',
    summary: 'where the loss of real predictions goes',
    load: async () => (await import('./commands/anatomy.js')).registerAnatomy,
  },
  {
    name: 'sweep',
    summary: 'a (γ, α) grid over predictions in one pass; α* per γ',
    load: async () => (await import('./commands/sweep.js')).registerSweep,
  },
  {
    name: 'calibration',
    summary: 'ECE, MCE, Brier, NLL, temperature: models side by side',
    load: async () => (await import('./commands/calibration.js')).registerCalibration,
  },
  {
    name: 'stability',
    summary: "where a framework's float32/16 loss and gradient break",
    load: async () => (await import('./commands/stability.js')).registerStability,
  },
  {
    name: 'explore',
    summary: 'the interactive page: one offline HTML file',
    load: async () => (await import('./commands/explore.js')).registerExplore,
  },
  {
    name: 'merge',
    summary: "merge 'loss --partial' shards into one report, bit for bit",
    load: async () => (await import('./commands/merge.js')).registerMerge,
  },
  {
    name: 'completion',
    summary: 'a completion script for bash, zsh or fish',
    load: async () => (await import('./commands/completion.js')).registerCompletion,
    all: true,
  },
  {
    name: 'man',
    summary: 'the manual page, in roff',
    load: async () => (await import('./commands/man.js')).registerMan,
    all: true,
  },
];

/** What `focal` alone prints: what it is, the commands, where to go next (at most 15 lines). */
function shortUsage(): string {
  const main = COMMANDS.filter((c) => !c.all);
  const width = Math.max(...main.map((c) => c.name.length));
  return (
    [
      'focal: focal loss versus cross-entropy, exact numbers side by side.',
      'Usage: focal <command> [options]',
      ...main.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      'Try:  focal compare --p 0.9 --gamma 2',
      `Help: focal <command> --help, focal --help for examples; also: ${COMMANDS.filter((c) => c.all)
        .map((c) => c.name)
        .join(', ')}`,
    ].join('\n') + '\n'
  );
}

/** Where the program reads its environment and writes its output; tests pass their own. */
export interface Io {
  stdout: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** standard input, looked up only when a command reads it */
  stdin?: () => (NodeJS.ReadableStream & { isTTY?: boolean }) | null;
  env: Readonly<Record<string, string | undefined>>;
  /** resolves when the written output has been taken by the stream (backpressure) */
  drain?: () => Promise<void>;
  /** the module worker threads run (dist/pipeline-worker.cjs); without it, inputs are read on one thread */
  workerEntry?: string | URL;
}

const ROOT_HELP = `
Examples:
  $ focal compare --p 0.9 --gamma 2
  $ focal compare --y 1,0 --p 0.9,0.1 --log-base 10
  $ focal loss --logit 2.5,-1,0.3 --y 1,0,0 --reduction sum
  $ focal imbalance --neg 1000000 --neg-pt 0.99 --pos 10 --pos-pt 0.01 --log-base 10
  $ focal loss --input examples/preds.csv.gz --format json
  $ focal plot --out figure-1.svg
  $ focal prior --pi 0.01
  $ focal anatomy --input examples/dets.tsv --columns p=score,y=label
  $ focal explore --out explorer.html --open

Tables take --format json|csv|tsv|ndjson for programs; see 'focal <command> --help'.
examples/ in the checkout holds the files these read; docs/ has the full reference.
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

/** The width to draw for: COLUMNS when set (as ls and man honour it), else the terminal's, else 80. */
export function terminalColumns(io: Io): number {
  const fromEnv = Number(io.env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : 80;
}

export async function buildProgram(io: Io, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('focal');
  const plain = plainOutput(io.env);
  const ctx: CommandContext = {
    stdin: () => io.stdin?.() ?? null,
    stderr: io.stderr,
    workerEntry: io.workerEntry ?? null,
    write: (text) => void io.stdout.write(plain ? plainText(text) : text),
    color: (flag) => useColor(io, flag),
    columns: () => terminalColumns(io),
    async emit(report: Report, o: OutputOptionValues) {
      const format = outputFormat(o, 'table');
      if (format === 'table' && (report.rowCount ?? 0) > MAX_TABLE_ROWS) {
        throw new UsageError(
          `${report.rowCount!.toLocaleString('en-US')} rows are too many for a table (at most ${MAX_TABLE_ROWS.toLocaleString('en-US')}); use --format csv, tsv, ndjson or json, which stream.`,
        );
      }
      await writeChunks(
        await render(report, {
          format,
          precision: o.precision ?? DEFAULT_PRECISION,
          color: useColor(io, o.color),
          plain,
        }),
        io.stdout,
        io.drain,
      );
    },
  };
  program
    .description('Focal loss versus cross-entropy: exact numbers, side by side.')
    .version(typeof FOCAL_VERSION === 'string' ? FOCAL_VERSION : '0.0.0-dev', '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', ROOT_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(plain ? plainText(s) : s),
      getOutHelpWidth: () => terminalColumns(io),
      writeErr: (s) => io.stderr.write(s),
      // Commander's usage errors: one line, prefixed with the program name.
      outputError: (s, write) => write(`focal: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .exitOverride();
  // ASCII help too: styled before the columns are measured, so the options stay aligned
  const helpStyle = plain
    ? {
        styleDescriptionText: plainText,
        styleOptionText: plainText,
        styleArgumentText: plainText,
        styleSubcommandText: plainText,
        styleCommandText: plainText,
      }
    : {};
  program.configureHelp(helpStyle);
  // the subcommand asked for (`focal help X` asks for X)
  const words = argv.filter((a) => !a.startsWith('-'));
  const wanted = new Set(words[0] === 'help' ? words.slice(0, 2) : words.slice(0, 1));
  const all = COMMANDS.some((entry) => entry.all && wanted.has(entry.name));
  for (const entry of COMMANDS) {
    if (all || wanted.has(entry.name)) (await entry.load())(program, ctx);
    else program.command(entry.name);
    program.commands[program.commands.length - 1]!.summary(entry.summary);
  }
  for (const cmd of program.commands)
    refuseRepeats(cmd.exitOverride().configureOutput(program.configureOutput()).configureHelp(helpStyle));
  return program;
}

/** Runs the CLI and returns the exit status; never throws. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const program = await buildProgram(io, argv);
    if (argv.length === 0) {
      // asking for nothing is not an error: a short usage on stdout, status 0
      io.stdout.write(plainOutput(io.env) ? plainText(shortUsage()) : shortUsage());
      return EXIT_OK;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version end here too, with exit code 0
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isUsageError(err)) {
      io.stderr.write(`focal: error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`focal: internal error: ${message}\n`);
    if (io.env.FOCAL_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_INTERNAL;
  }
}
