import { UsageError } from '../errors.js';
import { Progress } from '../cli/progress.js';
import { openInput, type InputFormat } from '../input/source.js';
import type { ColumnSpec } from '../input/layout.js';
import { arrayName } from '../pipeline/open.js';
import { DEFAULT_IGNORE_LABEL, type Activation, type SkipLog } from '../pipeline/layout.js';
import { runSingle, type Pipeline, type PipelineInput } from '../pipeline/run.js';
import { runThreads, threadsFor } from '../pipeline/threads.js';
import type { SampleSettings } from '../pipeline/samples.js';
import type { CommandContext } from './shared.js';

/**
 * The few things every command that reads predictions does around the pipeline: where the
 * input is, opening it (and a second .npy of labels), how many threads, the progress line, and
 * the notes after the run (rows skipped, an empty input).
 */

/**
 * Where samples come from when a command reads input: --input, else stdin when it is a pipe
 * (and the command was given no samples), else nowhere (undefined).
 */
export function inputPath(input: string | undefined, samplesGiven: boolean, ctx: CommandContext): string | undefined {
  if (input !== undefined || samplesGiven) return input;
  const stdin = ctx.stdin();
  return stdin && !stdin.isTTY ? '-' : undefined;
}

/** Where else the samples could come from, said when stdin turned out empty. */
const EMPTY_STDIN_HINT: Record<SampleSettings['command'], string> = {
  loss: 'give samples with --p/--logit/--pt and --y, or --input FILE',
  anatomy: 'give --input FILE, or pipe in a CSV, TSV or NDJSON file',
  sweep: 'give --input FILE, or pipe in a CSV, TSV or NDJSON file',
  calibration: 'give --input FILE, or pipe in a CSV, TSV or NDJSON file',
};

/** No sample to answer for: an empty input, or every row skipped as invalid. */
export function emptyInput(name: string, command: SampleSettings['command'], skipped = 0): UsageError {
  if (skipped > 0)
    return new UsageError(`${name}: no valid rows (all ${skipped} skipped as invalid); nothing to reduce.`);
  const hint = name === 'stdin' ? `; ${EMPTY_STDIN_HINT[command]}` : '';
  return new UsageError(`${name}: the input has no data rows (only a header, or nothing at all)${hint}.`);
}

/**
 * The note on stderr after rows were skipped with --skip-invalid (nothing when none were): how
 * many, and the first few with the reason each was skipped.
 */
export function noteSkipped(ctx: CommandContext, name: string, skip: SkipLog): void {
  if (skip.skipped === 0) return;
  const rows = skip.rows.map((r) => `  line ${r.line}: ${r.detail}\n`).join('');
  const more = skip.skipped > skip.rows.length ? `  … and ${skip.skipped - skip.rows.length} more\n` : '';
  ctx.stderr.write(
    `focal: skipped ${skip.skipped} invalid row${skip.skipped === 1 ? '' : 's'} of ${name}:\n${rows}${more}`,
  );
}

export interface InputOptionValues {
  inputFormat?: InputFormat;
  labels?: string;
  skipInvalid?: boolean;
}

/** Opens --input (and --labels, the two-file form of .npy) as the pipeline reads them. */
export async function openPipelineInput(
  path: string,
  opts: InputOptionValues,
  ctx: CommandContext,
): Promise<PipelineInput> {
  const opened = await openInput(path, { format: opts.inputFormat, stdin: path === '-' ? ctx.stdin() : null });
  if (!opened.columnar) {
    if (opts.labels !== undefined)
      throw new UsageError(
        `option '--labels' is for a second .npy file beside an .npy of predictions; ${opened.name} is ${opened.format.toUpperCase()} text.`,
      );
    return { kind: 'text', source: opened };
  }
  const what = `${opened.name} is ${opened.format === 'npy' ? '.npy' : opened.format === 'npz' ? '.npz' : opened.format === 'parquet' ? 'Parquet' : 'Arrow'}`;
  if (opts.skipInvalid)
    throw new UsageError(`option '--skip-invalid' is for text input; ${what}, and a bad value in it stops the run.`);
  let labels = null;
  if (opts.labels !== undefined) {
    const second = await openInput(opts.labels, { stdin: opts.labels === '-' ? ctx.stdin() : null });
    if (!second.columnar || second.format !== 'npy')
      throw new UsageError(
        `option '--labels' ${JSON.stringify(opts.labels)}: the two-file form takes an .npy file of labels beside an .npy file of predictions.`,
      );
    labels = second;
  }
  return { kind: 'columnar', file: opened, labels, size: opened.size };
}

/** The input's name and format, as reports show them. */
export function inputName(input: PipelineInput): { name: string; format: string; inputs: string[] } {
  if (input.kind === 'text')
    return { name: input.source.name, format: input.source.format, inputs: [input.source.name] };
  const inputs = input.labels ? [input.file.name, input.labels.name] : [input.file.name];
  return { name: input.file.name, format: input.file.format, inputs };
}

/**
 * Runs the whole input through `pipeline`, on worker threads when the input is a large file
 * (or --threads says so), with a progress line on a terminal; then the note of skipped rows.
 * @returns the number of threads used
 */
export async function readInput(
  input: PipelineInput,
  pipeline: Pipeline,
  requestedThreads: number | undefined,
  ctx: CommandContext,
): Promise<number> {
  const { name } = inputName(input);
  const size = input.kind === 'text' ? input.source.size : input.size;
  const threads = threadsFor(input, requestedThreads, ctx.workerEntry);
  const progress = Progress.for(ctx.stderr, size);
  const update = progress
    ? (bytes: number, rows: number) =>
        progress.update(input.kind === 'text' && threads === 1 ? input.source.bytesRead() : bytes, rows)
    : null;
  if (threads > 1) await runThreads(input, pipeline, threads, ctx.workerEntry!, update);
  else await runSingle(input, pipeline, update);
  progress?.done();
  if (pipeline.rows === 0) throw emptyInput(name, pipeline.settings.command, pipeline.skip.skipped);
  noteSkipped(ctx, name, pipeline.skip);
  return threads;
}

/** The input options every command that reads predictions turns into pipeline settings alike. */
export interface SampleInputOptions {
  columns?: ColumnSpec;
  activation?: Activation;
  ignoreLabel?: number;
  skipInvalid?: boolean;
}

/** The pipeline settings that come from the opened input and its options (the rest is the command's: γ, α, base, family). */
export function inputSettings(
  command: SampleSettings['command'],
  input: PipelineInput,
  opts: SampleInputOptions,
): Pick<
  SampleSettings,
  'command' | 'source' | 'columns' | 'activation' | 'ignoreLabel' | 'labelsArray' | 'skipInvalid'
> {
  return {
    command,
    source: inputName(input).name,
    columns: opts.columns ?? {},
    activation: opts.activation,
    ignoreLabel: opts.ignoreLabel ?? DEFAULT_IGNORE_LABEL,
    // the array of --labels FILE.npy is the label, whatever it is called
    labelsArray: input.kind === 'columnar' && input.labels ? arrayName(input.labels.name) : null,
    skipInvalid: opts.skipInvalid ?? false,
  };
}
