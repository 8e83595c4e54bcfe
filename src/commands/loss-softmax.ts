import {
  smoothedCategoricalGradients,
  SOFTMAX_LOSS_NAMES,
  softmaxVariant,
  type CategoricalEvaluation,
  type CategoricalInputKind,
  type LogBase,
  type SoftmaxLossName,
} from '../core/index.js';
import type { Column } from '../output/index.js';
import { UsageError } from '../cli/errors.js';
import { LOSS_LABELS, lossKey, type Family } from './family.js';

/** The family's members that have a softmax form (core/softmax-family.ts). */
const SOFTMAX_EXTRAS = SOFTMAX_LOSS_NAMES.filter((n) => n !== 'ce' && n !== 'fl');

/** One clear error for a multiclass --loss the softmax form does not define. */
export function checkSoftmaxFamily(family: Family, kind: CategoricalInputKind): void {
  const binaryOnly = family.extras.filter((n) => !(SOFTMAX_EXTRAS as readonly string[]).includes(n));
  if (binaryOnly.length) {
    throw new UsageError(
      `option '--loss' ${binaryOnly.join(',')}: binary only; --${kind} takes ${SOFTMAX_LOSS_NAMES.join(', ')}.`,
    );
  }
  if (family.extras.length && family.smoothing > 0) {
    throw new UsageError(
      `option '--loss' ${family.extras.join(',')}: the softmax variants are defined on hard targets; drop --label-smoothing or keep to ce,fl.`,
    );
  }
}

/** Columns of the softmax variants (after FL), and their gradient vectors with --grad. */
export function softmaxFamilyColumns(family: Family, grad: boolean): { losses: Column[]; grads: Column[] } {
  return {
    losses: family.extras.map((n) => ({ key: lossKey(n), label: LOSS_LABELS[n] })),
    grads: grad ? family.extras.map((n) => ({ key: `grad_${lossKey(n)}`, label: `d${LOSS_LABELS[n]}/dx` })) : [],
  };
}

/**
 * The variants of one sample into `into` (for the accumulator) and its row cells; with
 * --grad and label smoothing, the smoothed CE and FL gradients replace the (null) unsmoothed ones.
 */
export function softmaxFamilyCells(
  family: Family,
  kind: CategoricalInputKind,
  values: readonly number[],
  target: number,
  p: { gamma: number; alpha: number | readonly number[] | null; base: LogBase; epsilon: number },
  r: CategoricalEvaluation,
  grad: boolean,
  into: Float64Array,
): Record<string, number | number[] | null> {
  const cells: Record<string, number | number[] | null> = {};
  family.extras.forEach((name, k) => {
    const v = softmaxVariant(name as SoftmaxLossName, kind, values, target, p);
    into[k] = v.loss;
    cells[lossKey(name)] = v.loss;
    if (grad) cells[`grad_${lossKey(name)}`] = v.grad;
  });
  if (grad && family.smoothing > 0 && kind === 'logits') {
    const g = smoothedCategoricalGradients(values, target, {
      gamma: p.gamma,
      alpha: p.alpha,
      base: p.base,
      labelSmoothing: family.smoothing,
    });
    cells.grad = g.grad;
    cells.grad_ce = g.gradCe;
  } else if (grad) {
    cells.grad = r.grad;
    cells.grad_ce = r.gradCe;
  }
  return cells;
}
