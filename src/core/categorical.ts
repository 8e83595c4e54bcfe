import { expOfProductPlus } from './float.js';
import { powOfComplement } from './modulating.js';

interface Modulation {
  factor: number;
  inverse: number;
}
import { LN_OF_BASE, type LogBase } from './params.js';

/** How a multiclass prediction is given: a probability vector or a logit vector (softmax). */
export type CategoricalInputKind = 'probs' | 'logits';

export interface CategoricalParams {
  /** Focusing parameter γ ≥ 0. */
  gamma: number;
  /**
   * Class weight: one number for every class (Keras' CategoricalFocalCrossentropy), one per
   * class (α_t = α[target]), or null for none (α_t = 1).
   */
  alpha: number | readonly number[] | null;
  base?: LogBase;
  /**
   * Label smoothing ε (Keras): the target becomes the distribution y_j = (1 − ε)[j = t] + ε/K,
   * and CE = Σ y_j (−log p_j), FL = Σ y_j α_j (1 − p_j)^γ (−log p_j) (α_j = α, or α[j]).
   */
  labelSmoothing?: number;
}

export interface CategoricalEvaluation {
  /** probability of the target class after normalisation (softmax, or division by the sum) */
  pt: number;
  alphaT: number;
  /** (1 − p_t)^γ */
  modulating: number;
  ce: number;
  fl: number;
  /** CE/FL = 1/(α_t·(1 − p_t)^γ) */
  ratio: number;
  /** dFL/dx_j over the logits (logits only) */
  grad: number[] | null;
  /** dCE/dx_j = p_j − [j = target] (logits only) */
  gradCe: number[] | null;
}

/** The target-relative view from which every quantity is computed without cancellation. */
interface TargetView {
  pt: number;
  q: number;
  ce: number;
  /** CE/2 where CE itself overflows but α_t·CE or CE/ln b may not (M = x_max − x_t = ∞) */
  ceHalf?: number;
  modulation: Modulation;
  /** p_j / (1 − p_t) for j ≠ target (logits), for the gradient */
  shareOfRest: number[] | null;
  probs: number[] | null;
}

/**
 * Softmax in the target's frame: with d_j = x_j − x_t and M = max_{j≠t} d_j,
 * S = Σ_{j≠t} e^(d_j − M) ∈ [1, K − 1] and "others" = Σ_{j≠t} p_j/p_t = e^M·S.
 * d_j − M is taken as x_j − max_{k≠t} x_k, one rounding and no overflow even where x_j − x_t
 * is beyond the double range (±9e307); M itself may then be ±∞, which is the exact loss
 * rounded (CE = ∞, or 0).
 *   M ≤ 0 (the target is the arg-max): CE = log1p(e^M·S), 1 − p_t = others/(1 + others), and
 *     (1 − p_t)^γ = e^(γM + γ(log S − log1p(others))), γM carried exactly and the sum as
 *     hi + lo (expOfProductPlus): as a product of the two exponentials it is 0·∞ = NaN where
 *     e^(γM) underflows and e^(γ(log S − …)) overflows (logits (0, 0, 0.514, 0), target 2,
 *     γ = 9988), and the ratio's (1 − p_t)^−γ likewise;
 *   M > 0: CE = M + log(S + e^−M), p_t = e^−M/(S + e^−M), (1 − p_t)^γ = e^(−γ·log1p(e^−M/S)).
 * Neither branch overflows or cancels; for K = 2 they reduce to the binary logit formulas.
 */
function fromLogits(x: ArrayLike<number>, t: number, gamma: number): TargetView {
  const xt = x[t]!;
  let top = -Infinity;
  for (let j = 0; j < x.length; j++) if (j !== t) top = Math.max(top, x[j]!);
  const m = top - xt;
  const weights: number[] = [];
  let s = 0;
  for (let j = 0; j < x.length; j++) {
    const w = j === t ? 0 : Math.exp(x[j]! - top);
    weights.push(w);
    s += w;
  }
  const shareOfRest = weights.map((w) => w / s);
  if (m <= 0) {
    const others = Math.exp(m) * s;
    const ce = Math.log1p(others);
    const q = others / (1 + others);
    const c = Math.log(s) - ce;
    // (γ = 0 at M = −∞ is 0^0 = 1, not e^(0·−∞) = NaN)
    const modulation =
      gamma === 0
        ? { factor: 1, inverse: 1 }
        : { factor: expOfProductPlus(gamma, m, gamma * c), inverse: expOfProductPlus(-gamma, m, -gamma * c) };
    const pt = 1 / (1 + others);
    return { pt, q, ce, modulation, shareOfRest, probs: shareOfRest.map((r, j) => (j === t ? pt : r * q)) };
  }
  const e = Math.exp(-m);
  const ce = m + Math.log(s + e);
  const pt = e / (s + e);
  const q = s / (s + e);
  const l = Math.log1p(e / s);
  const modulation = { factor: Math.exp(-gamma * l), inverse: Math.exp(gamma * l) };
  const view: TargetView = {
    pt,
    q,
    ce,
    modulation,
    shareOfRest,
    probs: shareOfRest.map((r, j) => (j === t ? pt : r * q)),
  };
  if (m === Infinity) view.ceHalf = top / 2 - xt / 2 + Math.log(s) / 2; // CE = M + log S, M beyond the double range
  return view;
}

/** 2^-64: scales a probability vector whose sum overflows; exact for every entry above 2^-958. */
const SUM_SCALE = 2 ** -64;

/**
 * A probability vector, normalised by its sum as Keras does: p_t = v_t/Σv, 1 − p_t = (Σ_{j≠t} v_j)/Σv
 * (summed apart, so it keeps its digits when p_t ≈ 1), CE = log(Σv/v_t) = log1p(Σ_{j≠t} v_j / v_t).
 * Entries need not be normalised: where the sum overflows ([1e308, 1e308]) every entry is
 * scaled by 2^-64 first (the entries that lose bits to underflow then are below 2^-1900 of the
 * sum); where the ratio Σ_{j≠t} v_j / v_t overflows, CE = log Σ_{j≠t} v_j − log v_t.
 */
function fromProbabilities(v: ArrayLike<number>, t: number, gamma: number): TargetView {
  let others = 0;
  for (let j = 0; j < v.length; j++) if (j !== t) others += v[j]!;
  let vt = v[t]!;
  let shift = 0; // ln of the scale undone in CE
  if (vt + others === Infinity) {
    others = 0;
    for (let j = 0; j < v.length; j++) if (j !== t) others += v[j]! * SUM_SCALE;
    vt *= SUM_SCALE;
    shift = -Math.log(SUM_SCALE);
  }
  const total = vt + others;
  const q = others / total;
  const ratio = others / vt;
  // (log v_t from the unscaled entry: scaled, it may be subnormal)
  const ce =
    v[t]! === 0 ? Infinity : ratio === Infinity ? Math.log(others) + shift - Math.log(v[t]!) : Math.log1p(ratio);
  return {
    pt: vt / total,
    q,
    ce,
    modulation: { factor: powOfComplement(q, 0, gamma), inverse: powOfComplement(q, 0, -gamma) },
    shareOfRest: null,
    probs: null,
  };
}

/**
 * Categorical (softmax) cross-entropy and focal loss of one sample with a target class index,
 * Keras' CategoricalFocalCrossentropy convention: FL = α_t·(1 − p_t)^γ·(−log p_t).
 *
 * Gradient over the logits (softmax): with G = α_t·(1 − p_t)^γ·(1 − p_t + γ·p_t·CE),
 *   dFL/dx_t = −G,   dFL/dx_j = G · p_j/(1 − p_t)  (j ≠ t),
 * which sum to zero and stay finite for 0 < γ < 1 at p_t → 1.
 *
 * Special cases: p_t = 1 gives CE = FL = 0 and ratio Infinity (γ > 0); a probability vector
 * whose target entry is 0 gives CE = Infinity; α_t = 0 gives FL = 0.
 *
 * Preconditions (the CLI checks them): values finite, at least two classes, target an index,
 * probabilities ≥ 0 with a positive sum.
 *
 * @example evaluateCategorical('logits', [800, 0, -800], 0, { gamma: 2, alpha: 0.25 }).ce // 3.7e-348 → 0
 */
export function evaluateCategorical(
  kind: CategoricalInputKind,
  values: ArrayLike<number>,
  target: number,
  params: CategoricalParams,
): CategoricalEvaluation {
  const { gamma, alpha } = params;
  if (params.labelSmoothing) return smoothed(kind, values, target, params, params.labelSmoothing);
  const view = kind === 'logits' ? fromLogits(values, target, gamma) : fromProbabilities(values, target, gamma);
  const alphaT = alpha === null ? 1 : typeof alpha === 'number' ? alpha : alpha[target]!;
  const scale = LN_OF_BASE[params.base ?? 'e'];
  const { factor, inverse } = view.modulation;
  // where CE overflows, CE/ln b and α_t·(1 − p_t)^γ·CE are formed from CE/2 and doubled
  const half = view.ceHalf;
  const fl =
    alphaT === 0
      ? 0
      : half === undefined
        ? (alphaT * factor * view.ce) / scale
        : ((alphaT * factor * half) / scale) * 2;
  let grad: number[] | null = null;
  let gradCe: number[] | null = null;
  if (view.shareOfRest && view.probs) {
    const focusing = view.pt === 0 ? 0 : gamma * view.pt * view.ce;
    const g = alphaT === 0 || factor === 0 ? 0 : alphaT * factor * (view.q + focusing);
    grad = view.shareOfRest.map((r, j) => (j === target ? -g : g * r) / scale);
    gradCe = view.probs.map((p, j) => (j === target ? -view.q : p) / scale);
  }
  return {
    pt: view.pt,
    alphaT,
    modulating: factor,
    ce: half === undefined ? view.ce / scale : (half / scale) * 2,
    fl,
    ratio: inverse / alphaT,
    grad,
    gradCe,
  };
}

/** The label-smoothed loss: a sum over every class, each in its own target frame. */
function smoothed(
  kind: CategoricalInputKind,
  values: ArrayLike<number>,
  target: number,
  params: CategoricalParams,
  eps: number,
): CategoricalEvaluation {
  const { gamma, alpha } = params;
  const k = values.length;
  const scale = LN_OF_BASE[params.base ?? 'e'];
  let ce = 0;
  let fl = 0;
  // Classes with p_j = 0 make CE and FL infinite; their weights decide the ratio.
  let infiniteCe = 0;
  let infiniteFl = 0;
  let targetView: TargetView | null = null;
  for (let j = 0; j < k; j++) {
    const v = kind === 'logits' ? fromLogits(values, j, gamma) : fromProbabilities(values, j, gamma);
    if (j === target) targetView = v;
    const yj = (j === target ? 1 - eps : 0) + eps / k;
    const aj = alpha === null ? 1 : typeof alpha === 'number' ? alpha : alpha[j]!;
    const weight = aj * v.modulation.factor;
    if (yj === 0) continue;
    if (v.ce === Infinity) {
      infiniteCe += yj;
      infiniteFl += yj * weight;
    }
    ce += yj * v.ce;
    fl += weight === 0 ? 0 : yj * weight * v.ce;
  }
  const t = targetView!;
  const alphaT = alpha === null ? 1 : typeof alpha === 'number' ? alpha : alpha[target]!;
  const ratio = infiniteCe > 0 ? (infiniteFl > 0 ? infiniteCe / infiniteFl : Infinity) : fl === 0 ? Infinity : ce / fl;
  return {
    pt: t.pt,
    alphaT,
    modulating: t.modulation.factor,
    ce: ce / scale,
    fl: fl / scale,
    ratio,
    grad: null,
    gradCe: null,
  };
}
