import { UsageError } from '../errors.js';
import { Option, type Command } from 'commander';
import { integerIn, oneOf, outFile } from '../cli/values.js';
import { PICTURE_EXTENSIONS } from '../output/chart/index.js';
import { Progress } from '../cli/progress.js';
import { columnSpec, type ColumnSpec, type Layout } from '../input/layout.js';
import { INPUT_FORMATS, openInput, type InputFormat } from '../input/source.js';
import type { Collector } from '../pipeline/collect/collector.js';
import { PredictionBatcher, type PredictionBatch } from '../pipeline/collect/predictions.js';
import { familyOf } from './family.js';
import { noteSkipped, runSingle, type InputOutcome } from './loss-run.js';
import { PAGE_EXTENSION, type CommandContext } from './shared.js';

/**
 * Reading a file of predictions into collectors, for `sweep` and `calibration`: the file path of
 * `anatomy` (runSingle and its SampleSink: every format, validation, --skip-invalid), whose
 * sample callback fills PredictionBatches for the collectors. One thread.
 */

export interface PredictionInputOptions {
  inputFormat?: InputFormat;
  columns?: ColumnSpec;
  skipInvalid?: boolean;
}

export function addPredictionInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--input-format <f>', `${INPUT_FORMATS.join(', ')} (default: from the name, else guessed)`).argParser(oneOf(INPUT_FORMATS, 'an input format')))
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

/** Streams one input through the collectors; returns their states, the layout and the outcome. */
export async function collectPredictions<S>(
  input: string,
  opts: PredictionInputOptions,
  ctx: CommandContext,
  collector: Collector<S, PredictionBatch, unknown>,
  command: 'sweep' | 'calibration',
  tee?: (batch: PredictionBatch) => void,
): Promise<{ state: S; layout: Layout; outcome: InputOutcome; name: string; format: string }> {
  const source = await openInput(input, { format: opts.inputFormat, stdin: input === '-' ? ctx.stdin() : null });
  if (source.columnar) throw new UsageError(`${source.name} is ${source.format}: ${command} reads CSV, TSV and NDJSON for now (loss and anatomy read it).`);
  const progress = Progress.for(ctx.stderr, source.size);
  const state = collector.create();
  let batcher: PredictionBatcher | null = null;
  const settings = { command, source: source.name, columns: opts.columns ?? {}, gamma: 0, alpha: null, base: 'e' as const, skipInvalid: opts.skipInvalid ?? false, family: familyOf({}) };
  const outcome = await runSingle(
    source,
    settings,
    (_r, _index, values, layout) => {
      if (!batcher) {
        const width = layout.kind === 'probs' || layout.kind === 'logits' ? layout.classes : 1;
        batcher = new PredictionBatcher(layout.kind, width, (batch) => {
          collector.add(state, batch);
          tee?.(batch);
        });
      }
      batcher.push(values, values[batcher.width]!);
    },
    (samples) => progress?.update(source.bytesRead(), samples),
  );
  (batcher as PredictionBatcher | null)?.flush();
  progress?.done();
  noteSkipped(ctx, source, outcome);
  return { state, layout: outcome.sink.layout!, outcome, name: source.name, format: source.format };
}
