import { evaluateBinary, type BinaryEvaluation, type BinaryInputKind } from './binary.js';
import type { FocalParams } from './params.js';
import { shareOf } from './reduce.js';

/** A group of identical samples: `count` samples of one class with one prediction. */
export interface SampleGroup {
  /** 0 for the negative class, 1 for the positive */
  y: 0 | 1;
  count: number;
  /** 'p': probability of class 1; 'pt': probability of the group's own (true) class */
  kind: Extract<BinaryInputKind, 'p' | 'pt'>;
  value: number;
}

export interface GroupLoss {
  group: SampleGroup;
  /** the per-sample evaluation */
  sample: BinaryEvaluation;
  ceTotal: number;
  flTotal: number;
  /** this group's part of the total CE (null when the total is 0 or this part is infinite) */
  ceShare: number | null;
  flShare: number | null;
}

/**
 * Where the total loss of a batch comes from, under CE and under FL: the article's
 * "1,000,000 easy negatives versus 10 hard positives". Totals are count × per-sample loss
 * (one rounding; counts up to 2^53 are exact), shares are each group's total over the sum.
 * @example lossShares([{ y: 0, count: 1e6, kind: 'pt', value: 0.99 }, { y: 1, count: 10, kind: 'pt', value: 0.01 }], { gamma: 2, alpha: 0.25 })[1].flShare // 0.9374
 */
export function lossShares(groups: readonly SampleGroup[], params: FocalParams): GroupLoss[] {
  const evaluated = groups.map((group) => {
    const sample = evaluateBinary(group.kind, group.value, group.y, params);
    return { group, sample, ceTotal: group.count * sample.ce, flTotal: group.count * sample.fl };
  });
  // count × loss is 0 × ∞ = NaN for an empty group with p_t = 0; an empty group contributes 0.
  for (const e of evaluated) {
    if (e.group.count === 0) {
      e.ceTotal = 0;
      e.flTotal = 0;
    }
  }
  const ceSum = evaluated.reduce((a, e) => a + e.ceTotal, 0);
  const flSum = evaluated.reduce((a, e) => a + e.flTotal, 0);
  return evaluated.map((e) => ({ ...e, ceShare: shareOf(e.ceTotal, ceSum), flShare: shareOf(e.flTotal, flSum) }));
}

/**
 * α for the positive class from inverse class frequency, normalised so that the two class
 * weights (α, 1 − α) are proportional to 1/n_pos and 1/n_neg: α = n_neg / (n_neg + n_pos).
 * @example inverseFrequencyAlpha(1e6, 10) // 0.999990000099999
 */
export function inverseFrequencyAlpha(negatives: number, positives: number): number {
  return negatives / (negatives + positives);
}
