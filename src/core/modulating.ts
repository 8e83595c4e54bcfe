import { expOfProduct, twoDifference } from './float.js';

/**
 * The modulating factor (1 − p_t)^γ and its reciprocal, from the inputs they are most
 * accurately computed from. 0^0 = 1 throughout (γ = 0 is cross-entropy, even at p_t = 1).
 *
 * The reciprocal is computed on its own, never as 1/(1 − p_t)^γ: the factor underflows long
 * before the ratio CE/FL = 1/(α_t (1 − p_t)^γ) overflows (γ = 0.1 at logit 800: the factor
 * is e^-80 but 1 − p_t = e^-800 is 0 in double precision).
 */
export interface Modulation {
  /** (1 − p_t)^γ */
  factor: number;
  /** (1 − p_t)^-γ */
  inverse: number;
}

/**
 * From 1 − p_t = hi + lo, an unevaluated sum (lo = 0 when it is exact). pow() of the rounded
 * value alone would turn its 0.5-ulp rounding error into γ/2 ulps; the first-order correction
 * (1 + γ·lo/hi) removes it.
 */
export function modulationFromComplement(hi: number, lo: number, gamma: number): Modulation {
  const factor = Math.pow(hi, gamma);
  const inverse = Math.pow(hi, -gamma);
  if (lo === 0 || hi === 0) return { factor, inverse };
  const c = (gamma * lo) / hi;
  return { factor: factor + factor * c, inverse: inverse - inverse * c };
}

/** From a probability of the true class p_t: 1 − p_t is exact for p_t ≥ 0.5 (Sterbenz). */
export function modulationFromProbability(pt: number, gamma: number): Modulation {
  const [hi, lo] = twoDifference(1, pt);
  return modulationFromComplement(hi, lo, gamma);
}

/**
 * From the margin z = x·(2y − 1) of a logit x (so p_t = σ(z) and 1 − p_t = σ(−z)), via
 * log(1 − p_t) = −softplus(z):
 *   z > 0:  (1 − p_t)^γ = e^(−γz) · e^(−γ·log1p(e^−z)), with γz carried exactly (twoProduct);
 *   z ≤ 0:  (1 − p_t)^γ = e^(−γ·log1p(e^z)), whose argument is at most γ·ln 2.
 * pow(σ(−z), γ) would multiply σ's ~1.5-ulp error by γ; this keeps the whole factor within a
 * few ulps for any γ and any z, and never underflows an intermediate before the result does.
 */
export function modulationFromMargin(z: number, gamma: number): Modulation {
  if (z > 0) {
    const l = Math.log1p(Math.exp(-z));
    return {
      factor: expOfProduct(-gamma, z) * Math.exp(-gamma * l),
      inverse: expOfProduct(gamma, z) * Math.exp(gamma * l),
    };
  }
  const l = Math.log1p(Math.exp(z));
  return { factor: Math.exp(-gamma * l), inverse: Math.exp(gamma * l) };
}
