import { Option, type Command } from 'commander';
import { classWeights, LossAnatomy, type ClassKey, type LogBase } from '../core/index.js';
import type { Column, Report, Row, Section } from '../output/index.js';
import { PICTURE_EXTENSIONS, type Chart } from '../output/chart/index.js';
import { addFocalOptions, addOutputOptions, focalDefaults, type FocalOptionValues, type OutputOptionValues } from '../cli/options.js';
import { integerIn, numberIn, oneOf, outFile } from '../cli/values.js';
import { UsageError } from '../errors.js';
import { SOFT_CLASS } from '../pipeline/evaluate.js';
import { ACTIVATIONS, DEFAULT_IGNORE_LABEL, type Activation, type SampleBatch } from '../pipeline/layout.js';
import { arrayName, type ColumnarFile } from '../pipeline/open.js';
import { runColumnar, sampleBatches } from '../pipeline/run.js';
import { Progress } from '../cli/progress.js';
import { columnSpec, type ColumnSpec } from '../input/layout.js';
import { INPUT_FORMATS, openInput, type ColumnarInput, type InputFormat } from '../input/source.js';
import { alphaParams, alphaText, captionOf, checkPictureOptions, PAGE_EXTENSION, type CommandContext } from './shared.js';
import { showChartOrPage } from './chart-output.js';
import { CLASS_COLUMNS, className } from './loss-classes.js';
import { familyOf } from './family.js';
import { inputPath, noteSkipped, runParallel, runSingle, threadsFor } from './loss-run.js';
import { anatomyOf, columnarPlan, type SampleSettings } from './loss-input.js';

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
  if (withInput) cmd.option('--input <file>', 'predictions: a CSV, TSV or NDJSON file (gzip too), .npy, .npz, Parquet or Arrow, or - for stdin');
  return cmd
    .option('--labels <file>', 'with --input PREDICTIONS.npy: the .npy file of the labels (the two-file form)')
    .addOption(new Option('--activation <a>', 'vector inputs: softmax (the default) or sigmoid (one-vs-rest on every element)').argParser(oneOf(ACTIVATIONS, 'an activation')))
    .option('--ignore-label <n>', `--activation sigmoid with a class index per row: the index that skips a row (default ${DEFAULT_IGNORE_LABEL})`, integerIn(-(2 ** 31), 2 ** 31 - 1))
    .addOption(new Option('--input-format <f>', `${INPUT_FORMATS.join(', ')} (default: from the name, else guessed)`).argParser(oneOf(INPUT_FORMATS, 'an input format')))
    .option('--columns <spec>', 'input columns by role: p=NAME, logit=NAME, pt=NAME, probs=A+B+…, logits=A+B+…, y=NAME', columnSpec)
    .option('--skip-invalid', 'skip rows that are not valid samples instead of stopping')
    .option('--threads <n>', 'worker threads for a large file (default: all cores for files ≥ 32 MiB)', integerIn(1, 64))
    .option('--buckets <n>', 'number of equal p_t buckets, 2–100 (default 10)', integerIn(2, 100))
    .option('--beta <β>', 'β of the effective-number class weights, in [0, 1) (default 0.9999)', betaValue)
    .addOption(new Option('--rows <table>', `the table CSV/TSV/NDJSON write: ${ROW_TABLES.join(', ')} (default class)`).argParser(oneOf(ROW_TABLES, 'a table')))
    .option('--chart', 'draw the cumulative loss of the hardest samples in the terminal')
    .option('--out <file>', 'write that chart to a file: .svg or .png; or the whole report as a page: .html', outFile([...PICTURE_EXTENSIONS, PAGE_EXTENSION]))
    .option('--force', 'replace --out if it exists')
    .option('--width <n>', 'chart width: characters, or pixels in a file (default: the terminal / 800)', integerIn(20, 10000))
    .option('--height <n>', 'chart height: lines, or pixels in a file (default 24 / 500)', integerIn(10, 10000));
}

export function registerAnatomy(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('anatomy')
    .description('Loss anatomy of a file of predictions: per class, per p_t bucket, easy/hard, and the cumulative loss of the hardest samples, under CE and FL.');
  addAnatomyOptions(cmd, { withInput: true });
  addFocalOptions(cmd, { lists: false });
  addOutputOptions(cmd);
  cmd.addHelpText('after', ANATOMY_EXAMPLES);
  cmd.action((opts: AnatomyOptions) => runAnatomy(opts, ctx));
}

export async function runAnatomy(opts: AnatomyOptions, ctx: CommandContext): Promise<void> {
  const input = inputPath(opts.input, false, ctx);
  if (input === undefined) throw new UsageError('anatomy needs predictions: give --input FILE (or - for stdin), or pipe them in.');
  checkPictureOptions(opts);
  const { gammas, alphas, base } = focalDefaults(opts);
  if (gammas.length !== 1) throw new UsageError("option '--gamma' takes one value here.");
  const gamma = gammas[0]!;
  const alpha = alphas.length === 1 ? alphas[0]! : (alphas as number[]);
  const beta = opts.beta ?? 0.9999;
  const opened = await openInput(input, { format: opts.inputFormat, stdin: input === '-' ? ctx.stdin() : null });
  const anatomy = new LossAnatomy(opts.buckets ?? 10);
  const outcome = opened.columnar ? await columnarAnatomy(opened, opts, { gamma, alpha, base }, anatomy, ctx) : await textAnatomy(opened, opts, { gamma, alpha, base }, anatomy, ctx);
  const source = opened;
  const binary = outcome.binary;
  const name = (key: ClassKey) => className(key, binary);

  const classes = anatomy.byClass();
  const hard = classes.filter((c) => c.key !== 'soft');
  const weights = classWeights(hard.map((c) => c.count), beta);
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
  const bucketRows: Row[] = anatomy.byBucket().map((b) => ({ class: name(b.key), pt_from: b.from, pt_to: b.to, count: b.count, ce_share: b.ceShare, fl_share: b.flShare }));
  const easyRows: Row[] = anatomy.easyHard().map((e) => ({ class: name(e.key), split: e.easy ? 'easy' : 'hard', count: e.count, ce_share: e.ceShare, fl_share: e.flShare }));
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
  const main = chosen === 'class' || format === 'json' || format === 'table' ? { columns: classColumns, rows: classRows } : sectionFor[chosen];
  const positive = classes.find((c) => c.key === 1);
  const positiveIndex = hard.findIndex((c) => c.key === 1);
  const report: Report = {
    command: 'anatomy',
    params: { input: source.name, input_format: source.format, columns: outcome.columns, gamma, ...alphaParams(alpha), log_base: base, buckets: anatomy.buckets, beta },
    caption: captionOf({ input: source.name, γ: String(gamma), α: Array.isArray(alpha) ? alpha.join(', ') : alphaText(alpha), 'log base': base }),
    columns: main.columns,
    rows: main.rows,
    summary: () => ({
      n: outcome.n,
      skipped: outcome.skipped,
      ce_total: classes.reduce((a, c) => a + c.ceTotal, 0),
      fl_total: classes.reduce((a, c) => a + c.flTotal, 0),
      ...(binary
        ? {
            positive_ce_share: positive?.ceShare ?? 0,
            positive_fl_share: positive?.flShare ?? 0,
            alpha_inverse_frequency: positiveIndex >= 0 && hard.length === 2 ? weights.inverseFrequency[positiveIndex]! : null,
            alpha_effective_number: positiveIndex >= 0 && hard.length === 2 ? weights.effectiveNumber[positiveIndex]! : null,
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
    notes: ['hardest-k shares come from a histogram over logit(p_t) (bins of 1/32): exact at bin edges, interpolated between'],
  };
  if (opts.chart || opts.out) {
    const chart: Chart = {
      title: "Cumulative loss of the hardest samples (Lin et al. 2017, Fig. 4)",
      xLabel: 'fraction of the class\'s samples, hardest first',
      yLabel: 'share of the class\'s loss',
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
    };
    await showChartOrPage(ctx, { ...report, sections: () => sections }, chart, opts, 'per class');
    return;
  }
  await ctx.emit(report, opts);
}

interface AnatomyOutcome {
  n: number;
  skipped: number;
  /** binary samples (classes negative/positive), not class indices */
  binary: boolean;
  columns: string[];
}

type Focal = { gamma: number; alpha: number | number[] | null; base: string };

async function textAnatomy(source: Exclude<Awaited<ReturnType<typeof openInput>>, ColumnarInput>, opts: AnatomyOptions, f: Focal, anatomy: LossAnatomy, ctx: CommandContext): Promise<AnatomyOutcome> {
  if (opts.labels !== undefined) throw new UsageError(`option '--labels' is for a second .npy file beside an .npy of predictions; ${source.name} is ${source.format.toUpperCase()} text.`);
  if (opts.activation === 'sigmoid' || opts.ignoreLabel !== undefined) throw new UsageError(`anatomy --activation sigmoid reads .npy, .npz, Parquet and Arrow for now; ${source.name} is ${source.format.toUpperCase()} text.`);
  const progress = Progress.for(ctx.stderr, source.size);
  const settings: SampleSettings = { command: 'anatomy', source: source.name, columns: opts.columns ?? {}, gamma: f.gamma, alpha: f.alpha, base: f.base as LogBase, skipInvalid: opts.skipInvalid ?? false, family: familyOf({}) };
  // plain files of 32 MiB or more are split across threads, whose anatomies merge exactly
  const threads = threadsFor(source, opts.threads);
  const outcome =
    threads > 1
      ? await runParallel(source, settings, threads, progress, anatomy)
      : await runSingle(source, settings, anatomyOf(anatomy), (samples) => progress?.update(source.bytesRead(), samples));
  progress?.done();
  noteSkipped(ctx, source, outcome);
  const layout = outcome.sink.layout!;
  return { n: outcome.n, skipped: outcome.skipped, binary: !(layout.kind === 'probs' || layout.kind === 'logits'), columns: layout.names };
}

/** A .npy/.npz/Parquet/Arrow input through the pipeline (one thread), every element into the anatomy. */
async function columnarAnatomy(input: ColumnarInput, opts: AnatomyOptions, f: Focal, anatomy: LossAnatomy, ctx: CommandContext): Promise<AnatomyOutcome> {
  if (opts.skipInvalid) throw new UsageError(`option '--skip-invalid' is for text input; a bad value in ${input.name} stops the run.`);
  if (opts.threads !== undefined && opts.threads > 1) throw new UsageError(`option '--threads' splits text files; ${input.name} is read on one thread.`);
  let labels: ColumnarFile | null = null;
  if (opts.labels !== undefined) {
    const opened = await openInput(opts.labels, { stdin: opts.labels === '-' ? ctx.stdin() : null });
    if (!opened.columnar || opened.format !== 'npy') throw new UsageError(`option '--labels' ${JSON.stringify(opts.labels)}: the two-file form takes an .npy file of labels beside an .npy file of predictions.`);
    labels = opened;
  }
  const plan = columnarPlan({ source: input.name, columns: opts.columns ?? {}, activation: opts.activation, ignoreLabel: opts.ignoreLabel ?? DEFAULT_IGNORE_LABEL, labelsArray: labels ? arrayName(labels.name) : null });
  const classAlpha = Array.isArray(f.alpha) ? f.alpha : null;
  let columns: string[] = [];
  let shape: SampleBatch['shape'] = 'binary';
  let n = 0;
  await runColumnar(
    sampleBatches(input, labels, (available) => {
      const p = plan(available);
      columns = [...(p.vector ?? [p.layout.prediction]), p.layout.shape === 'binary' ? p.layout.label : p.layout.target];
      return p;
    }),
    { gamma: f.gamma, alpha: classAlpha ? null : (f.alpha as number | null), base: f.base as LogBase, classAlpha },
    (e) => {
      n += e.count;
      for (let i = 0; i < e.count; i++) {
        const code = e.classOf[i]!;
        anatomy.add(code === SOFT_CLASS ? 'soft' : code, e.pt![i]!, e.ce[i]!, e.fl[i]!);
      }
    },
    {
      withPt: true,
      check(batch) {
        shape = batch.shape;
        if (classAlpha && (batch.shape !== 'softmax' || classAlpha.length !== batch.classes)) throw new UsageError(`option '--alpha' has ${classAlpha.length} values; give one${batch.shape === 'softmax' ? `, or one per class (${batch.classes})` : ''}.`);
      },
    },
  );
  if (n === 0) throw new UsageError(`${input.name}: no rows; nothing to take apart.`);
  return { n, skipped: 0, binary: shape === 'binary', columns };
}
