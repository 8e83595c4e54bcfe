import { twoProduct } from './float.js';
import { ExactSum, type ExactSumState } from './sum.js';

/**
 * The closed forms behind `focal sweep`. Focal loss is linear in its class weight:
 * FL_i = α_t·L_i with L_i = (1 − p_t)^γ·CE_i, and |dFL/dx_i| = α_t·G_i with
 * G_i = (1 − p_t)^γ·(1 − p_t + γ·p_t·CE_i). So per γ and class c the α-free sums
 * S_c = Σ L_i and G_c = Σ G_i give every α at once: class c's FL total is α_c·S_c. That is why
 * a grid over α costs nothing beyond the grid over γ.
 */

/**
 * Σ c_k·S_k for exact sums S_k, rounded once: each partial of S_k is multiplied by c_k exactly
 * (twoProduct) and the products summed exactly, so the result is the correctly rounded value of
 * the weighted sum of the unrounded S_k (barring underflow of a product's error term below 1e-290).
 * @example exactLinearCombination([[0.25, { partials: [1, 1e-20], nonFinite: 0 }]]) // 0.25
 */
export function exactLinearCombination(terms: ReadonlyArray<readonly [number, ExactSumState]>): number {
  const s = new ExactSum();
  for (const [c, state] of terms) {
    if (c === 0) continue;
    for (const p of state.partials) {
      const [hi, lo] = twoProduct(c, p);
      s.add(hi);
      s.add(lo);
    }
    if (state.nonFinite !== 0) s.add(c * state.nonFinite);
  }
  return s.value;
}

/**
 * The binary α that gives the positive class exactly half of a total: α·S₁ = (1 − α)·S₀, so
 * α* = S₀/(S₀ + S₁). null when the total is 0 or not finite (no α balances it).
 * @example balancingAlpha(3, 1) // 0.75: the rare positive class needs the larger weight
 */
export function balancingAlpha(negative: number, positive: number, total = negative + positive): number | null {
  if (!(total > 0 && Number.isFinite(total)) || !Number.isFinite(negative)) return null;
  return negative / total;
}

/**
 * The class weights, summing to 1, that give every class the same weighted total:
 * α_c·S_c equal for all c ⇔ α_c ∝ 1/S_c (computed as min S / S_c to stay in range). null when a
 * class carries nothing (S_c = 0) or an infinite total (no finite weights equalise it).
 * For two classes α_1 equals balancingAlpha up to rounding.
 * @example equalisingAlphas([1, 2, 4]) // [0.5714285714285714, 0.2857142857142857, 0.14285714285714285]
 */
export function equalisingAlphas(totals: readonly number[]): number[] | null {
  if (totals.length === 0 || totals.some((s) => !(s > 0 && Number.isFinite(s)))) return null;
  const least = Math.min(...totals);
  const w = totals.map((s) => least / s);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

/**
 * How concentrated a loss is: (Σ l)²/(n·Σ l²), the fraction of the n samples that would carry
 * it if they shared it equally (1: every sample the same; 1/n: one sample carries everything).
 * Written as (Σl/√Σl²)²/n so that neither square overflows. null for an empty or zero or
 * infinite total.
 * @example concentration(4, 4, 4) // 1 (four samples of loss 1)
 */
export function concentration(sum: number, sumOfSquares: number, n: number): number | null {
  if (!(n > 0 && sumOfSquares > 0 && Number.isFinite(sum) && Number.isFinite(sumOfSquares))) return null;
  const r = sum / Math.sqrt(sumOfSquares);
  return (r * r) / n;
}
