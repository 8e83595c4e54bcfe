import { Option, type Command } from 'commander';
import type { Column, Report, Row, Section } from '../output/index.js';
import type { Chart, HeatClass, Heatmap } from '../output/chart/index.js';
import type { SweepResult } from '../pipeline/collect/sweep.js';
import { addOutputOptions, type OutputOptionValues } from '../cli/options.js';
import { alphas as alphaList, gammas as gammaList, integerIn, oneOf } from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import type { ColumnSpec } from '../input/layout.js';
import type { InputFormat } from '../input/source.js';
import { sweepCollector } from '../pipeline/collect/sweep.js';
import { makePartial, serializePartial } from '../pipeline/state.js';
import { captionOf, checkPictureOptions, isPageFile, type CommandContext } from './shared.js';
import { showChartOrPage } from './chart-output.js';
import { className } from './loss-classes.js';
import { inputPath } from './read-input.js';
import { refuseReplacingOtherFile, writePartialText } from './loss-partial.js';
import { addPredictionInputOptions, chartSizeOptions, collectSweep } from './predictions.js';

/**
 * `focal sweep`: a (γ, α) grid over a file of predictions in one pass (pipeline/collect/sweep.ts).
 * α enters focal loss linearly, so the collector keeps α-free sums per γ and class and every α
 * comes out of them at the end: the cost is O(rows × #γ), whatever the number of α values.
 */

export interface SweepOptions extends OutputOptionValues {
  input?: string;
  inputFormat?: InputFormat;
  columns?: ColumnSpec;
  skipInvalid?: boolean;
  labels?: string;
  threads?: number;
  gamma?: number[];
  alpha?: (number | null)[];
  rows?: (typeof ROW_TABLES)[number];
  partial?: string;
  picture?: (typeof PICTURES)[number];
  chart?: boolean;
  out?: string;
  force?: boolean;
  width?: number;
  height?: number;
}

const ROW_TABLES = ['grid', 'alpha'] as const;
const PICTURES = ['heatmap', 'curves'] as const;
/** The γ values of Lin et al. 2017, Table 1a. */
const DEFAULT_GAMMAS = [0, 0.1, 0.2, 0.5, 1, 2, 5];
const DEFAULT_ALPHAS = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);

const SWEEP_HELP = `
One pass over the predictions gives, for every γ and α of the grid:
  fl_share, grad_share   each class's share of the total focal loss and of the total gradient
                         mass Σ|dFL/dx| (x: the true class's logit; for softmax the L1 norm over
                         all logits is exactly twice that, so the shares are the same)
  easy_fl_share          the share carried by easy samples (p_t > 0.5)
  concentration          (Σl)²/(n·Σl²): the fraction of samples that effectively carry the loss
and for every γ: alpha_loss, the α giving the positive class exactly half of the loss, and
alpha_grad, half of the gradient mass (multiclass: the per-class α vector, summing to 1, that
equalises the classes). α enters the loss linearly (FL = α_t·L), so the α axis is computed from
α-free sums kept per γ: the cost is rows × number of γ, not × number of α.
Multiclass input (probs/logits): one α for every class scales all classes alike, so rows are
per γ only, and --alpha is refused.
--chart draws in the terminal, --out FILE.svg|png to a file: by default the heatmap of the
positive class's share of the focal loss over γ (rows) and α (columns: α·S₁/(α·S₁ + (1−α)·S₀)
from the α-free sums, at every α, not only the grid's), in bands of 0.1, with the α*(γ) curves
drawn on it (L: half of the loss, G: half of the gradient mass); --picture curves draws the
α*(γ) curves alone. --out FILE.html writes the whole report (both tables, the heatmap and the
curves) as one offline page.

Examples:
  $ focal sweep --input examples/preds.csv --gamma 0:5:0.5 --alpha 0.05:0.95:0.05
  $ focal sweep --input examples/preds.csv --rows alpha --format csv
  $ focal sweep --input examples/preds.csv --gamma 0:5:0.25 --chart
  $ focal sweep --input examples/preds.csv --gamma 0:5:0.25 --out sweep-heatmap.svg
  $ focal sweep --input examples/preds.csv --picture curves --out alpha-star.svg
  $ focal sweep --input examples/preds.csv --gamma 0:5:0.5 --out sweep.html
`;

export function registerSweep(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('sweep')
    .description(
      'A (γ, α) grid over a file of predictions in one pass: class shares of the loss and the gradient, easy share, concentration, and the balancing α per γ.',
    )
    .option(
      '--input <file>',
      'predictions: CSV, TSV or NDJSON (gzip too), .npy (with --labels), .npz, Parquet or Arrow; or - for stdin',
    )
    .option(
      '--gamma <γ>',
      `focusing parameters γ ≥ 0: comma list or range start:stop:step (default ${DEFAULT_GAMMAS.join(',')})`,
      gammaList,
    )
    .option(
      '--alpha <α>',
      'weights α ∈ [0, 1] of the positive class, or none: comma list or range (default 0.05:0.95:0.05)',
      alphaList,
    )
    .addOption(
      new Option('--rows <table>', `the table CSV/TSV/NDJSON write: ${ROW_TABLES.join(', ')} (default grid)`).argParser(
        oneOf(ROW_TABLES, 'a table'),
      ),
    )
    .addOption(
      new Option(
        '--picture <kind>',
        `what --chart and --out FILE.svg|png draw: ${PICTURES.join(', ')} (default heatmap)`,
      ).argParser(oneOf(PICTURES, 'a picture')),
    )
    .option(
      '--partial <file>',
      "write the collector's state (a focal partial file, for `focal merge`; - for stdout) instead of a report",
    )
    .option(
      '--threads <n>',
      'worker threads for a large file (default: all cores for files ≥ 32 MiB)',
      integerIn(1, 64),
    );
  addPredictionInputOptions(cmd);
  chartSizeOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText('after', SWEEP_HELP);
  cmd.action((opts: SweepOptions) => runSweep(opts, ctx));
}

export async function runSweep(opts: SweepOptions, ctx: CommandContext): Promise<void> {
  const input = inputPath(opts.input, false, ctx);
  if (input === undefined)
    throw new UsageError('sweep needs predictions: give --input FILE (or - for stdin), or pipe them in.');
  checkPictureOptions(opts);
  if (opts.picture && !(opts.chart || opts.out))
    throw new UsageError("option '--picture' chooses what --chart or --out draws; give one of them too.");
  if (opts.partial && (opts.chart || opts.out))
    throw new UsageError(
      "option '--partial' writes the sweep's state, not a report; --chart/--out draw the report: give one.",
    );
  if (opts.partial) refuseReplacingOtherFile(opts.partial); // before the input is read
  const page = opts.out !== undefined && isPageFile(opts.out);
  if (opts.picture && page)
    throw new UsageError(
      "option '--picture' chooses the picture of --chart or --out FILE.svg|png; a page (--out FILE.html) shows the tables, the heatmap and the α*(γ) curves.",
    );
  const gammas = opts.gamma ?? DEFAULT_GAMMAS;
  const alphas = opts.alpha ?? DEFAULT_ALPHAS;
  const collector = sweepCollector(gammas, alphas);
  // plain files of 32 MiB or more are split across threads, whose sweep states merge exactly
  const { state, layout, n, skipped, name, format } = await collectSweep(input, opts, ctx, { gammas, alphas });
  const multiclass = layout.kind === 'probs' || layout.kind === 'logits';
  if (multiclass && opts.alpha)
    throw new UsageError(
      "option '--alpha': one α for every class leaves multiclass shares unchanged; sweep reports the equalising α vector per γ instead — drop --alpha.",
    );
  if (opts.partial) {
    // only what the state depends on: shards of other formats or columns merge (the state knows binary from multiclass)
    writePartialText(
      opts.partial,
      serializePartial(
        makePartial({ command: 'sweep', gammas, ...(multiclass ? {} : { alphas }) }, [[collector as never, state]], {
          inputs: [name],
          rows: n,
          skipped,
        }),
      ),
      ctx,
    );
    return;
  }
  const params = {
    input: name,
    input_format: format,
    columns: layout.names,
    prediction: layout.kind,
    gammas,
    ...(multiclass ? {} : { alphas }),
  };
  const result = collector.finish(state);
  const { report, full } = sweepReport(result, {
    params,
    caption: { input: name },
    summary: { n, skipped },
    fmt: opts.json ? 'json' : (opts.format ?? 'table'),
    rows: opts.rows,
  });
  if (opts.chart || opts.out) {
    if (multiclass && !page)
      throw new UsageError(
        'sweep draws the binary (γ, α) heatmap and α*(γ) curves; for multiclass input use the α vectors in the output (or its page: --out FILE.html).',
      );
    if (!page && (opts.picture ?? 'heatmap') === 'heatmap') {
      const { heatmapToFile, heatmapToTerminal } = await import('../output/chart/index.js');
      if (opts.out) {
        ctx.stderr.write(
          `focal: ${await heatmapToFile(shareHeatmap(result, 200), opts.out, { width: opts.width ?? 800, height: opts.height ?? 500, force: opts.force ?? false })}\n`,
        );
        return;
      }
      const labelWidth = Math.max(...gammas.map((g) => `γ = ${g}`.length));
      ctx.write(
        await heatmapToTerminal(shareHeatmap(result, Math.max(20, (opts.width ?? ctx.columns()) - labelWidth - 3)), {
          color: ctx.color(opts.color),
        }),
      );
      return;
    }
    // multiclass has α vectors, not curves: its page has the tables only; a binary one the
    // heatmap of --out FILE.svg above the curves
    await showChartOrPage(
      ctx,
      full,
      multiclass ? null : alphaCurves(result, gammas),
      opts,
      'the (γ, α) grid',
      multiclass ? null : shareHeatmap(result, 200),
    );
    return;
  }
  await ctx.emit(report, opts);
}

/**
 * The sweep's report (its table chosen by `rows` for CSV/TSV/NDJSON) and the full one (both
 * tables, for a page), from a result: of one run, or of merged --partial states.
 */
export function sweepReport(
  result: SweepResult,
  s: {
    params: Record<string, unknown>;
    caption: Record<string, string>;
    summary: Record<string, number>;
    fmt: string;
    rows?: (typeof ROW_TABLES)[number];
  },
): { report: Report; full: Report } {
  const multiclass = result.multiclass;
  const label = (key: number) => className(key, !multiclass);
  const gridRows: Row[] = result.points.map((p) => {
    const row: Record<string, number | null> = {
      gamma: p.gamma,
      alpha: p.alpha,
      fl_total: p.flTotal,
      grad_total: p.gradTotal,
      easy_fl_share: p.easyFlShare,
      easy_grad_share: p.easyGradShare,
      concentration: p.concentration,
    };
    for (const c of p.classes) {
      const k = label(c.key);
      Object.assign(row, {
        [`${k}_count`]: c.count,
        [`${k}_fl_total`]: c.flTotal,
        [`${k}_grad_total`]: c.gradTotal,
        [`${k}_fl_share`]: c.flShare,
        [`${k}_grad_share`]: c.gradShare,
        [`${k}_easy_fl_share`]: c.easyFlShare,
        [`${k}_concentration`]: c.concentration,
      });
    }
    return row;
  });
  const classNames = result.classKeys.map(label);
  const main = !multiclass ? 'positive' : null;
  const gridColumns: Column[] = [
    { key: 'gamma', label: 'γ' },
    { key: 'alpha', label: 'α', table: !multiclass },
    ...(main
      ? [
          { key: `${main}_fl_share`, label: 'positive FL share' },
          { key: `${main}_grad_share`, label: 'positive grad share' },
        ]
      : []),
    { key: 'easy_fl_share', label: 'easy FL share' },
    { key: 'easy_grad_share', label: 'easy grad share', table: false },
    { key: 'concentration', label: 'concentration' },
    { key: 'fl_total', label: 'FL total', table: false },
    { key: 'grad_total', label: 'grad total', table: false },
    ...classNames.flatMap((k) => [
      { key: `${k}_count`, label: `${k} count`, kind: 'count' as const, table: false },
      { key: `${k}_fl_total`, label: `${k} FL total`, table: false },
      { key: `${k}_grad_total`, label: `${k} grad total`, table: false },
      // the positive class's shares are the grid's first columns already (one key, one column)
      ...(k === main
        ? []
        : [
            { key: `${k}_fl_share`, label: `${k} FL share`, table: multiclass },
            { key: `${k}_grad_share`, label: `${k} grad share`, table: false },
          ]),
      { key: `${k}_easy_fl_share`, label: `${k} easy FL share`, table: false },
      { key: `${k}_concentration`, label: `${k} concentration`, table: false },
    ]),
  ];
  const alphaRows: Row[] = result.perGamma.map((g): Row =>
    multiclass
      ? { gamma: g.gamma, alpha_vector_loss: g.alphaVectorLoss, alpha_vector_grad: g.alphaVectorGrad }
      : { gamma: g.gamma, alpha_loss: g.alphaLoss, alpha_grad: g.alphaGrad },
  );
  const alphaColumns: Column[] = multiclass
    ? [
        { key: 'gamma', label: 'γ' },
        { key: 'alpha_vector_loss', label: `α equalising FL (${classNames.join(', ')})` },
        { key: 'alpha_vector_grad', label: 'α equalising grad mass' },
      ]
    : [
        { key: 'gamma', label: 'γ' },
        { key: 'alpha_loss', label: 'α*: positive half of FL' },
        { key: 'alpha_grad', label: 'α: positive half of grad mass' },
      ];
  const alphaSection: Section = {
    key: 'alpha',
    caption: multiclass
      ? 'per γ: the class weights (summing to 1) that equalise the classes'
      : 'per γ: the α that gives the positive class exactly half',
    columns: alphaColumns,
    rows: alphaRows,
  };
  const table =
    s.rows === 'alpha' && s.fmt !== 'json' && s.fmt !== 'table'
      ? alphaSection
      : { columns: gridColumns, rows: gridRows };
  const gammaCount = result.perGamma.length;
  const alphaCount = multiclass ? 0 : result.points.length / Math.max(1, gammaCount);
  const report: Report = {
    command: 'sweep',
    params: s.params,
    caption: captionOf({
      ...s.caption,
      'γ values': String(gammaCount),
      'α values': multiclass ? 'none (multiclass)' : String(alphaCount),
    }),
    columns: table.columns,
    rows: table.rows,
    summary: () => s.summary,
    summaryItems: [{ key: 'n', label: 'samples', kind: 'count' }],
    sections: () => (s.fmt === 'table' || s.fmt === 'json' ? [alphaSection] : []),
    summaryIsTheRecord: false,
    notes: [
      "grad: |dFL/dx| with respect to the true class's logit; α enters linearly, so the α axis costs no pass over the data",
    ],
  };
  return { report, full: { ...report, columns: gridColumns, rows: gridRows, sections: () => [alphaSection] } };
}

/** The α*(γ) curves: per γ, the α giving the positive class half of the loss, and half of the gradient mass. */
function alphaCurves(result: SweepResult, gammas: readonly number[]): Chart {
  const points = (key: 'alphaLoss' | 'alphaGrad') =>
    result.perGamma.filter((g) => g[key] !== null).map((g) => [g.gamma, g[key]!] as const);
  const [lo, hi] = [Math.min(...gammas), Math.max(...gammas)];
  return {
    title: 'The α that balances the classes, per γ',
    xLabel: 'γ',
    yLabel: 'α (weight of the positive class)',
    xScale: 'linear',
    yScale: 'linear',
    xDomain: [lo, hi > lo ? hi : lo + 1],
    yDomain: [0, 1],
    series: [
      { label: 'α*: positive half of FL', points: points('alphaLoss') },
      { label: 'α: positive half of grad mass', points: points('alphaGrad') },
    ],
  };
}

/** Bands of 0.1 of the positive share: a diverging palette (ColorBrewer RdBu), blue where the positive class carries less than half. */
const SHARE_BANDS: readonly HeatClass[] = (
  [
    ['#053061', '·', 'blue'],
    ['#2166ac', '.', 'blue'],
    ['#4393c3', ':', 'cyan'],
    ['#92c5de', '-', 'cyan'],
    ['#d1e5f0', '=', 'green'],
    ['#fddbc7', '+', 'green'],
    ['#f4a582', '*', 'yellow'],
    ['#d6604d', '#', 'yellow'],
    ['#b2182b', '%', 'red'],
    ['#67001f', '@', 'red'],
  ] as const
).map(([colour, glyph, terminal], k) => ({
  label: `${(k / 10).toFixed(1)}–${((k + 1) / 10).toFixed(1)}`,
  colour,
  glyph,
  terminal,
}));
const NO_LOSS: HeatClass = { label: 'no loss', colour: '#bdbdbd', glyph: ' ', terminal: 'gray' };

/**
 * The positive class's share of the focal loss over (γ, α), `cells` columns of α ∈ [0, 1]: at
 * the centre α of each, α·S₁/(α·S₁ + (1 − α)·S₀) from the α-free totals (α is linear, so any α
 * costs nothing), with the balancing α per γ drawn over it. Top row: the largest γ.
 */
export function shareHeatmap(result: SweepResult, cells: number): Heatmap {
  const perGamma = [...result.perGamma].reverse();
  let empty = false;
  const rows = perGamma.map((g) => {
    const [s0, s1] = g.lossTotals as [number, number];
    return {
      label: `γ = ${g.gamma}`,
      cells: Array.from({ length: cells }, (_, i) => {
        const alpha = (i + 0.5) / cells;
        const share = (alpha * s1) / (alpha * s1 + (1 - alpha) * s0);
        if (!Number.isFinite(share)) return ((empty = true), SHARE_BANDS.length);
        return Math.min(SHARE_BANDS.length - 1, Math.floor(share * SHARE_BANDS.length));
      }),
    };
  });
  return {
    title: "The positive class's share of the focal loss",
    xLabel: 'α (weight of the positive class)',
    yLabel: 'γ',
    xDomain: [0, 1],
    classes: empty ? [...SHARE_BANDS, NO_LOSS] : SHARE_BANDS,
    rows,
    overlays: [
      {
        label: 'α*: positive half of FL',
        xs: perGamma.map((g) => g.alphaLoss),
        colour: '#000000',
        dash: '',
        glyph: 'L',
      },
      {
        label: 'α: positive half of grad mass',
        xs: perGamma.map((g) => g.alphaGrad),
        colour: '#000000',
        dash: '6 4',
        glyph: 'G',
      },
    ],
  };
}
