import { binaryTerms, complementPower, type BinaryInputKind, type BinaryTerms } from './binary.js';
import { alphaWeight, LN_OF_BASE, type LogBase } from './params.js';
import { expOfProduct } from './float.js';
import { softplus } from './softplus.js';

/**
 * The focal family, each a pure function of one sample's terms (binary.ts) and its
 * parameters, in natural-log units before the base is applied. Definitions:
 *
 * | name | loss | source |
 * |---|---|---|
 * | ce | −log p_t | |
 * | fl | α_t (1 − p_t)^γ CE | Lin et al. 2017 |
 * | ce-balanced | α_t CE | Lin et al. 2017, §3.1 |
 * | fl-star | α_t softplus(−(γ z + β))/γ, z the margin (logit of p_t) | Lin et al. 2017, appendix A (FL*); fvcore's sigmoid_focal_loss_star is β = 0 |
 * | poly1 | CE + ε (1 − p_t) | Leng et al. 2022 (PolyLoss), Poly-1 |
 * | poly1-fl | FL + ε (1 − p_t)^(γ+1) | Leng et al. 2022, Poly-1 focal |
 * | asl | y = 1: (1 − p)^γ₊ (−log p); y = 0: p_m^γ₋ (−log(1 − p_m)), p_m = max(p − m, 0) | Ridnik et al. 2021 (ASL) |
 * | fl-reduced | α_t f CE, f = 1 for p_t < th, (1 − p_t)^γ / th^γ above | Sergievskiy & Ponamarev 2019 |
 * | flsd | FL with γ = 5 for p_t < 0.2, else γ = 3 | Mukhoti et al. 2020 (FLSD-53) |
 *
 * With α null (α_t = 1) fl-reduced and flsd are their papers' forms; poly1, poly1-fl's ε term
 * and asl carry no α, as in theirs.
 */

/** Every loss of the family, by its CLI name (`--loss`). */
export const LOSS_NAMES = ['ce', 'fl', 'ce-balanced', 'fl-star', 'poly1', 'poly1-fl', 'asl', 'fl-reduced', 'flsd'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export interface VariantParams {
  gamma: number;
  alpha: number | null;
  base?: LogBase;
  /** FL*: the shift β (default 0) */
  beta?: number;
  /** Poly-1: the coefficient ε of the first polynomial term (default 1) */
  epsilon?: number;
  /** ASL: focusing for positives γ₊ (default 0) and negatives γ₋ (default 4), and the probability margin m (default 0.05) */
  gammaPos?: number;
  gammaNeg?: number;
  clip?: number;
  /** reduced FL: the threshold th on p_t (default 0.5) */
  threshold?: number;
}

/** The variants' parameters when not given: FL* β = 0, Poly-1 ε = 1, ASL γ₊ = 0, γ₋ = 4, m = 0.05, reduced FL th = 0.5. */
export const VARIANT_DEFAULTS = { beta: 0, epsilon: 1, gammaPos: 0, gammaNeg: 4, clip: 0.05, threshold: 0.5 } as const;

/** Why a loss is undefined for an input, or null when it is defined.
 * @example variantProblem('fl-star', 1, { gamma: 0, alpha: null }) // 'fl-star divides by γ: it needs γ > 0'
 */
export function variantProblem(name: LossName, y: number, params: VariantParams): string | null {
  const hard = y === 0 || y === 1;
  if (name === 'fl-star' && !(params.gamma > 0)) return 'fl-star divides by γ: it needs γ > 0';
  if ((name === 'fl-star' || name === 'asl') && !hard) return `${name} needs hard labels 0 or 1`;
  return null;
}

/**
 * log(p_t/(1 − p_t)), the margin: exact for a logit input (±x); otherwise from log p_t = −CE
 * and log(1 − p_t) with 1 − p_t = q + qLo.
 * @example marginOf(binaryTerms('p', 0.9, 1)) // ln 9 = 2.1972245773362196
 */
export function marginOf(t: BinaryTerms): number {
  if (t.margin === t.margin) return t.margin;
  return -t.ce - (Math.log(t.q) + (t.qLo === 0 ? 0 : t.qLo / t.q));
}

/**
 * softplus(−(γz + β)), FL*'s numerator. For an easy example (z > 0) it is log1p(e^−β·e^−γz)
 * with e^−γz = ((1 − p_t)/p_t)^γ taken from accurate powers (or e^−γz with γz carried exactly
 * for a logit), since rounding γz itself would cost γ·z/2 ulps.
 */
function flStar(t: BinaryTerms, gamma: number, beta: number): number {
  const z = marginOf(t);
  if (!(z > 0)) return softplus(-(gamma * z + beta));
  const odds = t.margin === t.margin ? expOfProduct(-gamma, z) : complementPower(t, gamma) / Math.pow(t.pt, gamma);
  return Math.log1p(Math.exp(-beta) * odds);
}

/** −log(1 − m) for m ∈ [0, 1), given also 1 − m = c computed without cancellation. */
function minusLogComplement(m: number, c: number): number {
  return m < 0.5 ? -Math.log1p(-m) : -Math.log(c);
}

/**
 * One loss of the family, natural log. Precondition: variantProblem(...) is null.
 *
 * Accuracy: within 8 ulps of the exact value on test/fixtures/variants.json (mpmath), every
 * region; FL* from a logit is exact to a few ulps for any x (it is a softplus of the margin).
 * @example variantLoss('poly1', binaryTerms('p', 0.9, 1), 1, { gamma: 2, alpha: 0.25 }) // −ln 0.9 + 0.1 = 0.20536051565782626
 */
export function variantLoss(name: LossName, t: BinaryTerms, y: number, params: VariantParams): number {
  const { gamma } = params;
  const alphaT = alphaWeight(params.alpha, y);
  const weighted = (x: number) => (alphaT === 0 ? 0 : alphaT * x);
  switch (name) {
    case 'ce':
      return t.ce;
    case 'fl':
      return alphaT === 0 ? 0 : alphaT * complementPower(t, gamma) * t.ce; // evaluateBinary's order, same bits
    case 'ce-balanced':
      return weighted(t.ce);
    case 'fl-star':
      return weighted(flStar(t, gamma, params.beta ?? VARIANT_DEFAULTS.beta) / gamma);
    case 'poly1':
      return t.ce + (params.epsilon ?? VARIANT_DEFAULTS.epsilon) * t.q;
    case 'poly1-fl':
      return weighted(complementPower(t, gamma) * t.ce) + (params.epsilon ?? VARIANT_DEFAULTS.epsilon) * complementPower(t, gamma + 1);
    case 'asl': {
      if (y === 1) return complementPower(t, params.gammaPos ?? VARIANT_DEFAULTS.gammaPos) * t.ce;
      // y = 0: p = q (the probability of class 1 is 1 − p_t); shifted by the margin.
      const m = params.clip ?? VARIANT_DEFAULTS.clip;
      const shifted = t.q - m;
      if (!(shifted > 0)) return 0;
      const gammaNeg = params.gammaNeg ?? VARIANT_DEFAULTS.gammaNeg;
      // with no margin, −log(1 − p) is the negative's CE, exact even where σ(x) rounds to 1
      const logTerm = m === 0 ? t.ce : minusLogComplement(shifted, t.pt + m);
      return (gammaNeg === 0 ? 1 : Math.pow(shifted, gammaNeg)) * logTerm;
    }
    case 'fl-reduced': {
      const th = params.threshold ?? VARIANT_DEFAULTS.threshold;
      if (t.pt < th) return weighted(t.ce);
      return weighted((complementPower(t, gamma) / Math.pow(th, gamma)) * t.ce);
    }
    case 'flsd':
      return weighted(complementPower(t, t.pt < 0.2 ? 5 : 3) * t.ce);
  }
}

/** Several losses of one sample, in the requested base; `out[k]` for `names[k]`.
 * @example evaluateVariants(['ce', 'fl-star'], 'logit', 2, 1, { gamma: 2, alpha: null }) // [0.1269280110429725, 0.009074963958904869]
 */
export function evaluateVariants(
  names: readonly LossName[],
  kind: BinaryInputKind,
  value: number,
  y: number,
  params: VariantParams,
  out: Float64Array = new Float64Array(names.length),
): Float64Array {
  const t = binaryTerms(kind, value, y);
  const scale = LN_OF_BASE[params.base ?? 'e'];
  for (let k = 0; k < names.length; k++) out[k] = variantLoss(names[k]!, t, y, params) / scale;
  return out;
}
