import { expOfProductPlus, expOfSumPlus } from './float.js';

/**
 * Powers of 1 − p_t: the modulating factor (1 − p_t)^γ (exponent γ) and its reciprocal, the
 * ratio's (1 − p_t)^−γ (exponent −γ), from the inputs they are most accurately computed
 * from. 0^0 = 1 throughout (γ = 0 is cross-entropy, even at p_t = 1).
 *
 * The reciprocal is computed on its own, never as 1/(1 − p_t)^γ: the factor underflows long
 * before the ratio CE/FL = 1/(α_t (1 − p_t)^γ) overflows (γ = 0.1 at logit 800: the factor
 * is e^-80 but 1 − p_t = e^-800 is 0 in double precision).
 */

/** x^e; squaring is exact to half an ulp and many times faster than pow (γ = 2 is the default). */
function power(x: number, e: number): number {
  if (e === 2) return x * x;
  if (e === 1) return x;
  return Math.pow(x, e);
}

/**
 * (hi + lo)^e for 1 − p_t = hi + lo, an unevaluated sum (lo = 0 when hi is exact). pow() of
 * the rounded value alone would turn its 0.5-ulp rounding error into |e|/2 ulps; the
 * first-order correction (1 + e·lo/hi) removes it.
 *
 * Special cases: a power beyond the double range is Infinity, never ∞ + ∞·(correction) = NaN
 * (the correction is negative when e < 0 < lo: 1 − 0.3 = 0.7 + 5.6e-17, so 0.7^-2000, the
 * ratio CE/FL at p = 0.3, γ = 2000, once gave NaN); 0^e is power()'s.
 * @example powOfComplement(0.1, 0, 2) // 0.010000000000000002 (0.1 is 0.1000000000000000055…)
 */
export function powOfComplement(hi: number, lo: number, e: number): number {
  const base = power(hi, e);
  if (lo === 0 || hi === 0) return base;
  if (base === Infinity) return overflowedPower(hi, lo, e);
  return base + base * ((e * lo) / hi);
}

/**
 * powOfComplement where hi^e overflowed (0.7^-2000): ∞ + ∞·(negative correction) would be NaN.
 * The exact power may still be finite within |e·lo/hi| of the threshold: take it as a
 * corrected square. (A function of its own, so that the per-row loops inline only the rest.)
 */
function overflowedPower(hi: number, lo: number, e: number): number {
  const half = power(hi, e / 2);
  if (half === Infinity) return Infinity;
  const corrected = half + half * (((e / 2) * lo) / hi);
  return corrected * corrected;
}

/**
 * (1 − σ(z))^e = σ(−z)^e for the margin z = x·(2y − 1) of a logit x, via
 * log σ(−z) = −softplus(z) = −(max(z, 0) + L), L = log1p(e^−|z|):
 *   z > 0:  σ(−z)^e = e^(−e·z − e·L), with e·z carried exactly (twoProduct) and the sum with
 *           −e·L carried exactly (TwoSum) into one exp (expOfProductPlus);
 *   z ≤ 0:  σ(−z)^e = e^(−e·L), whose argument is at most |e|·ln 2.
 * pow(σ(−z), e) would multiply σ's ~1.5-ulp error by |e|; this keeps the result within a few
 * ulps for any z at the usual |e| ≤ 10, and never underflows or overflows an intermediate
 * before the result does. Limit: the rounding of L still scales with e — about
 * |e·L|·2^-53 relative, i.e. ~300 ulps at e = 1000, z = 0.2 (found by the large-γ fixtures of
 * issue 8; a double-double e^z would remove it).
 * @example powOfSigmoid(800, 0.1) // 1.804851387845407e-35, where σ(−800) itself underflows to 0
 */
export function powOfSigmoid(z: number, e: number): number {
  return powOfSigmoidFrom(z, Math.log1p(Math.exp(z > 0 ? -z : z)), e);
}

/**
 * powOfSigmoid(z, e) given L = log1p(e^−|z|), which the cross-entropy of the same logit has
 * already computed (CE = softplus(−z) = max(−z, 0) + L): the per-row loss (binaryLossFast)
 * and powOfSigmoid share these very operations, so both give the same bits.
 */
export function powOfSigmoidFrom(z: number, logTerm: number, e: number): number {
  // γ = 1 or 2 (the defaults): e·z is exact (a doubling), so productError's work would give 0
  if (z > 0) return e === 2 || e === 1 ? expOfSumPlus(-e * z, 0, -e * logTerm) : expOfProductPlus(-e, z, -e * logTerm);
  return Math.exp(-e * logTerm);
}
