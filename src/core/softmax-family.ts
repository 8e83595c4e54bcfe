import {
  evaluateCategorical,
  type CategoricalEvaluation,
  type CategoricalInputKind,
  type CategoricalParams,
} from './categorical.js';
import { LN_OF_BASE, type LogBase } from './params.js';

/**
 * The focal family in the softmax form its papers define (K classes, target t, p = softmax(x)
 * or a probability vector normalised by its sum), with gradients over the logits:
 *
 * | name | loss | gradient dL/dx_j (δ_j = [j = t], q = 1 − p_t) | source |
 * |---|---|---|---|
 * | ce-balanced | α_t CE | α_t (p_j − δ_j) | Lin et al. 2017, §3.1 (α per class) |
 * | poly1 | CE + ε q | (p_j − δ_j)(1 + ε p_t) | Leng et al. 2022, PolyLoss (softmax CE) |
 * | poly1-fl | FL + ε q^(γ+1) | dFL/dx_j + ε (γ+1) q^γ p_t (p_j − δ_j) | Leng et al. 2022, Poly-1 focal |
 * | flsd | FL with γ = 5 for p_t < 0.2, else 3 | dFL/dx_j at that γ (γ held constant) | Mukhoti et al. 2020, FLSD-53 |
 *
 * using dq/dx_j = p_t (p_j − δ_j), and (p_j − δ_j) written as −q for j = t so that nothing
 * cancels when p_t ≈ 1. CE, FL and dFL/dx come from evaluateCategorical (accurate over the
 * whole double range); α is one number, one per class (α_t = α[t]) or null. The ε terms
 * carry no α, as in the binary family (variants.ts) and in PolyLoss.
 */
export const SOFTMAX_LOSS_NAMES = ['ce', 'fl', 'ce-balanced', 'poly1', 'poly1-fl', 'flsd'] as const;
export type SoftmaxLossName = (typeof SOFTMAX_LOSS_NAMES)[number];

export interface SoftmaxFamilyParams {
  gamma: number;
  alpha: number | readonly number[] | null;
  /** Poly-1's ε (default 1) */
  epsilon?: number;
  base?: LogBase;
}

export interface SoftmaxLoss {
  loss: number;
  /** dL/dx_j over the logits, or null for a probability vector */
  grad: number[] | null;
}

/** FLSD-53's schedule: γ = 5 below p_t = 0.2, else 3. */
export function flsdGamma(pt: number): number {
  return pt < 0.2 ? 5 : 3;
}

/**
 * One softmax-form loss of the family and its gradient.
 * @example softmaxVariant('poly1', 'logits', [2, 1, 0.1], 0, { gamma: 2, alpha: null }).loss // 0.7580288773918656
 */
export function softmaxVariant(
  name: SoftmaxLossName,
  kind: CategoricalInputKind,
  values: ArrayLike<number>,
  target: number,
  params: SoftmaxFamilyParams,
): SoftmaxLoss {
  const scale = LN_OF_BASE[params.base ?? 'e'];
  const eps = params.epsilon ?? 1;
  const at = (gamma: number) => evaluateCategorical(kind, values, target, { gamma, alpha: params.alpha, base: 'e' });
  const base = at(params.gamma);
  const q = complementOf(kind, values, target, base);
  // p_j − δ_j over the logits, −q at the target
  const diff = base.gradCe;
  const divide = (x: number[] | null) => (x ? x.map((v) => v / scale) : null);
  switch (name) {
    case 'ce':
      return { loss: base.ce / scale, grad: divide(base.gradCe) };
    case 'fl':
      return { loss: base.fl / scale, grad: divide(base.grad) };
    case 'ce-balanced':
      return {
        loss: (base.alphaT === 0 ? 0 : base.alphaT * base.ce) / scale,
        grad: divide(diff && diff.map((d) => base.alphaT * d)),
      };
    case 'poly1': {
      // CE + εq = (CE − q) + (1 + ε)q and 1 + εp_t = (1 + ε)p_t + q: no cancellation for ε ≥ −1
      const g = ceMinusComplement(kind, values, target, base, q);
      return {
        loss: (g + (1 + eps) * q) / scale,
        grad: divide(diff && diff.map((d) => d * ((1 + eps) * base.pt + q))),
      };
    }
    case 'poly1-fl': {
      // FL + εq^(γ+1) = q^γ (α_t (CE − q) + (α_t + ε) q); the gradient is −q^(γ+1) B at the
      // target and p_j q^γ B elsewhere, B = α_t q + (α_t + ε)(γ + 1) p_t + α_t γ p_t (CE − q)/q,
      // every term ≥ 0 while ε ≥ −α_t (PolyLoss' ε = −α_t makes FL's leading q^(γ+1) vanish)
      const a = base.alphaT;
      const g = ceMinusComplement(kind, values, target, base, q);
      const loss = base.modulating * (a * g + (a + eps) * q);
      const b = a * q + (a + eps) * (params.gamma + 1) * base.pt + (q === 0 ? 0 : (a * params.gamma * base.pt * g) / q);
      const grad = diff && diff.map((d, j) => (j === target ? -q * base.modulating * b : d * base.modulating * b));
      return { loss: loss / scale, grad: divide(grad) };
    }
    case 'flsd': {
      const r = at(flsdGamma(base.pt));
      return { loss: r.fl / scale, grad: divide(r.grad) };
    }
  }
}

/**
 * CE − q = log1p(u) − u/(1 + u) with u = q/p_t (= Σ_{j≠t} v_j / v_t for probabilities): for
 * u ≤ 1/2 the series Σ_{k≥2} (−u)^k (1 − 1/k), whose first term dominates, so CE − q ≈ q²/2
 * keeps its digits when p_t ≈ 1; above, the difference loses at most ~3 bits.
 */
function ceMinusComplement(
  kind: CategoricalInputKind,
  values: ArrayLike<number>,
  target: number,
  r: CategoricalEvaluation,
  q: number,
): number {
  let u: number;
  if (kind === 'logits') u = q / r.pt;
  else {
    let others = 0;
    for (let j = 0; j < values.length; j++) if (j !== target) others += values[j]!;
    u = others / values[target]!;
  }
  if (!(u <= 0.5)) return r.ce - q;
  let sum = 0;
  let power = -u; // (−u)^k
  for (let k = 2; k <= 64; k++) {
    power *= -u;
    const term = power * (1 - 1 / k);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/** 1 − p_t without cancellation: −dCE/dx_t for logits, Σ_{j≠t} v_j / Σv for probabilities. */
function complementOf(
  kind: CategoricalInputKind,
  values: ArrayLike<number>,
  target: number,
  r: CategoricalEvaluation,
): number {
  if (kind === 'logits') return -r.gradCe![target]!;
  let others = 0;
  for (let j = 0; j < values.length; j++) if (j !== target) others += values[j]!;
  return others / (others + values[target]!);
}

/**
 * The gradients of the label-smoothed multiclass CE and FL over the logits. With smoothing ε
 * the target is y_j = (1 − ε)[j = t] + ε/K and each loss is Σ_j y_j L_j, L_j the loss with
 * target j (and α_j); so each gradient is Σ_j y_j ∇L_j, every ∇L_j from evaluateCategorical.
 * For CE this is p − y exactly in exact arithmetic; it is summed the same way for both.
 */
export function smoothedCategoricalGradients(
  values: ArrayLike<number>,
  target: number,
  params: CategoricalParams & { labelSmoothing: number },
): { grad: number[]; gradCe: number[] } {
  const k = values.length;
  const eps = params.labelSmoothing;
  const scale = LN_OF_BASE[params.base ?? 'e'];
  const grad = new Array<number>(k).fill(0);
  const gradCe = new Array<number>(k).fill(0);
  for (let j = 0; j < k; j++) {
    const yj = (j === target ? 1 - eps : 0) + eps / k;
    if (yj === 0) continue;
    const aj = params.alpha === null ? null : typeof params.alpha === 'number' ? params.alpha : params.alpha[j]!;
    const r = evaluateCategorical('logits', values, j, { gamma: params.gamma, alpha: aj, base: 'e' });
    for (let i = 0; i < k; i++) {
      grad[i]! += yj * r.grad![i]!;
      gradCe[i]! += yj * r.gradCe![i]!;
    }
  }
  return { grad: grad.map((g) => g / scale), gradCe: gradCe.map((g) => g / scale) };
}
