import { Option, type Command } from 'commander';
import { classWeights, type ClassKey, type LogBase, type LossAnatomy } from '../core/index.js';
import type { Column, Report, Row, Section } from '../output/index.js';
import { PICTURE_EXTENSIONS, type Chart } from '../output/chart/index.js';
import {
  addFocalOptions,
  addOutputOptions,
  focalDefaults,
  type FocalOptionValues,
  type OutputOptionValues,
} from '../cli/options.js';
import { integerIn, numberIn, oneOf, outFile } from '../cli/values.js';
import { UsageError } from '../errors.js';
import { anatomyCollector, plainAnatomy } from '../pipeline/collect/anatomy.js';
import { totalsCollector, type TotalsState } from '../pipeline/collect/totals.js';
import { ACTIVATIONS, DEFAULT_IGNORE_LABEL, type Activation, type SampleBatch } from '../pipeline/layout.js';
import { Pipeline } from '../pipeline/run.js';
import type { SampleSettings } from '../pipeline/samples.js';
import { makePartial, serializePartial } from '../pipeline/state.js';
import { columnSpec, type ColumnSpec } from '../input/layout.js';
import { INPUT_FORMATS, type InputFormat } from '../input/source.js';
import {
  alphaParams,
  alphaText,
  captionOf,
  checkPictureOptions,
  PAGE_EXTENSION,
  type CommandContext,
} from './shared.js';
import { showChartOrPage } from './chart-output.js';
import { CLASS_COLUMNS, className } from './loss-classes.js';
import { familyOf } from './family.js';
import { refuseReplacingOtherFile, writePartialText } from './loss-partial.js';
import { inputName, inputPath, inputSettings, openPipelineInput, readInput } from './read-input.js';

/**
 * `focal anatomy` (also `focal imbalance --input`): where the loss of real predictions goes.
 * Named for what it shows, the loss taken apart by class, confidence and hardness; `imbalance
 * --input` reaches it because it answers imbalance's question for a real model.
 */

export interface AnatomyOptions extends FocalOptionValues, OutputOptionValues {
  input?: string;
  inputFormat?: InputFormat;
  columns?: ColumnSpec;
  skipInvalid?: boolean;
  buckets?: number;
  beta?: number;
  rows?: (typeof ROW_TABLES)[number];
  chart?: boolean;
  out?: string;
  force?: boolean;
  width?: number;
  height?: number;
  threads?: number;
  labels?: string;
  activation?: Activation;
  ignoreLabel?: number;
  partial?: string;
}

const ROW_TABLES = ['class', 'buckets', 'easy', 'cdf'] as const;
/** The hardest k of each class whose share of the class's loss the CDF table shows. */
const CDF_FRACTIONS = [0.01, 0.05, 0.1, 0.2, 0.5, 0.8, 1];

const ANATOMY_EXAMPLES = `
From a file of predictions (p, logit or pt with y; multiclass p_0… or logit_0… with target):
  per class      count, total CE and FL, each class's share, and class weights: inverse
                 frequency and Cui et al.'s effective number (1 − β)/(1 − β^n) (--beta)
  by p_t bucket  count and share of the total CE and FL (--buckets, default 10), and the
                 easy (p_t > 0.5) / hard split: easy negatives dominate CE, not FL
  hardest k%     the share of each class's CE and FL carried by its hardest k% of samples
                 (the paper's Figure 4), from a fixed histogram: constant memory
--chart draws those cumulative curves in the terminal, --out FILE.svg|png to a file. Machine
formats: JSON has every table ("rows" per class, the others under "sections"); CSV, TSV and
NDJSON write one table, chosen with --rows class|buckets|easy|cdf.

Examples:
  $ focal anatomy --input examples/preds.csv
  $ focal anatomy --input examples/preds.csv.gz --buckets 20 --gamma 2 --alpha 0.25
  $ focal anatomy --input examples/preds.csv --rows buckets --format csv
  $ focal anatomy --input examples/dets.tsv --columns p=score,y=label --chart
  $ cat preds.ndjson | focal anatomy --out cdf.svg
`;

const betaValue = numberIn(0, 1, 'β is a number in [0, 1)', '[)');

/** The options anatomy adds to a command (imbalance adds them for --input). */
export function addAnatomyOptions(cmd: Command, { withInput }: { withInput: boolean }): Command {
  if (withInput)
    cmd.option(
      '--input <file>',
      'predictions: a CSV, TSV or NDJSON file (gzip too), .npy, .npz, Parquet or Arrow, or - for stdin',
    );
  return cmd
    .option('--labels <file>', 'with --input PREDICTIONS.npy: the .npy file of the labels (the two-file form)')
    .addOption(
      new Option(
        '--activation <a>',
        'vector inputs: softmax (the default) or sigmoid (one-vs-rest on every element)',
      ).argParser(oneOf(ACTIVATIONS, 'an activation')),
    )
    .option(
      '--ignore-label <n>',
      `--activation sigmoid with a class index per row: the index that skips a row (default ${DEFAULT_IGNORE_LABEL})`,
      integerIn(-(2 ** 31), 2 ** 31 - 1),
    )
    .addOption(
      new Option('--input-format <f>', `${INPUT_FORMATS.join(', ')} (default: from the name, else guessed)`).argParser(
        oneOf(INPUT_FORMATS, 'an input format'),
      ),
    )
    .option(
      '--columns <spec>',
      'input columns by role: p=NAME, logit=NAME, pt=NAME, probs=A+B+…, logits=A+B+…, y=NAME',
      columnSpec,
    )
    .option(
      '--skip-invalid',
      'skip rows of a text input (CSV, TSV, NDJSON) that are not valid samples instead of stopping',
    )
    .option(
      '--threads <n>',
      'worker threads for a large file or stream (default: all cores for files ≥ 32 MiB, gzip ≥ 16 MiB)',
      integerIn(1, 64),
    )
    .option(
      '--partial <file>',
      "write the anatomy's state as a partial file (- for stdout) instead of a report; 'focal merge' combines them",
    )
    .option('--buckets <n>', 'number of equal p_t buckets, 2–100 (default 10)', integerIn(2, 100))
    .option('--beta <β>', 'β of the effective-number class weights, in [0, 1) (default 0.9999)', betaValue)
    .addOption(
      new Option(
        '--rows <table>',
        `the table CSV/TSV/NDJSON write: ${ROW_TABLES.join(', ')} (default class)`,
      ).argParser(oneOf(ROW_TABLES, 'a table')),
    )
    .option('--chart', 'draw the cumulative loss of the hardest samples in the terminal')
    .option(
      '--out <file>',
      'write that chart to a file: .svg or .png; or the whole report as a page: .html',
      outFile([...PICTURE_EXTENSIONS, PAGE_EXTENSION]),
    )
    .option('--force', 'replace --out if it exists')
    .option(
      '--width <n>',
      'chart width: characters, or pixels in a file (default: the terminal / 800)',
      integerIn(20, 10000),
    )
    .option('--height <n>', 'chart height: lines, or pixels in a file (default 24 / 500)', integerIn(10, 10000));
}

export function registerAnatomy(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('anatomy')
    .description(
      'Loss anatomy of a file of predictions: per class, per p_t bucket, easy/hard, and the cumulative loss of the hardest samples, under CE and FL.',
    );
  addAnatomyOptions(cmd, { withInput: true });
  addFocalOptions(cmd, { lists: false });
  addOutputOptions(cmd);
  cmd.addHelpText('after', ANATOMY_EXAMPLES);
  cmd.action((opts: AnatomyOptions) => runAnatomy(opts, ctx));
}

export async function runAnatomy(opts: AnatomyOptions, ctx: CommandContext): Promise<void> {
  const path = inputPath(opts.input, false, ctx);
  if (path === undefined)
    throw new UsageError('anatomy needs predictions: give --input FILE (or - for stdin), or pipe them in.');
  checkPictureOptions(opts);
  if (opts.partial !== undefined && (opts.chart || opts.out !== undefined))
    throw new UsageError(
      "option '--partial' writes the anatomy's state instead of a report; draw it from 'focal merge' of the partial files.",
    );
  if (opts.partial !== undefined) refuseReplacingOtherFile(opts.partial); // before the input is read
  const { gammas, alphas, base } = focalDefaults(opts);
  if (gammas.length !== 1) throw new UsageError("option '--gamma' takes one value here.");
  const gamma = gammas[0]!;
  const alpha = alphas.length === 1 ? alphas[0]! : (alphas as number[]);
  const beta = opts.beta ?? 0.9999;
  const buckets = opts.buckets ?? 10;
  if (opts.ignoreLabel !== undefined && opts.activation !== 'sigmoid')
    throw new UsageError("option '--ignore-label' is for --activation sigmoid.");
  const input = await openPipelineInput(path, opts, ctx);
  const { name, format, inputs } = inputName(input);
  const ignoreLabel = opts.ignoreLabel ?? DEFAULT_IGNORE_LABEL;
  const settings: SampleSettings = {
    ...inputSettings('anatomy', input, opts),
    gamma,
    alpha,
    base: base as LogBase,
    family: familyOf({}),
  };
  // large files and gzip are split across threads, whose anatomies merge exactly
  const pipeline = new Pipeline(settings, { totals: true, anatomy: buckets });
  await readInput(input, pipeline, opts.threads, ctx);
  const info = pipeline.info!;
  const params: AnatomyParams = {
    shape: info.shape,
    input: info.input,
    gamma,
    alpha,
    base: base as LogBase,
    buckets,
    beta,
    ignoreLabel: info.shape === 'sigmoid' && info.targetForm === 'index' ? ignoreLabel : null,
  };
  const totals = pipeline.totalsState();
  const anatomy = pipeline.anatomy!;
  if (opts.partial !== undefined) {
    const text = serializePartial(
      makePartial(
        anatomyPartialParams(params),
        [
          [totalsCollector, totals],
          [anatomyCollector, plainAnatomy(anatomy.state())],
        ],
        { inputs, rows: totals.rows },
      ),
    );
    writePartialText(opts.partial, text, ctx);
    return;
  }
  const meta = { input: name, input_format: format, columns: pipeline.plan!.names };
  await emitAnatomy(anatomyReport(anatomy, totals, params, meta, opts), opts, ctx);
}

/** Everything an anatomy report depends on besides the data: shards merge only when these agree. */
export interface AnatomyParams {
  shape: SampleBatch['shape'];
  input: string;
  gamma: number;
  alpha: number | readonly number[] | null;
  base: LogBase;
  buckets: number;
  beta: number;
  ignoreLabel: number | null;
}

/** The parameters as a partial file holds them. */
export function anatomyPartialParams(p: AnatomyParams): Record<string, unknown> {
  return {
    command: 'anatomy',
    shape: p.shape,
    input: p.input,
    gamma: p.gamma,
    alpha: p.alpha,
    log_base: p.base,
    buckets: p.buckets,
    beta: p.beta,
    ...(p.ignoreLabel !== null ? { ignore_label: p.ignoreLabel } : {}),
  };
}

/** An anatomy report and the chart it can draw. */
export interface AnatomyOutput {
  report: Report;
  /** every table, whatever the format (a page or a chart shows them all) */
  sections: Section[];
  chart: () => Chart;
}

/** Writes an anatomy report, or draws its chart (--chart, --out). */
export async function emitAnatomy(
  out: AnatomyOutput,
  opts: AnatomyOptions | OutputOptionValues,
  ctx: CommandContext,
): Promise<void> {
  const o = opts as AnatomyOptions;
  if (o.chart || o.out)
    return showChartOrPage(ctx, { ...out.report, sections: () => out.sections }, out.chart(), o, 'per class');
  await ctx.emit(out.report, opts);
}

/**
 * The report of an anatomy, the same from one run, threads or merged shards: everything comes
 * from the collectors' states (exact sums), so equal states give equal reports, bit for bit.
 * @param meta  the input's name, format and columns (a merge gives its shards instead)
 */
export function anatomyReport(
  anatomy: LossAnatomy,
  totalsState: TotalsState,
  p: AnatomyParams,
  meta: Record<string, unknown>,
  opts: Pick<AnatomyOptions, 'rows' | 'json' | 'format'>,
): AnatomyOutput {
  const { gamma, alpha, beta, base } = p;
  const binary = p.shape === 'binary';
  const name = (key: ClassKey) => className(key, binary);
  const totals = totalsCollector.finish(totalsState);
  const classes = anatomy.byClass();
  const hard = classes.filter((c) => c.key !== 'soft');
  const weights = classWeights(
    hard.map((c) => c.count),
    beta,
  );
  const classRows: Row[] = classes.map((c) => {
    const k = hard.indexOf(c);
    return {
      class: name(c.key),
      count: c.count,
      ce_total: c.ceTotal,
      fl_total: c.flTotal,
      ce_share: c.ceShare,
      fl_share: c.flShare,
      weight_inverse_frequency: k >= 0 ? weights.inverseFrequency[k]! : null,
      weight_effective_number: k >= 0 ? weights.effectiveNumber[k]! : null,
    };
  });
  const bucketRows: Row[] = anatomy.byBucket().map((b) => ({
    class: name(b.key),
    pt_from: b.from,
    pt_to: b.to,
    count: b.count,
    ce_share: b.ceShare,
    fl_share: b.flShare,
  }));
  const easyRows: Row[] = anatomy.easyHard().map((e) => ({
    class: name(e.key),
    split: e.easy ? 'easy' : 'hard',
    count: e.count,
    ce_share: e.ceShare,
    fl_share: e.flShare,
  }));
  const cdfRows: Row[] = anatomy.classKeys().flatMap((key) =>
    CDF_FRACTIONS.map((f) => {
      const s = anatomy.hardestShare(key, f)!;
      return { class: name(key), hardest: f, ce_share: s.ce, fl_share: s.fl };
    }),
  );

  const classColumns: Column[] = [
    ...CLASS_COLUMNS,
    { key: 'weight_inverse_frequency', label: 'weight 1/n' },
    { key: 'weight_effective_number', label: `weight eff. n (β=${beta})` },
  ];
  const sections: Section[] = [
    {
      key: 'buckets',
      caption: `by p_t bucket (shares of the total CE and FL)`,
      columns: [
        { key: 'class', label: 'class', kind: 'text' },
        { key: 'pt_from', label: 'p_t from' },
        { key: 'pt_to', label: 'to' },
        { key: 'count', label: 'count', kind: 'count' },
        { key: 'ce_share', label: 'CE share' },
        { key: 'fl_share', label: 'FL share' },
      ],
      rows: bucketRows,
    },
    {
      key: 'easy_hard',
      caption: 'easy and hard samples (shares of the total CE and FL)',
      columns: [
        { key: 'class', label: 'class', kind: 'text' },
        { key: 'split', label: 'easy: p_t > 0.5', kind: 'text' },
        { key: 'count', label: 'count', kind: 'count' },
        { key: 'ce_share', label: 'CE share' },
        { key: 'fl_share', label: 'FL share' },
      ],
      rows: easyRows,
    },
    {
      key: 'cdf',
      caption: "the hardest samples' share of their class's loss (the paper's Figure 4)",
      columns: [
        { key: 'class', label: 'class', kind: 'text' },
        { key: 'hardest', label: 'hardest' },
        { key: 'ce_share', label: 'of CE' },
        { key: 'fl_share', label: 'of FL' },
      ],
      rows: cdfRows,
    },
  ];
  const chosen = opts.rows ?? 'class';
  const sectionFor = { buckets: sections[0]!, easy: sections[1]!, cdf: sections[2]! } as const;
  const format = opts.json ? 'json' : (opts.format ?? 'table');
  const main =
    chosen === 'class' || format === 'json' || format === 'table'
      ? { columns: classColumns, rows: classRows }
      : sectionFor[chosen];
  const positive = classes.find((c) => c.key === 1);
  const positiveIndex = hard.findIndex((c) => c.key === 1);
  const report: Report = {
    command: 'anatomy',
    params: {
      ...meta,
      gamma,
      ...alphaParams(alpha),
      log_base: base,
      buckets: anatomy.buckets,
      beta,
      ...(p.shape === 'sigmoid'
        ? { activation: 'sigmoid', ...(p.ignoreLabel !== null ? { ignore_label: p.ignoreLabel } : {}) }
        : {}),
    },
    caption: captionOf({
      ...Object.fromEntries(
        Object.entries(meta)
          .filter(([k]) => k === 'input' || k === 'shards')
          .map(([k, v]) => [k, String(v)]),
      ),
      γ: String(gamma),
      α: Array.isArray(alpha) ? alpha.join(', ') : alphaText(alpha as number | null),
      'log base': base,
    }),
    columns: main.columns,
    rows: main.rows,
    summary: () => ({
      n: anatomy.n,
      skipped: totals.skipped,
      ce_total: totals.ce.sum,
      fl_total: totals.fl.sum,
      ...(binary
        ? {
            positive_ce_share: positive?.ceShare ?? 0,
            positive_fl_share: positive?.flShare ?? 0,
            alpha_inverse_frequency:
              positiveIndex >= 0 && hard.length === 2 ? weights.inverseFrequency[positiveIndex]! : null,
            alpha_effective_number:
              positiveIndex >= 0 && hard.length === 2 ? weights.effectiveNumber[positiveIndex]! : null,
          }
        : {}),
    }),
    summaryItems: [
      { key: 'n', label: 'samples', kind: 'count' },
      { key: 'ce_total', label: 'total CE' },
      { key: 'fl_total', label: 'total FL' },
      { key: 'positive_ce_share', label: "positives' share of CE" },
      { key: 'positive_fl_share', label: "positives' share of FL" },
      { key: 'alpha_inverse_frequency', label: 'α by inverse class frequency' },
      { key: 'alpha_effective_number', label: `α by effective number (β = ${beta})` },
    ],
    sections: () => (format === 'table' || format === 'json' ? sections : []),
    summaryIsTheRecord: false,
    notes: [
      'hardest-k shares come from a histogram over logit(p_t) (bins of 1/32): exact at bin edges, interpolated between',
    ],
  };
  const chart = (): Chart => ({
    title: 'Cumulative loss of the hardest samples (Lin et al. 2017, Fig. 4)',
    xLabel: "fraction of the class's samples, hardest first",
    yLabel: "share of the class's loss",
    xScale: 'linear',
    yScale: 'linear',
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: anatomy.classKeys().flatMap((key) => {
      const points = anatomy.cdf(key);
      return [
        { label: `${name(key)} CE`, points: points.map((p) => [p.fraction, p.ce] as const) },
        { label: `${name(key)} FL (γ = ${gamma})`, points: points.map((p) => [p.fraction, p.fl] as const) },
      ];
    }),
  });
  return { report, sections, chart };
}
