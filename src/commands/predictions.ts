import { Option, type Command } from 'commander';
import { integerIn, oneOf, outFile } from '../cli/values.js';
import { PICTURE_EXTENSIONS } from '../output/chart/index.js';
import { columnSpec, type ColumnSpec } from '../input/layout.js';
import { INPUT_FORMATS, type InputFormat } from '../input/source.js';
import type { Collector } from '../pipeline/collect/collector.js';
import { PredictionBatcher, type PredictionBatch, type PredictionKind } from '../pipeline/collect/predictions.js';
import { arrayName } from '../pipeline/open.js';
import { Pipeline } from '../pipeline/run.js';
import type { SampleSettings } from '../pipeline/samples.js';
import { familyOf } from './family.js';
import { openPipelineInput, readInput } from './read-input.js';
import { PAGE_EXTENSION, type CommandContext } from './shared.js';

/**
 * Reading a file of predictions into collectors, for `sweep` and `calibration`: the file path of
 * `anatomy` (the pipeline: validation, --skip-invalid), whose sample batches fill
 * PredictionBatches for the collectors, without evaluating losses. One thread.
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
    .option('--skip-invalid', 'skip rows of a text input (CSV, TSV, NDJSON) that are not valid samples instead of stopping');
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
): Promise<{ state: S; layout: { kind: PredictionKind; names: string[]; classes: number }; n: number; skipped: number; name: string; format: string }> {
  const source = await openPipelineInput(input, { inputFormat: opts.inputFormat, labels: opts.labels, skipInvalid: opts.skipInvalid }, ctx);
  const state = collector.create();
  const take = (batch: PredictionBatch) => {
    collector.add(state, batch);
    tee?.(batch);
  };
  let batcher: PredictionBatcher | null = null;
  const name = source.kind === 'text' ? source.source.name : source.file.name;
  const settings: SampleSettings = { command, source: name, columns: opts.columns ?? {}, gamma: 0, alpha: null, base: 'e', skipInvalid: opts.skipInvalid ?? false, family: familyOf({}), labelsArray: source.kind === 'columnar' && source.labels ? arrayName(source.labels.name) : null };
  // the raw predictions, not their losses: the collectors evaluate what they need
  const pipeline = new Pipeline(
    settings,
    {},
    (samples) => {
      // no --activation here: a binary prediction or a softmax vector
      if (samples.shape === 'sigmoid') throw new Error('unreachable: sigmoid rows without --activation');
      const width = samples.shape === 'binary' ? 1 : samples.classes;
      batcher ??= new PredictionBatcher(samples.input, width, take);
      const values = samples.shape === 'binary' ? samples.value : samples.scores;
      const labels = samples.shape === 'binary' ? samples.label : samples.target;
      for (let r = 0; r < samples.rows; r++) batcher.push(values.subarray(r * width, (r + 1) * width), labels[r]!);
    },
    false,
  );
  await readInput(source, pipeline, 1, ctx);
  (batcher as PredictionBatcher | null)?.flush();
  const plan = pipeline.plan!;
  const classes = plan.classes === 0 ? 2 : plan.classes;
  return { state, layout: { kind: plan.kind, names: plan.names, classes }, n: pipeline.rows, skipped: pipeline.skip.skipped, name, format: source.kind === 'text' ? source.source.format : source.file.format };
}
