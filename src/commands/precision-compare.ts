import type { BinaryInputKind, LogBase } from '../core/index.js';
import type { Report, Row } from '../output/index.js';
import { UsageError } from '../cli/errors.js';
import type { Family } from './family.js';
import { alphaText, captionOf } from './shared.js';
import { checkPrecision, precisionColumns, precisionRow, type Precision } from './precision.js';

/** Rows of `compare --as`: each framework's numbers in the dtype, beside the exact ones. Emulation is slower than the exact core: a grid this large is surely a mistake. */
const MAX_PRECISION_ROWS = 1e7;

export interface CompareGrid {
  kind: BinaryInputKind;
  values: Iterable<number> & { length: number };
  ys: number[];
  gammas: number[];
  alphas: (number | null)[];
  base: LogBase;
  grad: boolean;
  family: Family;
}

/** `compare --as … --dtype …`: the grid of compare, measured framework by framework. */
export function precisionCompareReport(p: Precision, g: CompareGrid): Report {
  const { kind, family } = g;
  if (kind === 'pt')
    throw new UsageError(
      '--as and --dtype take --logit or --p (a framework sees a logit or a probability of class 1, not p_t).',
    );
  if (g.base !== 'e')
    throw new UsageError("option '--log-base' does not apply with --as: frameworks compute natural-log losses.");
  if (family.extras.length)
    throw new UsageError("option '--loss' lists variants, which have no framework emulation; --as compares CE and FL.");
  checkPrecision(p, kind, g.ys, g.alphas, family.smoothing);
  const count = g.gammas.length * g.alphas.length * g.ys.length * g.values.length;
  if (count > MAX_PRECISION_ROWS)
    throw new UsageError(
      `The grid has ${count.toExponential(2)} rows; with --as at most ${MAX_PRECISION_ROWS.toExponential(0)} are allowed.`,
    );
  function* rows(): Generator<Row> {
    for (const gamma of g.gammas) {
      for (const alpha of g.alphas) {
        for (const y of g.ys) {
          for (const value of g.values) {
            yield precisionRow(
              p,
              { kind: kind as 'logit' | 'p', value, y, gamma, alpha, smoothing: family.smoothing },
              { gamma, alpha, grad: g.grad },
            );
          }
        }
      }
    }
  }
  return {
    command: 'compare',
    params: {
      prediction: kind,
      as: p.frameworks,
      dtype: p.dtype,
      gammas: g.gammas,
      alphas: g.alphas,
      y: g.ys,
      grad: g.grad,
      ...(family.smoothing > 0 ? { label_smoothing: family.smoothing } : {}),
    },
    caption: captionOf({
      as: p.frameworks.join(', '),
      dtype: p.dtype,
      γ: g.gammas.join(', '),
      α: g.alphas.map(alphaText).join(', '),
      ...(family.smoothing > 0 ? { 'label smoothing': String(family.smoothing) } : {}),
    }),
    columns: precisionColumns(p, {
      kind,
      grad: g.grad,
      gamma: g.gammas.length > 1,
      alpha: g.alphas.length > 1,
      smoothing: family.smoothing > 0,
    }),
    rows: rows(),
    rowCount: count,
    summary: () => ({ rows: count }),
    notes: [
      `exact: at the input as ${p.dtype} holds it; ulps of ${p.dtype} at the exact value; flag: NaN, ±Inf, 0 where the exact value is not, >1% relative error`,
    ],
  };
}
