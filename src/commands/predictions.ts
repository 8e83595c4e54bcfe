import { Option, type Command } from 'commander';
import { integerIn, oneOf, outFile } from '../cli/values.js';
import { PICTURE_EXTENSIONS } from '../output/chart/index.js';
import { columnSpec, type ColumnSpec } from '../input/layout.js';
import { INPUT_FORMATS, type InputFormat } from '../input/source.js';
import type { Collector } from '../pipeline/collect/collector.js';
import { PredictionFeed, type PredictionBatch, type PredictionKind } from '../pipeline/collect/predictions.js';
import type { SweepState } from '../pipeline/collect/sweep.js';
import { Pipeline, type PipelineInput } from '../pipeline/run.js';
import { threadsFor } from '../pipeline/threads.js';
import { isUsageError } from '../errors.js';
import type { SampleSettings } from '../pipeline/samples.js';
import { familyOf } from './family.js';
import { inputName, inputSettings, openPipelineInput, readInput } from './read-input.js';
import { PAGE_EXTENSION, type CommandContext } from './shared.js';

/**
 * Reading a file of predictions into collectors, for `sweep` and `calibration`: the file path of
 * `anatomy` (the pipeline: validation, --skip-invalid), whose sample batches fill
 * PredictionBatches for the collectors, without evaluating losses. The sweep runs on worker
 * threads too (its collector is one of the Pipeline's); calibration on one thread.
 */

export interface PredictionInputOptions {
  inputFormat?: InputFormat;
  labels?: string;
  columns?: ColumnSpec;
  skipInvalid?: boolean;
}

export function addPredictionInputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--input-format <f>', `${INPUT_FORMATS.join(', ')} (default: from the name, else guessed)`).argParser(
        oneOf(INPUT_FORMATS, 'an input format'),
      ),
    )
    .option('--labels <file>', 'with --input PREDICTIONS.npy: the .npy file of the labels (the two-file form)')
    .option(
      '--columns <spec>',
      'input columns by role: p=NAME, logit=NAME, pt=NAME, probs=A+B+…, logits=A+B+…, y=NAME',
      columnSpec,
    )
    .option(
      '--skip-invalid',
      'skip rows of a text input (CSV, TSV, NDJSON) that are not valid samples instead of stopping',
    );
}

/** --chart, and --out: the chart as a picture, or the whole report as a page (.html). */
export const chartSizeOptions = (cmd: Command): Command =>
  cmd
    .option('--chart', 'draw the chart in the terminal')
    .option(
      '--out <file>',
      'write the chart to a file: .svg or .png; or the whole report as a page: .html',
      outFile([...PICTURE_EXTENSIONS, PAGE_EXTENSION]),
    )
    .option('--force', 'replace --out if it exists')
    .option(
      '--width <n>',
      'chart width: characters, or pixels in a file (default: the terminal / 800)',
      integerIn(20, 10000),
    )
    .option('--height <n>', 'chart height: lines, or pixels in a file (default 24 / 500)', integerIn(10, 10000));

interface Collected {
  layout: { kind: PredictionKind; names: string[]; classes: number };
  n: number;
  skipped: number;
  name: string;
  format: string;
}

/** The input opened, and the settings its samples are checked by (no loss parameters: the collectors have their own). */
async function openPredictions(
  input: string,
  opts: PredictionInputOptions,
  ctx: CommandContext,
  command: 'sweep' | 'calibration',
): Promise<{ source: PipelineInput; settings: SampleSettings; name: string; format: string }> {
  const source = await openPipelineInput(
    input,
    { inputFormat: opts.inputFormat, labels: opts.labels, skipInvalid: opts.skipInvalid },
    ctx,
  );
  const { name, format } = inputName(source);
  // the raw predictions only: the collectors evaluate what they need (γ, α there are placeholders)
  const settings: SampleSettings = {
    ...inputSettings(command, source, opts),
    gamma: 0,
    alpha: null,
    base: 'e',
    family: familyOf({}),
  };
  return { source, settings, name, format };
}

/** What a report says of the input after the run. */
function collected(pipeline: Pipeline, name: string, format: string): Collected {
  const plan = pipeline.plan!;
  const classes = plan.classes === 0 ? 2 : plan.classes;
  return {
    layout: { kind: plan.kind, names: plan.names, classes },
    n: pipeline.rows,
    skipped: pipeline.skip.skipped,
    name,
    format,
  };
}

/** Streams one input through the collector (and `tee`, which sees every batch too), on one thread; returns its state, the layout and the counts. */
export async function collectPredictions<S>(
  input: string,
  opts: PredictionInputOptions,
  ctx: CommandContext,
  collector: Collector<S, PredictionBatch, unknown>,
  command: 'sweep' | 'calibration',
  tee?: (batch: PredictionBatch) => void,
): Promise<{ state: S } & Collected> {
  const { source, settings, name, format } = await openPredictions(input, opts, ctx, command);
  const state = collector.create();
  const feed = new PredictionFeed((batch) => {
    collector.add(state, batch);
    tee?.(batch);
  });
  // the raw predictions, not their losses: the collectors evaluate what they need
  const pipeline = new Pipeline(settings, { hardLabels: command }, (samples) => feed.add(samples));
  await readInput(source, pipeline, 1, ctx);
  feed.flush();
  return { state, ...collected(pipeline, name, format) };
}

/**
 * The (γ, α) grid's state over one input, on worker threads for a large file (as `loss` and
 * `anatomy`): each worker's sweep state merges exactly, so the report has the bits of one thread.
 */
export async function collectSweep(
  input: string,
  opts: PredictionInputOptions & { threads?: number },
  ctx: CommandContext,
  grid: { gammas: number[]; alphas: (number | null)[] },
): Promise<{ state: SweepState; threads: number } & Collected> {
  const { source, settings, name, format } = await openPredictions(input, opts, ctx, 'sweep');
  let pipeline = new Pipeline(settings, { sweep: grid, hardLabels: 'sweep' });
  let threads: number;
  try {
    threads = await readInput(source, pipeline, opts.threads, ctx);
  } catch (err) {
    // a bad sample found by a worker is numbered within its part: one thread names it as a
    // one-thread run does (the threads never read from the source, so it is still unread)
    if (!isUsageError(err) || threadsFor(source, opts.threads, ctx.workerEntry) === 1) throw err;
    pipeline = new Pipeline(settings, { sweep: grid, hardLabels: 'sweep' });
    threads = await readInput(source, pipeline, 1, ctx);
  }
  return { state: pipeline.sweepState()!, threads, ...collected(pipeline, name, format) };
}
