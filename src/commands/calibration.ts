import { rmSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Column, Report, Row, Section } from '../output/index.js';
import type { Chart } from '../output/chart/index.js';
import { addOutputOptions, type OutputOptionValues } from '../cli/options.js';
import { integerIn, oneOf } from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import { DEFAULT_CALIBRATION_BINS } from '../core/index.js';
import type { ColumnSpec } from '../input/layout.js';
import type { InputFormat } from '../input/source.js';
import {
  CalibrationSpool,
  calibrationCollector,
  calibrationReport,
  type CalibrationResult,
} from '../pipeline/collect/calibration.js';
import { inlineSamples, samplesFileFor, writeSamplesFile } from '../pipeline/collect/calibration-samples.js';
import { makePartial, serializePartial } from '../pipeline/state.js';
import { captionOf, checkPictureOptions, type CommandContext } from './shared.js';
import { showChartOrPage } from './chart-output.js';
import { inputPath } from './read-input.js';
import { refuseReplacingOtherFile, writePartialText } from './loss-partial.js';
import { addPredictionInputOptions, chartSizeOptions, collectPredictions } from './predictions.js';

/** `focal calibration`: the calibration of one or more models' predictions, side by side (pipeline/collect/calibration.ts). */

export interface CalibrationOptions extends OutputOptionValues {
  input?: string[];
  inputFormat?: InputFormat;
  columns?: ColumnSpec;
  skipInvalid?: boolean;
  labels?: string;
  bins?: number;
  rows?: (typeof ROW_TABLES)[number];
  partial?: string;
  chart?: boolean;
  out?: string;
  force?: boolean;
  width?: number;
  height?: number;
}

const ROW_TABLES = ['models', 'reliability'] as const;

const CALIBRATION_HELP = `
Definitions (torchmetrics CalibrationError, computed in float64, so you can cross-check):
  ECE       Σ_b (n_b/n)·|accuracy_b − confidence_b| over --bins equal-width bins (default 15,
            as Guo et al. 2017 and Mukhoti et al. 2020); edges torch.linspace(0, 1, B + 1), a
            confidence of exactly 1 in a bin of its own (torchmetrics' bucketize, right=True)
  MCE       max_b |accuracy_b − confidence_b| (norm "max")
  AdaECE    the same over B equal-mass bins (Mukhoti et al.): the samples sorted by confidence,
            bin b holds ranks ⌊b·n/B⌋ … ⌊(b+1)·n/B⌋ − 1 (exact; needs the samples in memory)
  classwise ECE   the mean over classes c of the ECE of p_c against [target = c]
  Brier     mean of Σ_c (p_c − [target = c])² (multiclass), (p − y)² (binary)
  NLL       mean cross-entropy (natural log); accuracy: p > 0.5 (binary), arg-max (multiclass)
Binary input: the confidence is p of class 1 against the label (torchmetrics' binary task);
multiclass: the top-label confidence max_c p_c, right when the arg-max is the target.
Temperature scaling (Guo et al.): T minimising the NLL of softmax(logits/T) (binary: σ(x/T);
from probabilities, logits = log p), solved by a safeguarded Newton iteration in 1/T on exact
sums; the report is repeated on the scaled predictions.
Memory stays constant: AdaECE and T need more passes over the samples, so the first pass also
writes what they need, as float64, to temporary files (the confidence and the hit; the logits and
the label: 8·(values + 3) bytes a sample, in $TMPDIR; deleted at the end) — stdin works too.
AdaECE then takes usually 3 passes (exact selection of the equal-mass boundaries), T one pass
per Newton step (typically 6–10).
Shards: --partial FILE writes one input's state, and its samples (what AdaECE and T need, as
float64, 8·(values + 3) bytes a sample) to FILE.samples beside it (inline, base64, for --partial
-); \`focal merge\` of such files gives the report of one run over all the rows, bit for bit,
AdaECE and T included.
--chart draws the reliability diagram in the terminal, --out FILE.svg|png to a file: per bin, the
accuracy against the mean confidence, the gap to the diagonal shaded, the count in a strip below
(several models side by side, in plot's colours and dashes); --out
FILE.html writes the whole report (both tables and the diagram) as one offline page.

Examples:
  $ focal calibration --input examples/model-ce.csv --input examples/model-fl.csv
  $ focal calibration --input examples/preds.csv --rows reliability --format csv
  $ focal calibration --input examples/model-ce.csv --input examples/model-fl.csv --out reliability.svg
  $ focal calibration --input examples/model-ce.csv --input examples/model-fl.csv --out calibration.html
  $ focal calibration --input examples/model-fl.csv --partial shard-1.json
`;

export function registerCalibration(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('calibration')
    .description(
      'Calibration of one or more models: ECE, AdaECE, MCE, classwise ECE, Brier, NLL, accuracy, the reliability diagram, and temperature scaling.',
    )
    .option(
      '--input <file>',
      'predictions (repeat for several models): CSV, TSV, NDJSON (gzip too), .npy (with --labels: the same labels for every model), .npz, Parquet or Arrow; or - for stdin',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option(
      '--bins <n>',
      `equal-width (and equal-mass) bins, 2–1000 (default ${DEFAULT_CALIBRATION_BINS})`,
      integerIn(2, 1000),
    )
    .addOption(
      new Option(
        '--rows <table>',
        `the table CSV/TSV/NDJSON write: ${ROW_TABLES.join(', ')} (default models)`,
      ).argParser(oneOf(ROW_TABLES, 'a table')),
    )
    .option(
      '--partial <file>',
      "write the collector's state (a focal partial file, for `focal merge`; - for stdout) instead of a report; one --input",
    );
  addPredictionInputOptions(cmd);
  chartSizeOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText('after', CALIBRATION_HELP);
  cmd.action((opts: CalibrationOptions) => runCalibration(opts, ctx));
}

export async function runCalibration(opts: CalibrationOptions, ctx: CommandContext): Promise<void> {
  const first = inputPath(opts.input?.[0], false, ctx);
  if (first === undefined)
    throw new UsageError(
      'calibration needs predictions: give --input FILE (repeat it for several models), or pipe them in.',
    );
  checkPictureOptions(opts);
  const inputs = opts.input ?? [first];
  if (opts.labels === '-' && inputs.length > 1)
    throw new UsageError(
      "option '--labels': stdin (-) can be read only once; give the labels' file for several models.",
    );
  if (inputs.filter((i) => i === '-').length > 1)
    throw new UsageError("option '--input': stdin (-) can be read only once.");
  if (opts.partial && (inputs.length > 1 || opts.chart || opts.out))
    throw new UsageError(
      "option '--partial' writes the state of one input (a shard of one model's predictions): give one --input and no --chart/--out.",
    );
  const bins = opts.bins ?? DEFAULT_CALIBRATION_BINS;
  if (opts.partial) {
    refuseReplacingOtherFile(opts.partial); // before the input is read
    return writeCalibrationPartial(opts.partial, first, bins, opts, ctx);
  }
  const models: { name: string; result: CalibrationResult }[] = [];
  for (const input of inputs) {
    const collector = calibrationCollector(bins);
    const spool = new CalibrationSpool();
    try {
      const { state, name } = await collectPredictions(input, opts, ctx, collector, 'calibration', (batch) =>
        spool.write(batch),
      );
      models.push({ name, result: calibrationReport(state, spool) });
    } finally {
      spool.close();
    }
  }
  const { report, full } = calibrationReportOf(models, bins, {
    fmt: opts.json ? 'json' : (opts.format ?? 'table'),
    rows: opts.rows,
  });
  if (opts.chart || opts.out) {
    const chart: Chart = {
      title: `Reliability diagram (${bins} equal-width bins)`,
      xLabel: 'confidence',
      yLabel: 'accuracy',
      xScale: 'linear',
      yScale: 'linear',
      xDomain: [0, 1],
      yDomain: [0, 1],
      series: [
        {
          label: 'perfect calibration',
          points: [
            [0, 0],
            [1, 1],
          ],
        },
        ...models.map(({ name, result }) => ({
          label: `${name} (ECE ${result.ece.toPrecision(3)})`,
          points: result.reliability.filter((b) => b.count > 0).map((b) => [b.confidence, b.accuracy] as const),
        })),
      ],
      // the gap and the count of every bin, per model (series 0 is the diagonal)
      bins: models.map(({ result }, k) => ({
        series: k + 1,
        bins: result.reliability.map((b) => ({
          from: b.from,
          to: b.to,
          count: b.count,
          value: b.accuracy,
          reference: b.confidence,
        })),
      })),
    };
    await showChartOrPage(ctx, full, chart, opts, 'per model');
    return;
  }
  await ctx.emit(report, opts);
}

/**
 * `--partial FILE`: the collector's state, and the samples the passes after the first need (the
 * spool's, calibration-samples.ts) so that `focal merge` reports AdaECE and T exactly too: in a
 * file beside FILE (FILE.samples, written first, so a partial only names complete samples), or
 * inline for stdout ('-').
 */
async function writeCalibrationPartial(
  path: string,
  input: string,
  bins: number,
  opts: CalibrationOptions,
  ctx: CommandContext,
): Promise<void> {
  const collector = calibrationCollector(bins);
  const spool = new CalibrationSpool();
  try {
    const { state, name, n } = await collectPredictions(input, opts, ctx, collector, 'calibration', (batch) =>
      spool.write(batch),
    );
    const samples = path === '-' ? inlineSamples(spool) : writeSamplesFile(spool, path);
    const text = serializePartial(
      makePartial({ command: 'calibration', bins }, [[collector as never, { ...state, samples }]], {
        inputs: [name],
        rows: n,
      }),
    );
    try {
      writePartialText(path, text, ctx);
    } catch (err) {
      if (samples.file !== undefined) rmSync(samplesFileFor(path), { force: true });
      throw err;
    }
  } finally {
    spool.close();
  }
}

/**
 * The calibration report of some models (its table chosen by `rows` for CSV/TSV/NDJSON) and the
 * full one (both tables, for a page): of one run, or of merged --partial states.
 */
export function calibrationReportOf(
  models: readonly { name: string; result: CalibrationResult }[],
  bins: number,
  s: { fmt: string; rows?: (typeof ROW_TABLES)[number]; params?: Record<string, unknown>; notes?: string[] },
): { report: Report; full: Report } {
  const modelRows: Row[] = models.map(({ name, result: r }) => ({
    model: name,
    n: r.n,
    classes: r.classes,
    accuracy: r.accuracy,
    ece: r.ece,
    ada_ece: r.adaptiveEce,
    mce: r.mce,
    classwise_ece: r.classwiseEce,
    brier: r.brier,
    nll: r.nll,
    temperature: r.temperature?.temperature ?? null,
    ece_scaled: r.scaled?.ece ?? null,
    ada_ece_scaled: r.scaled?.adaptiveEce ?? null,
    mce_scaled: r.scaled?.mce ?? null,
    brier_scaled: r.scaled?.brier ?? null,
    nll_scaled: r.scaled?.nll ?? null,
  }));
  const modelColumns: Column[] = [
    { key: 'model', label: 'model', kind: 'text' },
    { key: 'n', label: 'n', kind: 'count' },
    { key: 'classes', label: 'classes', kind: 'count', table: false },
    { key: 'accuracy', label: 'accuracy' },
    { key: 'ece', label: 'ECE' },
    { key: 'ada_ece', label: 'AdaECE' },
    { key: 'mce', label: 'MCE' },
    { key: 'classwise_ece', label: 'classwise ECE' },
    { key: 'brier', label: 'Brier' },
    { key: 'nll', label: 'NLL' },
    { key: 'temperature', label: 'T' },
    { key: 'ece_scaled', label: 'ECE at T' },
    { key: 'ada_ece_scaled', label: 'AdaECE at T', table: false },
    { key: 'mce_scaled', label: 'MCE at T', table: false },
    { key: 'brier_scaled', label: 'Brier at T', table: false },
    { key: 'nll_scaled', label: 'NLL at T' },
  ];
  const reliabilityRows: Row[] = models.flatMap(({ name, result }) =>
    result.reliability.map((b, i) => ({
      model: name,
      bin: i,
      from: b.from,
      to: b.to,
      count: b.count,
      confidence: b.confidence,
      accuracy: b.accuracy,
      gap: b.count > 0 ? b.confidence - b.accuracy : null,
    })),
  );
  const reliability: Section = {
    key: 'reliability',
    caption:
      'reliability diagram: per confidence bin, mean confidence and accuracy (gap = confidence − accuracy: over-confidence > 0)',
    columns: [
      { key: 'model', label: 'model', kind: 'text' },
      { key: 'bin', label: 'bin', kind: 'count', table: false },
      { key: 'from', label: 'from' },
      { key: 'to', label: 'to' },
      { key: 'count', label: 'count', kind: 'count' },
      { key: 'confidence', label: 'confidence' },
      { key: 'accuracy', label: 'accuracy' },
      { key: 'gap', label: 'gap' },
    ],
    rows: reliabilityRows,
  };
  const notes = models.flatMap(({ name, result }) =>
    result.temperature?.reason ? [`${name}: no temperature: ${result.temperature.reason}`] : [],
  );
  const fmt = s.fmt;
  const table =
    s.rows === 'reliability' && fmt !== 'json' && fmt !== 'table'
      ? reliability
      : { columns: modelColumns, rows: modelRows };
  const report: Report = {
    command: 'calibration',
    params: {
      inputs: models.map((m) => m.name),
      bins,
      definitions: 'torchmetrics CalibrationError (norm l1 / max), float64',
      ...s.params,
    },
    caption: captionOf({ models: String(models.length), bins: String(bins) }),
    columns: table.columns,
    rows: table.rows,
    summary: () => null,
    sections: () => (fmt === 'table' || fmt === 'json' ? [reliability] : []),
    summaryIsTheRecord: false,
    notes: [...notes, ...(s.notes ?? [])],
  };
  return { report, full: { ...report, columns: modelColumns, rows: modelRows, sections: () => [reliability] } };
}
