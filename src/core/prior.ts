import { logit } from './logit.js';
import { lossShares, type GroupLoss } from './imbalance.js';
import type { FocalParams } from './params.js';

/**
 * The prior-probability initialisation of Lin et al. 2017 (§4.1): the classification layer's
 * bias b = −log((1 − π)/π), so that every anchor starts with p = π instead of 0.5 and the
 * many background anchors do not swamp the first iterations.
 */

/** b = −log((1 − π)/π) = logit(π), within 4 ulps for any π in (0, 1), also near ½ (see logit).
 * @example priorBias(0.01) // -4.59511985013459
 */
export function priorBias(pi: number): number {
  return logit(pi);
}

export interface PriorComparison {
  bias: number;
  negatives: number;
  positives: number;
  /** every anchor at p = 0.5 (b = 0) */
  zero: GroupLoss[];
  /** every anchor at p = π */
  prior: GroupLoss[];
}

/**
 * Start-of-training loss of `anchors` anchors of which a fraction `foreground` is positive,
 * with b = 0 and with the prior, per class (negatives first).
 * @example priorComparison(0.01, 100000, 0.001, { gamma: 2, alpha: 0.25 }).zero[0].ceShare // 0.999: the background's share of CE at b = 0
 */
export function priorComparison(pi: number, anchors: number, foreground: number, params: FocalParams): PriorComparison {
  const positives = Math.round(anchors * foreground);
  const negatives = anchors - positives;
  const groups = (p: number) =>
    lossShares(
      [
        { y: 0, count: negatives, kind: 'p', value: p },
        { y: 1, count: positives, kind: 'p', value: p },
      ],
      params,
    );
  return { bias: priorBias(pi), negatives, positives, zero: groups(0.5), prior: groups(pi) };
}
