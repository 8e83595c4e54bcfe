/**
 * log(1 + x) − x for x ≥ −1, without the cancellation of its two terms near x = 0 (R's
 * log1pmx, after Martin Maechler).
 *
 * Derivation: with r = x/(2 + x), log(1 + x) = 2·atanh(r) = 2(r + r³/3 + r⁵/5 + …) and
 * x − 2r = r·x, so log(1 + x) − x = r·(2r²·S − x) with S = Σ_k r^(2k)/(2k + 3). For
 * −0.79 ≤ x ≤ 1 (|r| ≤ 0.66) the series converges geometrically and every term of
 * r·(2r²S − x) has one sign: no cancellation. Outside, log1p(x) − x loses at most 2 bits.
 *
 * It is the Poly-1 loss with ε = −1: CE − (1 − p_t) = −log1pmx(−(1 − p_t)) ≈ (1 − p_t)²/2,
 * where CE and 1 − p_t agree in every digit once p_t is near 1.
 *
 * Special cases: log1pmx(0) = 0; log1pmx(−1) = −∞.
 *
 * Accuracy: a few ulps (test/variants.test.ts, poly1 with ε = −1, against mpmath).
 *
 * @example log1pmx(-1e-10) // -5.000000000333334e-21 (log1p(x) − x gives -4.999996610153345e-21)
 */
export function log1pmx(x: number): number {
  if (x > 1 || x < -0.79149064) return Math.log1p(x) - x;
  const r = x / (2 + x);
  const y = r * r;
  // S = Σ y^k/(2k + 3), summed until a term no longer changes it
  let s = 0;
  let power = 1;
  for (let k = 0; k < 200; k++) {
    const term = power / (2 * k + 3);
    const next = s + term;
    if (next === s) break;
    s = next;
    power *= y;
  }
  return r * (2 * y * s - x);
}
