import type { Command } from 'commander';
import { addOutputOptions, type OutputOptionValues } from '../cli/options.js';
import { UsageError } from '../errors.js';
import type { Report } from '../output/index.js';
import {
  CalibrationSpool,
  calibrationCollector,
  calibrationReport,
  isCalibrationState,
  type CalibrationResult,
  type CalibrationState,
} from '../pipeline/collect/calibration.js';
import { appendSamples, samplesDescriptor } from '../pipeline/collect/calibration-samples.js';
import { sweepCollector, type SweepState } from '../pipeline/collect/sweep.js';
import { mergePartials, type PartialFile } from '../pipeline/state.js';
import { calibrationReportOf } from './calibration.js';
import { mergeRead, readPartialFiles, type ReadPartial } from './loss-partial.js';
import type { CommandContext } from './shared.js';
import { sweepReport } from './sweep.js';

const MERGE_EXAMPLES = `
Each shard is run on its own (any machine, any input format):
  $ focal loss --input examples/formats/binary.parquet --partial part-0.json
  $ focal loss --input examples/preds.csv --partial part-1.json
then merged; the report is the one a single run over all the rows prints, bit for bit:
  $ focal merge examples/partials/part-*.json
  $ cat examples/partials/part-*.json | focal merge - --json
The shards must agree on every parameter (γ, α, log base, reduction, input kind …).
anatomy, sweep and calibration shards merge the same way (their --partial; a calibration partial
keeps its samples in FILE.samples beside it, for AdaECE and T: keep the two together):
  $ focal anatomy --input examples/preds.csv --partial anatomy-0.json
  $ focal sweep --input examples/model-ce.csv --gamma 0:5:0.5 --partial sweep-0.json
  $ focal calibration --input examples/model-ce.csv --partial calibration-0.json
`;

export function registerMerge(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('merge')
    .description(
      "Merges the partial files of 'focal loss', 'anatomy', 'sweep' or 'calibration' --partial into the report of all their data.",
    )
    .argument('<files...>', 'partial files, or - for standard input (one or several documents)');
  addOutputOptions(cmd);
  cmd.addHelpText('after', MERGE_EXAMPLES);
  cmd.action(async (files: string[], opts: OutputOptionValues) =>
    ctx.emit(await mergedReport(await readPartialFiles(files, ctx), opts), opts),
  );
}

type Read = ReadPartial[];

/**
 * The calibration of merged shards: their states merged, and their samples (calibration-samples.ts)
 * refilled into one spool for AdaECE, T and the report at T — the report of one run, bit for bit.
 */
function mergedCalibration(read: Read, bins: number): CalibrationResult {
  const collector = calibrationCollector(bins);
  const states = read.map(({ name, partial }) => {
    const entry = partial.collectors.calibration;
    // checked against its own file's bins: other bins than the first file's are a disagreement of
    // parameters, which mergePartials names; another kind or version, mergePartials says so too
    const own = typeof partial.params.bins === 'number' ? partial.params.bins : bins;
    if (entry?.version === collector.version && !isCalibrationState(entry.state, own))
      throw new UsageError(
        `${name}: its calibration state is damaged (not the layout of version ${collector.version} with ${own} bins)`,
      );
    return entry?.state as (CalibrationState & { samples?: unknown }) | undefined;
  });
  const state = mergePartials(read, [collector as never]).states.get('calibration') as CalibrationState;
  const spool = new CalibrationSpool();
  try {
    read.forEach(({ name, path }, k) => {
      const s = states[k]!;
      appendSamples(samplesDescriptor(s.samples, name, s.n, s.width), path ?? null, name, spool);
    });
    return calibrationReport(state, spool);
  } finally {
    spool.close();
  }
}

/** The rows a shard's --skip-invalid left out, from its informational source (0 when not given). */
function skippedOf(source: PartialFile['source']): number {
  const skipped = source?.skipped;
  return typeof skipped === 'number' && Number.isSafeInteger(skipped) && skipped >= 0 ? skipped : 0;
}

/** The report of parsed partial files, by the command that wrote the first. */
async function mergedReport(read: Read, opts: OutputOptionValues): Promise<Report> {
  const params = read[0]!.partial.params;
  const other = read.find((r) => r.partial.params.command !== params.command);
  if (other)
    throw new UsageError(
      `${other.name} is a partial file of 'focal ${String(other.partial.params.command)}', ${read[0]!.name} of 'focal ${String(params.command)}': merge combines shards of one command.`,
    );
  const fmt = opts.json ? 'json' : (opts.format ?? 'table');
  const inputs = read.flatMap((r) => r.partial.source?.inputs ?? [r.name]);
  if (params.command === 'sweep') {
    const gammas = params.gammas as number[];
    const alphas = (params.alphas as (number | null)[] | undefined) ?? [null];
    const numbers = (v: unknown[], nulls: boolean) =>
      v.length > 0 && v.every((x) => (typeof x === 'number' && Number.isFinite(x)) || (nulls && x === null));
    if (!Array.isArray(gammas) || !Array.isArray(alphas) || !numbers(gammas, false) || !numbers(alphas, true))
      throw new UsageError(
        `${read[0]!.name}: a sweep partial file needs "gammas" (and "alphas") as lists of numbers in its params`,
      );
    const collector = sweepCollector(gammas, alphas);
    const state = mergePartials(read, [collector as never]).states.get('sweep') as SweepState;
    return sweepReport(collector.finish(state), {
      params: { inputs, shards: read.length, gammas, ...(params.alphas ? { alphas } : {}) },
      caption: { shards: String(read.length) },
      // the rows --skip-invalid left out, as a one-run report counts them (a source without the count: none)
      summary: { n: state.rows, skipped: read.reduce((sum, r) => sum + skippedOf(r.partial.source), 0) },
      fmt,
    }).report;
  }
  if (params.command === 'calibration') {
    const bins = params.bins as number;
    if (!(Number.isInteger(bins) && bins >= 2))
      throw new UsageError(`${read[0]!.name}: a calibration partial file needs "bins", an integer ≥ 2, in its params`);
    return calibrationReportOf([{ name: inputs.join(' + '), result: mergedCalibration(read, bins) }], bins, {
      fmt,
      params: { shards: read.length },
    }).report;
  }
  if (params.command === 'loss' || params.command === 'anatomy') return mergeRead(read);
  throw new UsageError(
    `${read[0]!.name}: made by '${String(params.command)}'; merge reads partial files of 'focal loss', 'anatomy', 'sweep' and 'calibration'.`,
  );
}
