import { UsageError } from '../errors.js';
import { Option, type Command } from 'commander';
import { integerIn, oneOf, outFile } from '../cli/values.js';
import { PICTURE_EXTENSIONS } from '../output/chart/index.js';
import { Progress } from '../cli/progress.js';
import { columnSpec, type ColumnSpec, type Layout } from '../input/layout.js';
import { INPUT_FORMATS, openInput, type InputFormat } from '../input/source.js';
import { arrayName, type ColumnarFile } from '../pipeline/open.js';
import { DEFAULT_IGNORE_LABEL } from '../pipeline/layout.js';
import { sampleBatches } from '../pipeline/run.js';
import { columnarPlan } from './loss-input.js';
import type { Collector } from '../pipeline/collect/collector.js';
import { PredictionBatcher, type PredictionBatch } from '../pipeline/collect/predictions.js';
import { familyOf } from './family.js';
import { noteSkipped, runSingle } from './loss-run.js';
import { PAGE_EXTENSION, type CommandContext } from './shared.js';

/**
 * Reading a file of predictions into collectors, for `sweep` and `calibration`: the file path of
 * `anatomy`: text through runSingle and its SampleSink (validation, --skip-invalid), whose sample
 * callback fills PredictionBatches for the collectors; .npy/.npz/Parquet/Arrow through the
 * pipeline's decoders. One thread.
 */

export interface PredictionInputOptions {
  inputFormat?: InputFormat;
  labels?: string;
  columns?: ColumnSpec;
  skipInvalid?: boolean;
}

export function addPredictionInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--input-format <f>', `${INPUT_FORMATS.join(', ')} (default: from the name, else guessed)`).argParser(oneOf(INPUT_FORMATS, 'an input format')))
    .option('--labels <file>', 'with --input PREDICTIONS.npy: the .npy file of the labels (the two-file form)')
    .option('--columns <spec>', 'input columns by role: p=NAME, logit=NAME, pt=NAME, probs=A+B+…, logits=A+B+…, y=NAME', columnSpec)
    .option('--skip-invalid', 'skip rows that are not valid samples instead of stopping');
}

/** --chart, and --out: the chart as a picture, or the whole report as a page (.html). */
export const chartSizeOptions = (cmd: Command): Command =>
  cmd
    .option('--chart', 'draw the chart in the terminal')
    .option('--out <file>', 'write the chart to a file: .svg or .png; or the whole report as a page: .html', outFile([...PICTURE_EXTENSIONS, PAGE_EXTENSION]))
    .option('--force', 'replace --out if it exists')
    .option('--width <n>', 'chart width: characters, or pixels in a file (default: the terminal / 800)', integerIn(20, 10000))
    .option('--height <n>', 'chart height: lines, or pixels in a file (default 24 / 500)', integerIn(10, 10000));

/** Streams one input through the collector (and `tee`, which sees every batch too); returns its state, the layout and the counts. */
export async function collectPredictions<S>(
  input: string,
  opts: PredictionInputOptions,
  ctx: CommandContext,
  collector: Collector<S, PredictionBatch, unknown>,
  command: 'sweep' | 'calibration',
  tee?: (batch: PredictionBatch) => void,
): Promise<{ state: S; layout: Layout; n: number; skipped: number; name: string; format: string }> {
  const source = await openInput(input, { format: opts.inputFormat, stdin: input === '-' ? ctx.stdin() : null });
  const state = collector.create();
  const take = (batch: PredictionBatch) => {
    collector.add(state, batch);
    tee?.(batch);
  };
  if (source.columnar) return { state, ...(await columnarPredictions(source, opts, ctx, take)), name: source.name, format: source.format };
  if (opts.labels !== undefined) throw new UsageError(`option '--labels' is for a second .npy file beside an .npy of predictions; ${source.name} is ${source.format.toUpperCase()} text.`);
  const progress = Progress.for(ctx.stderr, source.size);
  let batcher: PredictionBatcher | null = null;
  const settings = { command, source: source.name, columns: opts.columns ?? {}, gamma: 0, alpha: null, base: 'e' as const, skipInvalid: opts.skipInvalid ?? false, family: familyOf({}) };
  const outcome = await runSingle(
    source,
    settings,
    (_r, _index, values, layout) => {
      if (!batcher) {
        const width = layout.kind === 'probs' || layout.kind === 'logits' ? layout.classes : 1;
        batcher = new PredictionBatcher(layout.kind, width, take);
      }
      batcher.push(values, values[batcher.width]!);
    },
    (samples) => progress?.update(source.bytesRead(), samples),
  );
  (batcher as PredictionBatcher | null)?.flush();
  progress?.done();
  noteSkipped(ctx, source, outcome);
  return { state, layout: outcome.sink.layout!, n: outcome.n, skipped: outcome.skipped, name: source.name, format: source.format };
}

/**
 * A .npy (with --labels: the two-file form), .npz, Parquet or Arrow input through the pipeline's
 * decoders and layout checks (pipeline/run.ts, as `loss` and `anatomy` read them), as prediction
 * batches. The columns are found as in those commands (p, logit, pt, probs, logits, p_0 …; y,
 * label, target …) or named with --columns.
 */
async function columnarPredictions(source: ColumnarFile, opts: PredictionInputOptions, ctx: CommandContext, take: (batch: PredictionBatch) => void): Promise<{ layout: Layout; n: number; skipped: number }> {
  if (opts.skipInvalid) throw new UsageError(`option '--skip-invalid' is for text input; a bad value in ${source.name} stops the run.`);
  let labels: ColumnarFile | null = null;
  if (opts.labels !== undefined) {
    const opened = await openInput(opts.labels, { stdin: opts.labels === '-' ? ctx.stdin() : null });
    if (!opened.columnar || opened.format !== 'npy') throw new UsageError(`option '--labels' ${JSON.stringify(opts.labels)}: the two-file form takes an .npy file of labels beside an .npy file of predictions.`);
    labels = opened;
  }
  const plan = columnarPlan({ source: source.name, columns: opts.columns ?? {}, activation: undefined, ignoreLabel: DEFAULT_IGNORE_LABEL, labelsArray: labels ? arrayName(labels.name) : null });
  let names: string[] = [];
  let layout: Layout | null = null;
  let n = 0;
  for await (const b of sampleBatches(source, labels, (available) => {
    const p = plan(available);
    names = [...(p.vector ?? [p.layout.prediction]), p.layout.shape === 'binary' ? p.layout.label : p.layout.target];
    return p;
  })) {
    // no --activation here: a binary prediction or a softmax vector (the text path's kinds)
    if (b.shape === 'sigmoid') throw new Error('unreachable: sigmoid rows without --activation');
    const [kind, width, values, targets] = b.shape === 'binary' ? [b.input, 1, b.value, b.label] : [b.input, b.classes, b.scores, b.target];
    layout ??= { kind, names: b.shape === 'binary' || names.length > 2 ? names : [...Array.from({ length: width }, (_, j) => `${names[0]}[${j}]`), names[1]!], classes: b.shape === 'binary' ? 2 : width };
    take({ kind, width, count: b.rows, values: Float64Array.from(values), labels: Float64Array.from(targets), first: b.rowStart });
    n += b.rows;
  }
  if (!layout) throw new UsageError(`${source.name}: no rows; nothing to measure.`);
  return { layout, n, skipped: 0 };
}
