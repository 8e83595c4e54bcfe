import { Option, type Command } from 'commander';
import {
  evaluateBinary,
  evaluateCategorical,
  evaluateVariants,
  LossAccumulator,
  REDUCTIONS,
  smoothLabel,
  type BinaryInputKind,
  type CategoricalEvaluation,
  type LogBase,
  type Reduction,
} from '../core/index.js';
import { TotalsFeed } from '../pipeline/collect/totals.js';
import { SOFT_CLASS } from '../pipeline/evaluate.js';
import {
  ACTIVATIONS,
  DEFAULT_IGNORE_LABEL,
  isBinaryLabel,
  type Activation,
  type SampleBatch,
} from '../pipeline/layout.js';
import { Pipeline, steps } from '../pipeline/run.js';
import { PT_SMOOTHING, type SampleSettings } from '../pipeline/samples.js';
import type { Column, Report, Row } from '../output/index.js';
import {
  addFocalOptions,
  addOutputOptions,
  focalDefaults,
  type FocalOptionValues,
  type OutputOptionValues,
} from '../cli/options.js';
import { classIndices, integerIn, labels, logits, oneOf, probabilities, vectors } from '../cli/values.js';
import { UsageError } from '../errors.js';
import { Progress } from '../cli/progress.js';
import { columnSpec, type ColumnSpec } from '../input/layout.js';
import { INPUT_FORMATS, type InputFormat } from '../input/source.js';
import { alphaParams, alphaText, binaryColumns, binaryRow, captionOf, type CommandContext } from './shared.js';
import { totalsReport } from './loss-classes.js';
import { refuseReplacingOtherFile, writePartial, type LossParams } from './loss-partial.js';
import {
  addFamilyOptions,
  checkFamily,
  FAMILY_HELP,
  familyCaption,
  familyOf,
  familyParams,
  type Family,
  type FamilyOptionValues,
} from './family.js';
import {
  emptyInput,
  inputName,
  inputPath,
  inputSettings,
  noteSkipped,
  openPipelineInput,
  readInput,
} from './read-input.js';
import { checkSoftmaxFamily, softmaxFamilyCells, softmaxFamilyColumns } from './loss-softmax.js';
import { addPrecisionOptions, PRECISION_HELP, precisionOf, type PrecisionOptionValues } from './precision.js';

export interface LossOptions extends FocalOptionValues, OutputOptionValues, FamilyOptionValues, PrecisionOptionValues {
  p?: number[];
  logit?: number[];
  pt?: number[];
  probs?: number[][];
  logits?: number[][];
  y?: number[];
  target?: number[];
  reduction?: Reduction;
  grad?: boolean;
  input?: string;
  inputFormat?: InputFormat;
  columns?: ColumnSpec;
  skipInvalid?: boolean;
  threads?: number;
  labels?: string;
  activation?: Activation;
  ignoreLabel?: number;
  partial?: string;
}

const EXAMPLES = `
Samples come from the command line (paired element-wise with their labels; a single --y or
--target applies to all) or from a file or stdin (--input FILE|-, CSV/TSV/NDJSON, .gz too).
The summary holds the reduced CE and FL (--reduction, default mean), both totals and means,
and each class's share of the total CE and FL.
  mean       sum / n
  sum        sum
  positives  sum / max(1, number of samples with y = 1)   (RetinaNet's normalisation)
  none       per-sample rows (streamed for files); the summary keeps the totals

Files: a header names the columns: p, logit or pt for the prediction and y (or label,
target) for the label; multiclass p_0, p_1, … or logit_0, logit_1, … with target. Other
names: --columns p=score,y=label or --columns logits=c0+c1+c2,y=cls. A bad row stops the run
(exit 2, naming the line and column) unless --skip-invalid.

Examples:
  $ focal loss --p 0.9,0.2,0.7 --y 1,0,1
  $ focal loss --logit 2.5,-1,0.3 --y 1,0,0 --reduction sum --gamma 2 --alpha 0.25
  $ focal loss --logit=-4 --logit=-5 --y 0 --reduction positives --json
  $ focal loss --probs '0.7,0.2,0.1;0.1,0.3,0.6' --target 0,2 --alpha 0.25
  $ focal loss --input examples/preds.csv --reduction mean
  $ focal loss --input examples/dets.tsv --columns p=score,y=label --format json
  $ cat preds.ndjson | focal loss --reduction none --format ndjson | head
  $ focal loss --logit 2.5,-1,0.3 --y 1,0,0 --loss ce,fl,poly1,fl-star --reduction sum
`;

/** Help on the binary formats, dense detector outputs and shards (issue 9). */
const BINARY_INPUT_HELP = `
.npy, .npz, Parquet and Arrow (recognised by their first bytes, or --input-format): .npz arrays
and Parquet/Arrow columns are named like CSV headers (a 2-D array or a list column is a vector:
logits=NAME); two .npy files: --input logits.npy --labels targets.npy (an array is named after
its file). Dense detector outputs [N, C]: --activation sigmoid is one-vs-rest focal loss on every
element (torchvision), with targets [N, C] (multi-hot) or a class index per row (outside 0…C−1:
background; --ignore-label, default −2: the row is skipped and counted); --reduction positives
divides by the positive elements (RetinaNet).
Shards: --partial FILE (- for stdout) writes the totals instead of a report; 'focal merge A.json
B.json …' prints the report of all the shards' rows, bit for bit.
  $ focal loss --input examples/formats/binary.npz
  $ focal loss --input examples/formats/logits.npy --labels examples/formats/targets.npy --activation sigmoid --reduction positives
  $ focal loss --input examples/formats/binary.parquet --partial part-0.json
`;

/** Pairs a list with per-sample values: equal lengths, or a single value that broadcasts. */
export function paired<T>(items: readonly T[], n: number, option: string, samples: string): T[] {
  if (items.length === n) return [...items];
  if (items.length === 1) return new Array<T>(n).fill(items[0]!);
  throw new UsageError(`option '${option}' has ${items.length} values for ${n} ${samples}; give one value or ${n}.`);
}

export function single<T>(items: readonly T[], option: string): T {
  if (items.length !== 1)
    throw new UsageError(
      `option '${option}' takes one value in 'loss' (got ${items.length}); use 'focal compare' to sweep it.`,
    );
  return items[0]!;
}

export function registerLoss(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('loss')
    .description(
      "The cross-entropy and focal loss of a batch of samples, per sample and reduced, with each class's share.",
    )
    .option('--p <list>', 'binary: probabilities of class 1, in [0, 1]', probabilities)
    .option('--logit <list>', 'binary: logits, finite numbers', logits)
    .option(
      '--pt <list>',
      'binary: probabilities of the true class, in [0, 1] (needs hard labels --y 0 or 1)',
      probabilities,
    )
    .option('--y <list>', 'binary: labels 0, 1 or soft labels in [0, 1], one per sample or one for all', labels)
    .option(
      '--probs <vector>',
      "multiclass: one probability vector per sample (repeat the option, or separate vectors with ';'); normalised by its sum",
      vectors('probs'),
    )
    .option(
      '--logits <vector>',
      "multiclass: one logit vector per sample (repeat, or separate with ';'); softmax",
      vectors('logits'),
    )
    .option('--target <list>', 'multiclass: target class index per sample (0-based), or one for all', classIndices)
    .option(
      '--input <file>',
      'read samples from a CSV, TSV or NDJSON file (gzip too), .npy, .npz, Parquet or Arrow, or - for stdin (also read when stdin is a pipe and no samples are given)',
    )
    .option('--labels <file>', 'with --input PREDICTIONS.npy: the .npy file of the labels (the two-file form)')
    .addOption(
      new Option(
        '--activation <a>',
        'vector inputs: softmax (one class per row; the default) or sigmoid (one-vs-rest on every element, as torchvision and RetinaNet)',
      ).argParser(oneOf(ACTIVATIONS, 'an activation')),
    )
    .option(
      '--ignore-label <n>',
      `--activation sigmoid with a class index per row: the index that skips a row (default ${DEFAULT_IGNORE_LABEL})`,
      integerIn(-(2 ** 31), 2 ** 31 - 1),
    )
    .option(
      '--partial <file>',
      "write the totals as a partial file (- for stdout) instead of a report; 'focal merge' combines them",
    )
    .addOption(
      new Option(
        '--input-format <f>',
        `${INPUT_FORMATS.join(', ')} (default: from the file name, else guessed)`,
      ).argParser(oneOf(INPUT_FORMATS, 'an input format')),
    )
    .option(
      '--columns <spec>',
      'input columns by role: p=NAME, logit=NAME, pt=NAME, probs=A+B+…, logits=A+B+…, y=NAME',
      columnSpec,
    )
    .option(
      '--skip-invalid',
      'skip rows of a text input (CSV, TSV, NDJSON) that are not valid samples (count and first lines on stderr) instead of stopping',
    )
    .option(
      '--threads <n>',
      'worker threads for a reduction over a large file or stream (default: all cores for files ≥ 32 MiB, gzip ≥ 16 MiB)',
      integerIn(1, 64),
    )
    .addOption(
      new Option('--reduction <r>', `${REDUCTIONS.join(', ')} (default mean)`).argParser(
        oneOf(REDUCTIONS, 'a reduction'),
      ),
    )
    .option(
      '--grad',
      'add the gradients per sample: of FL and CE with respect to the logit and to p (binary), or over the logits (--logits: vectors)',
    );
  addFocalOptions(cmd, { lists: false });
  addFamilyOptions(cmd);
  addPrecisionOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText('after', EXAMPLES + BINARY_INPUT_HELP + FAMILY_HELP + PRECISION_HELP);
  cmd.action(async (opts: LossOptions) => {
    const reduction = opts.reduction ?? 'mean';
    const given = (['p', 'logit', 'pt', 'probs', 'logits'] as const).filter((k) => opts[k] !== undefined);
    if (given.length > 1)
      throw new UsageError(
        `loss takes one kind of prediction, but got ${given.map((k) => `--${k}`).join(' and ')}; give only one.`,
      );
    if (given.length === 1 && opts.input !== undefined)
      throw new UsageError(`option '--input' and --${given[0]} are two sources of samples; give one.`);
    const input = inputPath(opts.input, given.length > 0, ctx);
    const precision = precisionOf(opts);
    if (precision && input !== undefined)
      throw new UsageError(
        '--as and --dtype take samples from the command line (--p/--logit with --y, --probs/--logits with --target), not --input.',
      );
    if (input !== undefined) {
      const report = await inputReport(input, opts, reduction, ctx);
      return report ? ctx.emit(report, opts) : undefined;
    }
    for (const o of [
      'columns',
      'inputFormat',
      'skipInvalid',
      'threads',
      'labels',
      'activation',
      'ignoreLabel',
      'partial',
    ] as const) {
      if (opts[o] !== undefined)
        throw new UsageError(
          `option '--${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}' is for --input; the samples here come from the command line.`,
        );
    }
    const kind = given[0];
    if (!kind)
      throw new UsageError(
        'loss needs samples: give --p/--logit/--pt with --y, --probs/--logits with --target, or --input FILE (- for stdin).',
      );
    if (precision) {
      if (kind === 'pt')
        throw new UsageError('--as and --dtype take --p or --logit (frameworks compute from those), not --pt.');
      const { precisionLossReport } = await import('./precision-loss.js');
      return ctx.emit(precisionLossReport(precision, kind, opts, reduction), opts);
    }
    const report =
      kind === 'probs' || kind === 'logits'
        ? categoricalReport(kind, opts, reduction)
        : binaryReport(kind, opts, reduction);
    await ctx.emit(report, opts);
  });
}

function binaryReport(kind: BinaryInputKind, opts: LossOptions, reduction: Reduction): Report {
  if (opts.target) throw new UsageError("option '--target' is for --probs/--logits; binary samples take --y.");
  if (!opts.y)
    throw new UsageError(
      `loss needs labels: give --y (${kind === 'pt' ? '0 or 1' : '0, 1 or soft labels'}) for the --${kind} samples.`,
    );
  const values = opts[kind]!;
  const ys = paired(opts.y, values.length, '--y', 'samples');
  if (ys.some((y) => !isBinaryLabel(kind, y))) {
    throw new UsageError(
      `option '--y' with --pt takes hard labels 0 or 1 (p_t is only defined per class); got ${[...new Set(ys)].join(',')}.`,
    );
  }
  const { gammas, alphas, base } = focalDefaults(opts);
  const gamma = single(gammas, '--gamma');
  const alpha = single(alphas, '--alpha');
  const grad = opts.grad ?? false;
  const family = familyOf(opts);
  if (kind === 'pt' && family.smoothing > 0) throw new UsageError(PT_SMOOTHING);
  checkFamily(family, [...new Set(ys)], [gamma]);
  const totals = new TotalsFeed();
  const acc = new LossAccumulator(family.extras.length);
  function* rows(): Generator<Row> {
    const variants = new Float64Array(family.extras.length);
    for (let i = 0; i < values.length; i++) {
      const y = ys[i]!;
      const label = smoothLabel(y, family.smoothing);
      const r = evaluateBinary(kind, values[i]!, label, { gamma, alpha, base });
      totals.add(r.ce, r.fl, y === 0 || y === 1 ? y : SOFT_CLASS, y === 1);
      if (family.extras.length) {
        evaluateVariants(family.extras, kind, values[i]!, label, { gamma, alpha, base, ...family.params }, variants);
        acc.addExtras(variants);
      }
      yield {
        index: i,
        ...binaryRow(r, { logit: kind === 'logit' ? values[i] : undefined, y, gamma, alpha, grad, family, variants }),
      };
    }
  }
  return {
    command: 'loss',
    params: { prediction: kind, gamma, alpha, log_base: base, reduction, grad, ...familyJson(family) },
    caption: captionOf({
      γ: String(gamma),
      α: alphaText(alpha),
      'log base': base,
      reduction,
      ...familyCaption(family),
    }),
    columns: [{ key: 'index', label: '#', kind: 'count' }, ...binaryColumns({ logit: kind === 'logit', grad, family })],
    rows: rows(),
    ...totalsReport(() => totals.totals(), reduction, 'binary', {
      family,
      variantSums: () => acc.extraSums(),
      fromInput: false,
    }),
  };
}

/** The family's part of the JSON params: the losses, and their parameters when used. */
function familyJson(family: Family): Record<string, unknown> {
  return {
    ...(family.explicit ? { loss: family.names } : {}),
    ...familyParams(family),
    ...(family.smoothing > 0 ? { label_smoothing: family.smoothing } : {}),
  };
}

function categoricalAlpha(alphas: (number | null)[], classes: number): number | number[] | null {
  if (alphas.length === 1) return alphas[0]!;
  if (alphas.length === classes && alphas.every((a) => a !== null)) return alphas as number[];
  throw new UsageError(
    `option '--alpha' has ${alphas.length} values; give one (for every class) or one per class (${classes}).`,
  );
}

const CATEGORICAL_COLUMNS: Column[] = [
  { key: 'index', label: '#', kind: 'count' },
  { key: 'target', label: 'target', kind: 'count' },
  { key: 'pt', label: 'p_t' },
  { key: 'gamma', label: 'γ', table: false },
  { key: 'alpha_t', label: 'α_t' },
  { key: 'modulating', label: '(1−p_t)^γ' },
  { key: 'ce', label: 'CE' },
  { key: 'fl', label: 'FL' },
  { key: 'ratio', label: 'CE/FL' },
];

function categoricalRow(r: CategoricalEvaluation, index: number, target: number, gamma: number, grad = false): Row {
  const row: Record<string, Row[string]> = {
    index,
    target,
    pt: r.pt,
    gamma,
    alpha_t: r.alphaT,
    modulating: r.modulating,
    ce: r.ce,
    fl: r.fl,
    ratio: r.ratio,
  };
  if (grad) Object.assign(row, { grad: r.grad, grad_ce: r.gradCe });
  return row;
}

/** Multiclass gradients are vectors over the K logits: JSON arrays, `;`-joined in CSV/TSV. */
const CATEGORICAL_GRAD_COLUMNS: Column[] = [
  { key: 'grad', label: 'dFL/dx' },
  { key: 'grad_ce', label: 'dCE/dx' },
];

function categoricalReport(kind: 'probs' | 'logits', opts: LossOptions, reduction: Reduction): Report {
  if (opts.y) throw new UsageError("option '--y' is for binary samples; --probs/--logits take --target.");
  const grad = opts.grad ?? false;
  if (grad && kind === 'probs')
    throw new UsageError(
      "option '--grad' gives the gradient over the logits: use --logits (a probability vector has none).",
    );
  if (!opts.target) throw new UsageError(`loss needs the target class of each --${kind} sample: give --target.`);
  if (reduction === 'positives')
    throw new UsageError("reduction 'positives' needs binary labels; use mean or sum for multiclass samples.");
  const samples = opts[kind]!;
  const classes = samples[0]!.length;
  samples.forEach((s, i) => {
    if (s.length !== classes)
      throw new UsageError(
        `option '--${kind}': sample ${i} has ${s.length} classes but sample 0 has ${classes}; every vector needs the same length.`,
      );
  });
  const targets = paired(opts.target, samples.length, '--target', 'samples');
  targets.forEach((t) => {
    if (t >= classes)
      throw new UsageError(
        `option '--target' ${t} is not a class of a ${classes}-class vector; use 0 to ${classes - 1}.`,
      );
  });
  const { gammas, alphas, base } = focalDefaults(opts);
  const gamma = single(gammas, '--gamma');
  const alpha = categoricalAlpha(alphas, classes);
  const family = familyOf(opts);
  checkSoftmaxFamily(family, kind);
  const acc = new LossAccumulator(family.extras.length);
  const extraColumns = softmaxFamilyColumns(family, grad);
  const totals = new TotalsFeed();
  function* rows(): Generator<Row> {
    const variants = new Float64Array(family.extras.length);
    for (let i = 0; i < samples.length; i++) {
      const r = evaluateCategorical(kind, samples[i]!, targets[i]!, {
        gamma,
        alpha,
        base,
        labelSmoothing: family.smoothing,
      });
      totals.add(r.ce, r.fl, targets[i]!, false);
      const cells = softmaxFamilyCells(
        family,
        kind,
        samples[i]!,
        targets[i]!,
        { gamma, alpha, base, epsilon: family.params.epsilon! },
        r,
        grad,
        variants,
      );
      if (family.extras.length) acc.addExtras(variants);
      yield { ...categoricalRow(r, i, targets[i]!, gamma), ...cells };
    }
  }
  return {
    command: 'loss',
    params: {
      prediction: kind,
      classes,
      gamma,
      ...alphaParams(alpha),
      log_base: base,
      reduction,
      grad,
      ...familyJson(family),
    },
    caption: captionOf({
      γ: String(gamma),
      α: Array.isArray(alpha) ? alpha.join(', ') : alphaText(alpha),
      'log base': base,
      reduction,
      ...familyCaption(family),
    }),
    columns: [
      ...CATEGORICAL_COLUMNS,
      ...extraColumns.losses,
      ...(grad ? CATEGORICAL_GRAD_COLUMNS : []),
      ...extraColumns.grads,
    ],
    rows: rows(),
    ...totalsReport(() => totals.totals(), reduction, 'softmax', {
      family,
      variantSums: () => acc.extraSums(),
      fromInput: false,
    }),
  };
}

/** The per-sample rows of a batch of samples (binary or softmax), evaluated one by one for every column. */
function rowsOf(
  b: SampleBatch,
  first: number,
  o: {
    gamma: number;
    alpha: number | null;
    classAlpha: readonly number[] | null;
    base: LogBase;
    grad: boolean;
    family: Family;
  },
): Row[] {
  const rows: Row[] = [];
  if (b.shape === 'binary') {
    const variants = new Float64Array(o.family.extras.length);
    for (let r = 0; r < b.rows; r++) {
      const v = b.value[r]!;
      const y = b.label[r]!;
      const label = smoothLabel(y, o.family.smoothing);
      const e = evaluateBinary(b.input, v, label, { gamma: o.gamma, alpha: o.alpha, base: o.base });
      if (o.family.extras.length)
        evaluateVariants(
          o.family.extras,
          b.input,
          v,
          label,
          { gamma: o.gamma, alpha: o.alpha, base: o.base, ...o.family.params },
          variants,
        );
      rows.push({
        index: first + r,
        ...binaryRow(e, {
          logit: b.input === 'logit' ? v : undefined,
          y,
          gamma: o.gamma,
          alpha: o.alpha,
          grad: o.grad,
          family: o.family,
          variants,
        }),
      });
    }
  } else if (b.shape === 'softmax') {
    for (let r = 0; r < b.rows; r++) {
      const t = b.target[r]!;
      const e = evaluateCategorical(b.input, b.scores.subarray(r * b.classes, (r + 1) * b.classes), t, {
        gamma: o.gamma,
        alpha: o.classAlpha ?? o.alpha,
        base: o.base,
        labelSmoothing: o.family.smoothing,
      });
      rows.push(categoricalRow(e, first + r, t, o.gamma, o.grad));
    }
  }
  return rows;
}

/** The report of a file or stdin, any format; null when --partial wrote the totals instead. */
async function inputReport(
  path: string,
  opts: LossOptions,
  reduction: Reduction,
  ctx: CommandContext,
): Promise<Report | null> {
  const { gammas, alphas, base } = focalDefaults(opts);
  const gamma = single(gammas, '--gamma');
  const alpha: number | number[] | null = alphas.length === 1 ? alphas[0]! : categoricalAlpha(alphas, alphas.length);
  const sigmoid = opts.activation === 'sigmoid';
  const grad = opts.grad ?? false;
  if (opts.ignoreLabel !== undefined && !sigmoid)
    throw new UsageError("option '--ignore-label' is for --activation sigmoid.");
  if (sigmoid && reduction === 'none')
    throw new UsageError(
      '--activation sigmoid with --reduction none: per-element rows are not available yet; give mean, sum or positives.',
    );
  if (opts.partial !== undefined && reduction === 'none')
    throw new UsageError("option '--partial' keeps totals, not rows: give a reduction (mean, sum or positives).");
  if (grad && reduction !== 'none')
    throw new UsageError("option '--grad' adds per-sample columns; use it with --reduction none.");
  const family = familyOf(opts);
  if (opts.partial !== undefined && family.extras.length > 0)
    throw new UsageError(
      `option '--partial' keeps the CE and FL totals; the --loss variants (${family.extras.join(',')}) are not kept in partial files yet.`,
    );
  checkFamily(family, [0, 1], [gamma]);
  if (opts.partial !== undefined) refuseReplacingOtherFile(opts.partial); // before the input is read
  const input = await openPipelineInput(path, opts, ctx);
  const { name, format, inputs } = inputName(input);
  const ignoreLabel = opts.ignoreLabel ?? DEFAULT_IGNORE_LABEL;
  const settings: SampleSettings = {
    ...inputSettings('loss', input, opts),
    gamma,
    alpha,
    base: base as LogBase,
    family,
  };
  const classAlpha = Array.isArray(alpha) ? alpha : null;
  const scalarAlpha = Array.isArray(alpha) ? null : (alpha as number | null);
  const report = (pipeline: Pipeline, columns: Column[], rows: Report['rows'], threads: number | null): Report => {
    const info = pipeline.info!;
    const indexForm = info.shape === 'sigmoid' && info.targetForm === 'index';
    return {
      command: 'loss',
      params: {
        input: inputs.join(', '),
        input_format: format,
        columns: pipeline.plan!.names,
        prediction: info.input,
        gamma,
        ...alphaParams(alpha),
        log_base: base,
        reduction,
        grad,
        ...familyJson(family),
        ...(info.shape === 'sigmoid'
          ? { activation: 'sigmoid', ...(indexForm ? { ignore_label: ignoreLabel } : {}) }
          : {}),
        ...(threads !== null ? { threads } : {}),
      },
      caption: captionOf({
        input: inputs.join(', '),
        γ: String(gamma),
        α: classAlpha ? classAlpha.join(', ') : alphaText(scalarAlpha),
        'log base': base,
        reduction,
        ...familyCaption(family),
        ...(info.shape === 'sigmoid' ? { activation: 'sigmoid' } : {}),
      }),
      columns,
      rows,
      ...totalsReport(() => pipeline.totalsState(), reduction, info.shape, {
        family,
        variantSums: () => pipeline.variants?.values() ?? [],
      }),
    };
  };

  if (reduction !== 'none') {
    const pipeline = new Pipeline(settings, { totals: true, variants: true });
    const threads = await readInput(input, pipeline, opts.threads, ctx);
    const info = pipeline.info!;
    if (reduction === 'positives' && info.shape === 'softmax')
      throw new UsageError(
        "reduction 'positives' needs binary labels or --activation sigmoid; use mean or sum for softmax rows.",
      );
    const state = pipeline.totalsState();
    if (state.rows === 0)
      throw new UsageError(
        `${name}: every row (${state.ignored}) carries the ignore label ${ignoreLabel}; nothing to reduce.`,
      );
    if (opts.partial !== undefined) {
      const lossParams: LossParams = {
        shape: info.shape,
        input: info.input,
        gamma,
        alpha,
        base: base as LogBase,
        reduction,
        smoothing: family.smoothing,
        ignoreLabel: info.shape === 'sigmoid' && info.targetForm === 'index' ? ignoreLabel : null,
      };
      writePartial(opts.partial, lossParams, state, inputs, ctx);
      return null;
    }
    return report(pipeline, [], [], threads);
  }

  // Per-sample rows stream, on one thread: the input is read up to its first batch before
  // anything is printed, so the columns are known and a bad header or early bad row fails cleanly.
  const pending: Row[] = [];
  const rowOptions = { gamma, alpha: scalarAlpha, classAlpha, base: base as LogBase, grad, family };
  const pipeline = new Pipeline(settings, { totals: true, variants: true }, (samples) => {
    // a loop, not push(...rows): a binary batch holds ~10^5 rows, beyond the stack's argument limit
    for (const row of rowsOf(samples, sampleCount, rowOptions)) pending.push(row);
    sampleCount += samples.rows;
  });
  let sampleCount = 0;
  const progress = Progress.for(ctx.stderr, input.kind === 'text' ? input.source.size : input.size);
  const stepper = steps(
    input,
    pipeline,
    progress ? (bytes, rows) => progress.update(input.kind === 'text' ? input.source.bytesRead() : bytes, rows) : null,
  );
  let done = false;
  while (!pipeline.info && !done) done = (await stepper.next()).done === true;
  if (!pipeline.info) {
    progress?.done();
    throw emptyInput(name, 'loss', pipeline.skip.skipped);
  }
  const info = pipeline.info;
  if (grad && info.input === 'probs')
    throw new UsageError(
      "option '--grad' gives the gradient over the logits; probability vectors have none (use logit_0, logit_1, …).",
    );
  if (grad && info.shape === 'softmax' && family.smoothing > 0)
    throw new UsageError("option '--grad' is not available with --label-smoothing for multiclass samples.");
  async function* rows(): AsyncGenerator<Row> {
    for (;;) {
      while (pending.length > 0) yield* pending.splice(0, pending.length);
      if (done) break;
      try {
        done = (await stepper.next()).done === true;
      } catch (err) {
        // the rows before a bad one are whole and valid: they go out before the error
        yield* pending.splice(0, pending.length);
        progress?.done();
        throw err;
      }
    }
    progress?.done();
    if (pipeline.rows === 0) throw emptyInput(name, 'loss', pipeline.skip.skipped);
    noteSkipped(ctx, name, pipeline.skip);
  }
  const columns: Column[] =
    info.shape === 'binary'
      ? [{ key: 'index', label: '#', kind: 'count' }, ...binaryColumns({ logit: info.input === 'logit', grad, family })]
      : grad
        ? [...CATEGORICAL_COLUMNS, ...CATEGORICAL_GRAD_COLUMNS]
        : CATEGORICAL_COLUMNS;
  return report(pipeline, columns, rows(), null);
}
