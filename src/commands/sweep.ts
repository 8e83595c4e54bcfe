import { Option, type Command } from 'commander';
import type { Column, Report, Row, Section } from '../output/index.js';
import type { Chart } from '../output/chart/index.js';
import { addOutputOptions, type OutputOptionValues } from '../cli/options.js';
import { alphas as alphaList, gammas as gammaList, oneOf } from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import type { ColumnSpec } from '../input/layout.js';
import type { InputFormat } from '../input/source.js';
import { sweepCollector } from '../pipeline/collect/sweep.js';
import { makePartial, serializePartial } from '../pipeline/state.js';
import { writeNewFile } from '../output/files.js';
import { captionOf, checkPictureOptions, isPageFile, type CommandContext } from './shared.js';
import { showChartOrPage } from './chart-output.js';
import { className } from './loss-classes.js';
import { inputPath } from './read-input.js';
import { addPredictionInputOptions, chartSizeOptions, collectPredictions } from './predictions.js';

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
  gamma?: number[];
  alpha?: (number | null)[];
  rows?: (typeof ROW_TABLES)[number];
  partial?: string;
  chart?: boolean;
  out?: string;
  force?: boolean;
  width?: number;
  height?: number;
}

const ROW_TABLES = ['grid', 'alpha'] as const;
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
--chart draws the α*(γ) curves in the terminal, --out FILE.svg|png to a file; --out FILE.html
writes the whole report (both tables and the curves) as one offline page.

Examples:
  $ focal sweep --input examples/preds.csv --gamma 0:5:0.5 --alpha 0.05:0.95:0.05
  $ focal sweep --input examples/preds.csv --rows alpha --format csv
  $ focal sweep --input examples/preds.csv --out alpha-star.svg
  $ focal sweep --input examples/preds.csv --gamma 0:5:0.5 --out sweep.html
`;

export function registerSweep(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('sweep')
    .description('A (γ, α) grid over a file of predictions in one pass: class shares of the loss and the gradient, easy share, concentration, and the balancing α per γ.')
    .option('--input <file>', 'predictions: a CSV, TSV or NDJSON file (gzip too), or - for stdin')
    .option('--gamma <γ>', `focusing parameters γ ≥ 0: comma list or range start:stop:step (default ${DEFAULT_GAMMAS.join(',')})`, gammaList)
    .option('--alpha <α>', 'weights α ∈ [0, 1] of the positive class, or none: comma list or range (default 0.05:0.95:0.05)', alphaList)
    .addOption(new Option('--rows <table>', `the table CSV/TSV/NDJSON write: ${ROW_TABLES.join(', ')} (default grid)`).argParser(oneOf(ROW_TABLES, 'a table')))
    .option('--partial <file>', "write the collector's state (a focal partial file) instead of a report");
  addPredictionInputOptions(cmd);
  chartSizeOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText('after', SWEEP_HELP);
  cmd.action((opts: SweepOptions) => runSweep(opts, ctx));
}

export async function runSweep(opts: SweepOptions, ctx: CommandContext): Promise<void> {
  const input = inputPath(opts.input, false, ctx);
  if (input === undefined) throw new UsageError('sweep needs predictions: give --input FILE (or - for stdin), or pipe them in.');
  checkPictureOptions(opts);
  const page = opts.out !== undefined && isPageFile(opts.out);
  const gammas = opts.gamma ?? DEFAULT_GAMMAS;
  const alphas = opts.alpha ?? DEFAULT_ALPHAS;
  const collector = sweepCollector(gammas, alphas);
  const { state, layout, outcome, name, format } = await collectPredictions(input, opts, ctx, collector, 'sweep');
  const multiclass = layout.kind === 'probs' || layout.kind === 'logits';
  if (multiclass && opts.alpha) throw new UsageError("option '--alpha': one α for every class leaves multiclass shares unchanged; sweep reports the equalising α vector per γ instead — drop --alpha.");
  const params = { input: name, input_format: format, columns: layout.names, prediction: layout.kind, gammas, ...(multiclass ? {} : { alphas }) };
  if (opts.partial) {
    writeNewFile(opts.partial, serializePartial(makePartial({ command: 'sweep', ...params, input: undefined }, [[collector as never, state]], { inputs: [name], rows: outcome.n })), opts.force ?? false);
    ctx.stderr.write(`focal: wrote ${opts.partial} (sweep state of ${outcome.n} samples)\n`);
    return;
  }
  const result = collector.finish(state);
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
      Object.assign(row, { [`${k}_count`]: c.count, [`${k}_fl_total`]: c.flTotal, [`${k}_grad_total`]: c.gradTotal, [`${k}_fl_share`]: c.flShare, [`${k}_grad_share`]: c.gradShare, [`${k}_easy_fl_share`]: c.easyFlShare, [`${k}_concentration`]: c.concentration });
    }
    return row;
  });
  const classNames = result.classKeys.map(label);
  const main = !multiclass ? 'positive' : null;
  const gridColumns: Column[] = [
    { key: 'gamma', label: 'γ' },
    { key: 'alpha', label: 'α', table: !multiclass },
    ...(main ? [{ key: `${main}_fl_share`, label: 'positive FL share' }, { key: `${main}_grad_share`, label: 'positive grad share' }] : []),
    { key: 'easy_fl_share', label: 'easy FL share' },
    { key: 'easy_grad_share', label: 'easy grad share', table: false },
    { key: 'concentration', label: 'concentration' },
    { key: 'fl_total', label: 'FL total', table: false },
    { key: 'grad_total', label: 'grad total', table: false },
    ...classNames.flatMap((k) => [
      { key: `${k}_count`, label: `${k} count`, kind: 'count' as const, table: false },
      { key: `${k}_fl_total`, label: `${k} FL total`, table: false },
      { key: `${k}_grad_total`, label: `${k} grad total`, table: false },
      { key: `${k}_fl_share`, label: `${k} FL share`, table: multiclass },
      { key: `${k}_grad_share`, label: `${k} grad share`, table: false },
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
  const alphaSection: Section = { key: 'alpha', caption: multiclass ? 'per γ: the class weights (summing to 1) that equalise the classes' : 'per γ: the α that gives the positive class exactly half', columns: alphaColumns, rows: alphaRows };
  const fmt = opts.json ? 'json' : (opts.format ?? 'table');
  const table = opts.rows === 'alpha' && fmt !== 'json' && fmt !== 'table' ? alphaSection : { columns: gridColumns, rows: gridRows };
  const report: Report = {
    command: 'sweep',
    params,
    caption: captionOf({ input: name, 'γ values': String(gammas.length), 'α values': multiclass ? 'none (multiclass)' : String(alphas.length) }),
    columns: table.columns,
    rows: table.rows,
    summary: () => ({ n: outcome.n, skipped: outcome.skipped }),
    summaryItems: [{ key: 'n', label: 'samples', kind: 'count' }],
    sections: () => (fmt === 'table' || fmt === 'json' ? [alphaSection] : []),
    summaryIsTheRecord: false,
    notes: ['grad: |dFL/dx| with respect to the true class\'s logit; α enters linearly, so the α axis costs no pass over the data'],
  };
  if (opts.chart || opts.out) {
    if (multiclass && !page) throw new UsageError('sweep draws the binary α*(γ) curves; for multiclass input use the α vectors in the output (or its page: --out FILE.html).');
    const points = (key: 'alphaLoss' | 'alphaGrad') => result.perGamma.filter((g) => g[key] !== null).map((g) => [g.gamma, g[key]!] as const);
    // multiclass has α vectors, not curves: its page has the tables only
    const chart: Chart | null = multiclass ? null : {
      title: 'The α that balances the classes, per γ',
      xLabel: 'γ',
      yLabel: 'α (weight of the positive class)',
      xScale: 'linear',
      yScale: 'linear',
      xDomain: [Math.min(...gammas), Math.max(...gammas) > Math.min(...gammas) ? Math.max(...gammas) : Math.min(...gammas) + 1],
      yDomain: [0, 1],
      series: [
        { label: 'α*: positive half of FL', points: points('alphaLoss') },
        { label: 'α: positive half of grad mass', points: points('alphaGrad') },
      ],
    };
    await showChartOrPage(ctx, { ...report, columns: gridColumns, rows: gridRows, sections: () => [alphaSection] }, chart, opts, 'the (γ, α) grid');
    return;
  }
  await ctx.emit(report, opts);
}
