import { evaluateCategorical, type Reduction } from '../core/index.js';
import { kerasCategoricalFocal } from '../precision/categorical.js';
import { relativeError, rounderOf, ulpDistance, type DType } from '../precision/dtype.js';
import { problemOf } from '../precision/measure.js';
import type { Column, Report, Row } from '../output/index.js';
import { UsageError } from '../cli/errors.js';
import { focalDefaults } from '../cli/options.js';
import { familyOf } from './family.js';
import { alphaParams, alphaText, captionOf } from './shared.js';
import { checkPrecision, flagText, precisionColumns, precisionRow, type Precision } from './precision.js';
import { paired, single, type LossOptions } from './loss.js';

/**
 * A batch reduced as a framework reduces it: accumulated in its opmath (float32 for the
 * 16-bit types and float32, float64 for float64), divided, and rounded to the dtype. (torch
 * sums large tensors in a cascade of partial sums; for a command-line batch the order is the same.)
 */
function reduceInDtype(values: readonly number[], dtype: DType, reduction: Reduction, positives: number): number {
  const op = dtype === 'float64' ? (x: number) => x : Math.fround;
  let sum = 0;
  for (const v of values) sum = op(sum + v);
  const divisor = reduction === 'sum' ? 1 : reduction === 'positives' ? Math.max(1, positives) : values.length;
  return rounderOf(dtype)(op(sum / divisor));
}

/** The exact reduction, for comparison. */
function reduceExact(values: readonly number[], reduction: Reduction, positives: number): number {
  const sum = values.reduce((a, b) => a + b, 0);
  return reduction === 'sum' ? sum : reduction === 'positives' ? sum / Math.max(1, positives) : sum / values.length;
}

function reducedCells(name: string, dtype: DType, got: number, exact: number): Record<string, number | string> {
  const problem = problemOf(dtype, got, exact);
  return {
    [`${name}_fl`]: got !== got ? 'NaN' : got,
    [`${name}_fl_ulps`]: ulpDistance(dtype, got, exact),
    [`${name}_fl_rel`]: relativeError(got, exact),
    [`${name}_flag`]: flagText(problem),
  };
}

/** `loss --as … --dtype …` on command-line samples: per-sample rows as compare shows them, and the reduced FL per framework. */
export function precisionLossReport(
  p: Precision,
  kind: 'p' | 'logit' | 'probs' | 'logits',
  opts: LossOptions,
  reduction: Reduction,
): Report {
  const { gammas, alphas, base } = focalDefaults(opts);
  if (base !== 'e')
    throw new UsageError("option '--log-base' does not apply with --as: frameworks compute natural-log losses.");
  const gamma = single(gammas, '--gamma');
  const family = familyOf(opts);
  if (family.extras.length)
    throw new UsageError("option '--loss' lists variants, which have no framework emulation; --as compares CE and FL.");
  if (kind === 'probs' || kind === 'logits') return kerasCategoricalReport(p, kind, opts, reduction, gamma);
  if (!opts.y) throw new UsageError(`loss needs labels: give --y for the --${kind} samples.`);
  const values = opts[kind]!;
  const ys = paired(opts.y, values.length, '--y', 'samples');
  const alpha = single(alphas, '--alpha');
  const grad = opts.grad ?? false;
  checkPrecision(p, kind, [...new Set(ys)], [alpha], family.smoothing);
  const rows: Row[] = values.map((value, i) => ({
    index: i,
    ...precisionRow(p, { kind, value, y: ys[i]!, gamma, alpha, smoothing: family.smoothing }, { gamma, alpha, grad }),
  }));
  const positives = ys.filter((y) => y === 1).length;
  const exactFl = rows.map((r) => r.exact_fl as number);
  const summary: Record<string, number | string | null> = { reduction, n: values.length };
  if (reduction !== 'none') {
    const exact = reduceExact(exactFl, reduction, positives);
    summary.exact_fl = exact;
    for (const fw of p.frameworks) {
      const name = fw === 'exact' ? `exact_${p.dtype}` : fw;
      const got = reduceInDtype(
        rows.map((r) => (r[`${name}_fl`] === 'NaN' ? NaN : (r[`${name}_fl`] as number))),
        p.dtype,
        reduction,
        positives,
      );
      Object.assign(summary, reducedCells(name, p.dtype, got, exact));
    }
  }
  const names = p.frameworks.map((fw) => (fw === 'exact' ? `exact_${p.dtype}` : fw));
  return {
    command: 'loss',
    params: {
      prediction: kind,
      as: p.frameworks,
      dtype: p.dtype,
      gamma,
      ...alphaParams(alpha),
      reduction,
      grad,
      ...(family.smoothing > 0 ? { label_smoothing: family.smoothing } : {}),
    },
    caption: captionOf({
      as: p.frameworks.join(', '),
      dtype: p.dtype,
      γ: String(gamma),
      α: alphaText(alpha),
      reduction,
    }),
    columns: [
      { key: 'index', label: '#', kind: 'count' },
      ...precisionColumns(p, { kind, grad, gamma: false, alpha: false, smoothing: family.smoothing > 0 }),
    ],
    rows,
    rowCount: rows.length,
    summary: () => summary,
    summaryItems:
      reduction === 'none'
        ? [{ key: 'n', label: 'samples', kind: 'count' }]
        : [
            { key: 'exact_fl', label: 'FL reduced, exact' },
            ...names.flatMap((n) => [
              { key: `${n}_fl`, label: `FL reduced, ${n}` },
              { key: `${n}_fl_ulps`, label: `  ulps of ${p.dtype}` },
            ]),
          ],
    summaryIsTheRecord: reduction !== 'none',
  };
}

/**
 * Multiclass: Keras' CategoricalFocalCrossentropy (α applies always, clip at 1e-7) in the
 * dtype, beside the exact categorical focal loss.
 */
function kerasCategoricalReport(
  p: Precision,
  kind: 'probs' | 'logits',
  opts: LossOptions,
  reduction: Reduction,
  gamma: number,
): Report {
  const others = p.frameworks.filter((f) => f !== 'keras');
  if (others.length)
    throw new UsageError(
      `option '--as' ${others.join(',')}: multiclass samples have one framework emulation, keras (CategoricalFocalCrossentropy).`,
    );
  if (!opts.target) throw new UsageError(`loss needs the target class of each --${kind} sample: give --target.`);
  if (reduction === 'positives')
    throw new UsageError("reduction 'positives' needs binary labels; use mean or sum for multiclass samples.");
  const samples = opts[kind]!;
  const targets = paired(opts.target, samples.length, '--target', 'samples');
  const { alphas } = focalDefaults(opts);
  const alpha = alphas.length === 1 ? alphas[0]! : (alphas as number[]);
  if (alpha === null)
    throw new UsageError(
      "Keras' CategoricalFocalCrossentropy always weights by α; give --alpha (one, or one per class).",
    );
  const smoothing = familyOf(opts).smoothing;
  const rows: Row[] = samples.map((values, i) => {
    if (targets[i]! >= values.length)
      throw new UsageError(`option '--target' ${targets[i]} is not a class of a ${values.length}-class vector.`);
    const exact = evaluateCategorical(kind, values, targets[i]!, { gamma, alpha, labelSmoothing: smoothing }).fl;
    const got = kerasCategoricalFocal(p.dtype, kind, values, targets[i]!, { gamma, alpha, smoothing }).loss;
    return { index: i, target: targets[i]!, exact_fl: exact, ...reducedCells('keras', p.dtype, got, exact) };
  });
  const summary: Record<string, number | string | null> = { reduction, n: rows.length };
  if (reduction !== 'none') {
    const exactAll = rows.map((r) => r.exact_fl as number);
    const exact = reduceExact(exactAll, reduction, 0);
    summary.exact_fl = exact;
    Object.assign(
      summary,
      reducedCells(
        'keras',
        p.dtype,
        reduceInDtype(
          rows.map((r) => (r.keras_fl === 'NaN' ? NaN : (r.keras_fl as number))),
          p.dtype,
          reduction,
          0,
        ),
        exact,
      ),
    );
  }
  const columns: Column[] = [
    { key: 'index', label: '#', kind: 'count' },
    { key: 'target', label: 'target', kind: 'count' },
    { key: 'exact_fl', label: 'FL exact' },
    { key: 'keras_fl', label: 'keras FL' },
    { key: 'keras_fl_ulps', label: 'FL ulps' },
    { key: 'keras_fl_rel', label: 'FL rel. err.', table: false },
    { key: 'keras_flag', label: 'keras flag', kind: 'text' },
  ];
  return {
    command: 'loss',
    params: {
      prediction: kind,
      as: ['keras'],
      dtype: p.dtype,
      gamma,
      ...alphaParams(alpha),
      reduction,
      ...(smoothing > 0 ? { label_smoothing: smoothing } : {}),
    },
    caption: captionOf({
      as: 'keras (CategoricalFocalCrossentropy)',
      dtype: p.dtype,
      γ: String(gamma),
      α: Array.isArray(alpha) ? alpha.join(', ') : String(alpha),
      reduction,
    }),
    columns,
    rows,
    rowCount: rows.length,
    summary: () => summary,
    summaryItems:
      reduction === 'none'
        ? [{ key: 'n', label: 'samples', kind: 'count' }]
        : [
            { key: 'exact_fl', label: 'FL reduced, exact' },
            { key: 'keras_fl', label: 'FL reduced, keras' },
            { key: 'keras_fl_ulps', label: `  ulps of ${p.dtype}` },
          ],
    summaryIsTheRecord: reduction !== 'none',
  };
}
