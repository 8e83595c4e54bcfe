/** Parameters shared by every loss in the focal family. */

/** Logarithm bases a loss can be reported in. */
export type LogBase = 'e' | '2' | '10';

/** ln(b) for each base: a loss in base b is the natural-log loss divided by ln(b). */
export const LN_OF_BASE: Readonly<Record<LogBase, number>> = { e: 1, '2': Math.LN2, '10': Math.LN10 };

export interface FocalParams {
  /** Focusing parameter γ ≥ 0; γ = 0 turns focal loss into (α-weighted) cross-entropy. */
  gamma: number;
  /** Weight α ∈ [0, 1] of the positive class (1 − α for the negative), or null for none. */
  alpha: number | null;
  /** Logarithm base of the reported losses; default e. */
  base?: LogBase;
}

/** The defaults of Lin et al. 2017, torchvision and Keras: γ = 2, α = 0.25, natural log. */
export const DEFAULT_PARAMS: Readonly<Required<FocalParams>> = { gamma: 2, alpha: 0.25, base: 'e' };

/**
 * α_t, the weight of a sample with label y ∈ [0, 1]: α for y = 1, 1 − α for y = 0, and
 * torchvision's interpolation α·y + (1 − α)·(1 − y) for a soft label; 1 when α is null.
 * @example alphaWeight(0.25, 0) // 0.75;  alphaWeight(null, 1) // 1
 */
export function alphaWeight(alpha: number | null, y: number): number {
  if (alpha === null) return 1;
  if (y === 1) return alpha;
  if (y === 0) return 1 - alpha;
  return alpha * y + (1 - alpha) * (1 - y);
}
