import { Option, type Command } from 'commander';
import { evaluateBinary, evaluateCategorical, LossAccumulator, REDUCTIONS, type BinaryInputKind, type Reduction } from '../core/index.js';
import type { Column, Report, Row } from '../output/index.js';
import { addFocalOptions, addOutputOptions, focalDefaults, type FocalOptionValues, type OutputOptionValues } from '../cli/options.js';
import { classIndices, labels, logits, oneOf, probabilities, vectors } from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import { alphaText, binaryColumns, binaryRow, captionOf, exactlyOne, type CommandContext } from './shared.js';

interface LossOptions extends FocalOptionValues, OutputOptionValues {
  p?: number[];
  logit?: number[];
  probs?: number[][];
  logits?: number[][];
  y?: number[];
  target?: number[];
  reduction?: Reduction;
  grad?: boolean;
}

const EXAMPLES = `
Samples pair up element-wise with their labels; a single --y (or --target) applies to all.
The summary holds the reduced CE and FL (--reduction, default mean) and both totals.
  mean       sum / n
  sum        sum
  positives  sum / max(1, number of samples with y = 1)   (RetinaNet's normalisation)
  none       no reduction: per-sample rows only (summary keeps the totals)

Examples:
  $ focal loss --p 0.9,0.2,0.7 --y 1,0,1
  $ focal loss --logit 2.5,-1,0.3 --y 1,0,0 --reduction sum --gamma 2 --alpha 0.25
  $ focal loss --logit=-4 --logit=-5 --y 0 --reduction positives --json
  $ focal loss --probs '0.7,0.2,0.1;0.1,0.3,0.6' --target 0,2 --alpha 0.25
  $ focal loss --logits 2,1,0.1 --target 1 --alpha 0.2,0.3,0.5 --gamma 2
`;

/** Pairs a list with per-sample values: equal lengths, or a single value that broadcasts. */
function paired<T>(items: readonly T[], n: number, option: string, samples: string): T[] {
  if (items.length === n) return [...items];
  if (items.length === 1) return new Array<T>(n).fill(items[0]!);
  throw new UsageError(`option '${option}' has ${items.length} values for ${n} ${samples}; give one value or ${n}.`);
}

function single<T>(items: readonly T[], option: string): T {
  if (items.length !== 1) throw new UsageError(`option '${option}' takes one value in 'loss' (got ${items.length}); use 'focal compare' to sweep it.`);
  return items[0]!;
}

export function registerLoss(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('loss')
    .summary('the loss of a batch of samples, reduced, with CE beside FL')
    .description('The cross-entropy and focal loss of a batch of samples given on the command line, per sample and reduced.')
    .option('--p <list>', 'binary: probabilities of class 1, in [0, 1]', probabilities)
    .option('--logit <list>', 'binary: logits, finite numbers', logits)
    .option('--y <list>', 'binary: labels 0, 1 or soft labels in [0, 1], one per sample or one for all', labels)
    .option('--probs <vector>', "multiclass: one probability vector per sample (repeat the option, or separate vectors with ';'); normalised by its sum", vectors('probs'))
    .option('--logits <vector>', "multiclass: one logit vector per sample (repeat, or separate with ';'); softmax", vectors('logits'))
    .option('--target <list>', 'multiclass: target class index per sample (0-based), or one for all', classIndices)
    .addOption(new Option('--reduction <r>', `${REDUCTIONS.join(', ')} (default mean)`).argParser(oneOf(REDUCTIONS, 'a reduction')))
    .option('--grad', 'binary: add dFL/dx and dCE/dx per sample');
  addFocalOptions(cmd, { lists: false });
  addOutputOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (opts: LossOptions) => {
    const kind = exactlyOne(opts, ['p', 'logit', 'probs', 'logits'] as const, ['--p', '--logit', '--probs', '--logits'], 'loss');
    const reduction = opts.reduction ?? 'mean';
    const report = kind === 'p' || kind === 'logit' ? binaryReport(kind, opts, reduction) : categoricalReport(kind, opts, reduction);
    await ctx.emit(report, opts);
  });
}

const SUMMARY_ITEMS = [
  { key: 'n', label: 'samples', kind: 'count' },
  { key: 'positives', label: 'positives (y = 1)', kind: 'count' },
  { key: 'ce_sum', label: 'CE sum' },
  { key: 'fl_sum', label: 'FL sum' },
  { key: 'ce', label: 'CE reduced' },
  { key: 'fl', label: 'FL reduced' },
] as const;

function binaryReport(kind: BinaryInputKind, opts: LossOptions, reduction: Reduction): Report {
  if (opts.target) throw new UsageError("option '--target' is for --probs/--logits; binary samples take --y.");
  if (!opts.y) throw new UsageError(`loss needs labels: give --y (0, 1 or soft labels) for the ${kind === 'p' ? '--p' : '--logit'} samples.`);
  const values = opts[kind as 'p' | 'logit']!;
  const ys = paired(opts.y, values.length, '--y', 'samples');
  const { gammas, alphas, base } = focalDefaults(opts);
  const gamma = single(gammas, '--gamma');
  const alpha = single(alphas, '--alpha');
  const grad = opts.grad ?? false;
  const acc = new LossAccumulator();
  function* rows(): Generator<Row> {
    for (let i = 0; i < values.length; i++) {
      const r = evaluateBinary(kind, values[i]!, ys[i]!, { gamma, alpha, base });
      acc.add(r.ce, r.fl, ys[i] === 1);
      yield { index: i, ...binaryRow(r, { logit: kind === 'logit' ? values[i] : undefined, gamma, alpha, grad }) };
    }
  }
  const columns: Column[] = [{ key: 'index', label: '#', kind: 'count' }, ...binaryColumns({ logit: kind === 'logit', grad })];
  return {
    command: 'loss',
    params: { input: kind, gamma, alpha, log_base: base, reduction, grad },
    caption: captionOf({ γ: String(gamma), α: alphaText(alpha), 'log base': base, reduction }),
    columns,
    rows: rows(),
    summary: () => ({ ...acc.reduce(reduction) }),
    summaryItems: SUMMARY_ITEMS,
    summaryIsTheRecord: reduction !== 'none',
  };
}

function categoricalReport(kind: 'probs' | 'logits', opts: LossOptions, reduction: Reduction): Report {
  if (opts.y) throw new UsageError("option '--y' is for binary samples; --probs/--logits take --target.");
  if (opts.grad) throw new UsageError("option '--grad' is for binary samples in 'loss' (use --p or --logit).");
  if (!opts.target) throw new UsageError(`loss needs the target class of each --${kind} sample: give --target.`);
  if (reduction === 'positives') throw new UsageError("reduction 'positives' needs binary labels; use mean or sum for multiclass samples.");
  const samples = opts[kind]!;
  const classes = samples[0]!.length;
  samples.forEach((s, i) => {
    if (s.length !== classes) throw new UsageError(`option '--${kind}': sample ${i} has ${s.length} classes but sample 0 has ${classes}; every vector needs the same length.`);
  });
  const targets = paired(opts.target, samples.length, '--target', 'samples');
  targets.forEach((t) => {
    if (t >= classes) throw new UsageError(`option '--target' ${t} is not a class of a ${classes}-class vector; use 0 to ${classes - 1}.`);
  });
  const { gammas, alphas, base } = focalDefaults(opts);
  const gamma = single(gammas, '--gamma');
  let alpha: number | number[] | null;
  if (alphas.length === 1) alpha = alphas[0]!;
  else if (alphas.length === classes && alphas.every((a) => a !== null)) alpha = alphas as number[];
  else throw new UsageError(`option '--alpha' has ${alphas.length} values; give one (for every class) or one per class (${classes}).`);
  const acc = new LossAccumulator();
  function* rows(): Generator<Row> {
    for (let i = 0; i < samples.length; i++) {
      const r = evaluateCategorical(kind, samples[i]!, targets[i]!, { gamma, alpha, base });
      acc.add(r.ce, r.fl, false);
      yield { index: i, target: targets[i]!, pt: r.pt, gamma, alpha_t: r.alphaT, modulating: r.modulating, ce: r.ce, fl: r.fl, ratio: r.ratio };
    }
  }
  const columns: Column[] = [
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
  return {
    command: 'loss',
    params: { input: kind, classes, gamma, alpha, log_base: base, reduction },
    caption: captionOf({ γ: String(gamma), α: Array.isArray(alpha) ? alpha.join(', ') : alphaText(alpha), 'log base': base, reduction }),
    columns,
    rows: rows(),
    summary: () => {
      const { positives: _, ...reduced } = acc.reduce(reduction);
      return reduced;
    },
    summaryItems: SUMMARY_ITEMS.filter((s) => s.key !== 'positives'),
    summaryIsTheRecord: reduction !== 'none',
  };
}
