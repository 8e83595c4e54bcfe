import { MIN_NORMAL } from './float.js';
import { powOfComplement, powOfSigmoid, powOfSigmoidFrom } from './modulating.js';
import { alphaWeight, LN_OF_BASE, type FocalParams } from './params.js';
import { sigmoid } from './sigmoid.js';
import { softplus } from './softplus.js';

/** How a binary prediction is given. */
export type BinaryInputKind = 'p' | 'logit' | 'pt';

/**
 * Everything the focal-loss family needs about one sample, in the true class's terms. Each
 * field is computed from the input directly (not from a rounded p), so it keeps full relative
 * accuracy at the extremes. Variants (variants.ts) are functions of these terms.
 */
export interface BinaryTerms {
  /** probability of class 1 */
  p: number;
  /** 1 − p, from the input (σ(−x) for a logit) */
  pNeg: number;
  /** p_t, the probability given to the true class */
  pt: number;
  /** 1 − p_t, without cancellation */
  q: number;
  /** the rounding error of q when it is carried as q + qLo (else 0) */
  qLo: number;
  /** natural-log cross-entropy */
  ce: number;
  /** the margin z = x·(2y − 1) when the input was a logit with a hard label, else NaN */
  margin: number;
  /** p·(1 − p), for the soft-label gradient */
  pq: number;
}

/** (1 − p_t)^e from the most accurate form the terms have (e = γ for the factor, −γ for its reciprocal).
 * @example complementPower(binaryTerms('logit', 40, 1), 2) // 1.804851387845415e-35 = σ(−40)²
 */
export function complementPower(v: BinaryTerms, e: number): number {
  return v.margin === v.margin ? powOfSigmoid(v.margin, e) : powOfComplement(v.q, v.qLo, e);
}

/**
 * m·CE for a modulating factor m = (1 − p_t)^e: where CE = ∞ (p_t = 0, or a soft label at p ∈
 * {0, 1}) 1 − p_t > 0, so the exact m is positive even where it underflowed (0.3^1100), and
 * the product is ∞, never 0·∞ = NaN.
 */
export function modulated(m: number, ce: number): number {
  return ce === Infinity ? Infinity : m * ce;
}

/** α_t·m·CE, the focal loss of one sample in natural log: 0 when α_t = 0 (even where CE = ∞). */
function focalProduct(alphaT: number, m: number, ce: number): number {
  if (alphaT === 0) return 0;
  return ce === Infinity ? Infinity : alphaT * m * ce;
}

/** One evaluated sample: binary cross-entropy and focal loss side by side. */
export interface BinaryEvaluation {
  /** probability of class 1 */
  p: number;
  /** label, 0 or 1, or a soft label in (0, 1) */
  y: number;
  /** probability of the true class: p·y + (1 − p)·(1 − y) */
  pt: number;
  /** class weight: α·y + (1 − α)·(1 − y), or 1 when α is null */
  alphaT: number;
  /** (1 − p_t)^γ, with 0^0 = 1 */
  modulating: number;
  /** cross-entropy −(y·log p + (1 − y)·log(1 − p)), in the requested base */
  ce: number;
  /** focal loss α_t·(1 − p_t)^γ·CE, in the requested base */
  fl: number;
  /** CE/FL = 1/(α_t·(1 − p_t)^γ): Infinity at p_t = 1 for γ > 0, 1/α_t for γ = 0 */
  ratio: number;
  /** dFL/dx, the gradient with respect to the logit x, in the requested base */
  grad: number;
  /** dCE/dx = p − y, in the requested base */
  gradCe: number;
  /** dFL/dp, the gradient with respect to the probability p of class 1, in the requested base */
  gradP: number;
  /** dCE/dp = (p − y)/(p(1 − p)), in the requested base */
  gradCeP: number;
}

function isHard(y: number): boolean {
  return y === 0 || y === 1;
}

// CE is written `0 - log(p_t)` so that p_t = 1 gives +0 rather than −0.

/**
 * The rounding error of hi = fl(1 − x): 1 − x = hi + lo exactly (Knuth's TwoSum, written out so
 * that the per-row paths allocate nothing).
 */
function complementError(hi: number, x: number): number {
  const bb = hi - 1;
  return 1 - (hi - bb) + (-x - bb);
}

/** Fills `t` (every field, so one object can serve a whole batch without allocation). */
function set(
  t: BinaryTerms,
  p: number,
  pNeg: number,
  pt: number,
  q: number,
  qLo: number,
  ce: number,
  margin: number,
  pq: number,
): BinaryTerms {
  t.p = p;
  t.pNeg = pNeg;
  t.pt = pt;
  t.q = q;
  t.qLo = qLo;
  t.ce = ce;
  t.margin = margin;
  t.pq = pq;
  return t;
}

function fromProbability(t: BinaryTerms, p: number, y: number): BinaryTerms {
  if (y === 1) {
    // q = 1 − p carried as hi + lo so that pow() sees it exactly
    const hi = 1 - p;
    return set(t, p, hi, p, hi, complementError(hi, p), 0 - Math.log(p), NaN, p * hi);
  }
  if (y === 0) {
    // p_t = 1 − p, but 1 − p_t = p exactly and log(1 − p) = log1p(−p).
    return set(t, p, 1 - p, 1 - p, p, 0, -Math.log1p(-p), NaN, p * (1 - p));
  }
  const pt = p * y + (1 - p) * (1 - y);
  // 1 − p_t = y·(1 − p) + (1 − y)·p: a sum of non-negative terms, no cancellation.
  const q = y * (1 - p) + (1 - y) * p;
  // Both terms are ≤ 0 (y is strictly between 0 and 1 here), so no cancellation.
  const ce = -(y * Math.log(p) + (1 - y) * Math.log1p(-p));
  return set(t, p, 1 - p, pt, q, 0, ce, NaN, p * (1 - p));
}

function fromLogit(t: BinaryTerms, x: number, y: number): BinaryTerms {
  if (!Number.isFinite(x)) return fromProbability(t, x > 0 ? 1 : 0, y);
  const p = sigmoid(x);
  const pNeg = sigmoid(-x); // 1 − p, from the logit
  if (isHard(y)) {
    const z = y === 1 ? x : -x; // the margin: p_t = σ(z)
    return set(t, p, pNeg, y === 1 ? p : pNeg, y === 1 ? pNeg : p, 0, softplus(-z), z, p * pNeg);
  }
  const pt = y * p + (1 - y) * pNeg;
  const q = y * pNeg + (1 - y) * p;
  const ce = y * softplus(-x) + (1 - y) * softplus(x);
  return set(t, p, pNeg, pt, q, 0, ce, NaN, p * pNeg);
}

function fromTrueClassProbability(t: BinaryTerms, pt: number, y: number): BinaryTerms {
  const hi = 1 - pt;
  return set(t, y === 1 ? pt : hi, y === 1 ? hi : pt, pt, hi, complementError(hi, pt), 0 - Math.log(pt), NaN, pt * hi);
}

/** A terms object to reuse with binaryTermsInto. */
export function emptyTerms(): BinaryTerms {
  return { p: 0, pNeg: 0, pt: 0, q: 0, qLo: 0, ce: 0, margin: NaN, pq: 0 };
}

/** binaryTerms written into `t`: no allocation, for loops over many samples.
 * @example binaryTerms('logit', 40, 1).q // 4.248354255291589e-18, where 1 − σ(40) is 0
 */
export function binaryTermsInto(t: BinaryTerms, kind: BinaryInputKind, value: number, y: number): BinaryTerms {
  return kind === 'logit'
    ? fromLogit(t, value, y)
    : kind === 'p'
      ? fromProbability(t, value, y)
      : fromTrueClassProbability(t, value, y);
}

/**
 * The terms of one sample, from a probability of class 1 ('p'), a logit ('logit') or the
 * probability of the true class ('pt', hard labels only).
 */
export function binaryTerms(kind: BinaryInputKind, value: number, y: number): BinaryTerms {
  return binaryTermsInto(emptyTerms(), kind, value, y);
}

/** Reused by binaryLossInto: module-level state, but only ever within one synchronous call. */
const SCRATCH = emptyTerms();

/** CE and FL of one sample, written into `out` (no allocation; for loops over millions of samples). */
export interface LossPair {
  ce: number;
  fl: number;
}

/**
 * CE and FL (natural log) of one sample with a hard label, written to ce[at] and fl[at],
 * computing only what a reduction needs: no p, no 1 − p from a logit, no ratio, no gradient,
 * no terms object, no allocation (typed arrays, not an object, take the result: storing the
 * doubles into an object's fields cost more than the loss in V8). Returns false, writing
 * nothing, where it does not apply (a soft label; a logit ±∞ or NaN): the caller takes the
 * terms path (binaryTermsInto + complementPower) there, as binaryLossAt does.
 *
 * Each branch performs exactly the floating-point operations the terms path performs for the
 * same sample, minus the fields a reduction does not read, so the two give the same bits
 * (test/fast-core.test.ts checks it on every region, ≥ 10⁶ cases under `npm run fuzz`); the
 * accuracy is therefore the terms path's, measured against mpmath (test/core.test.ts), and
 * `loss`, `anatomy`, `sweep` and `compare` agree to the bit.
 *
 *   'p', y = 0:  Method: CE = −log1p(−p); 1 − p_t = p exactly, so (1 − p_t)^γ = p·p (γ = 2),
 *                p (γ = 1), pow(p, γ) otherwise (powOfComplement with lo = 0).
 *                Accuracy: log1p within 1 ulp, so CE within 1 ulp (≤ 2); FL: the power's one
 *                rounding (or pow's < 1 ulp) and two products' on top (≤ 4 measured).
 *   'p', y = 1, and 'pt':  Method: CE = −log p; 1 − p = hi + lo exactly (TwoSum). For p ≥ ½
 *                lo = 0 (Sterbenz: 1 − p is exact), so the power is hi·hi or pow(hi, γ); below
 *                ½ powOfComplement's first-order correction (1 + γ·lo/hi) removes the γ/2 ulps
 *                that rounding 1 − p would cost. Accuracy: as for y = 0 (log within 1 ulp).
 *   'logit':     Method: z = ±x the margin, L = log1p(e^−|z|) — one exp and one log1p, shared
 *                by both losses: CE = softplus(−z) = max(−z, 0) + L; (1 − p_t)^γ = σ(−z)^γ =
 *                e^(−γ·max(z, 0) − γL) with γz and the sum carried exactly into one exp
 *                (powOfSigmoidFrom). σ(x) itself is never computed.
 *                Accuracy: CE within 2 ulps (exp's error enters L damped by e/(1 + e) ≤ ½, then
 *                log1p's and the sum's roundings); the factor: exp's own error plus γ·L's
 *                rounding, |γL| ≤ γ·ln 2, so within 4 ulps for FL at the usual γ ≤ 10 (the
 *                fixtures' bound; see powOfSigmoid for γ ≫ 10). At γ = 1 and 2 (the usual ones) γ·z
 *                is exact (a doubling), so its rounding error is not computed (productError would
 *                give 0): the same bits, without the Veltkamp splits.
 *                Why not one exp for both (1 − p_t = e/(1 + e) or 1/(1 + e), e = e^−|z|, and
 *                (1 − p_t)² as a product)? Node's exp is within 1.23·2^-53 relative and log1p
 *                within 1.31·2^-53 (measured against mpmath on [−745, 0] and (0, 1]), and from one
 *                e the exp error enters FL (1 + γ) times for z > 0 (CE ≈ e, the factor ≈ e^γ):
 *                ≥ 5·2^-53 before any rounding of the product at γ = 2, and 7 ulps measured
 *                (5 for z < 0, where 1/(1 + e)² adds three roundings). The careful factor's own
 *                exp keeps FL within 4 (issue 10's note).
 *
 * @example ((ce, fl) => binaryLossFast(ce, fl, 0, 'logit', 40, 1, 2, 0.25) && [ce[0], fl[0]])(new Float64Array(1), new Float64Array(1)) // [4.248354255291589e-18, 1.9169120184304997e-53]
 */
export function binaryLossFast(
  ce: Float64Array,
  fl: Float64Array,
  at: number,
  kind: BinaryInputKind,
  value: number,
  y: number,
  gamma: number,
  alphaT: number,
): boolean {
  if (y !== 0 && y !== 1) return false;
  // one small function per kind: a loop over one kind inlines only its own
  if (kind === 'logit') return logitLoss(ce, fl, at, value, y, gamma, alphaT);
  if (kind === 'p' && y === 0) return negativeProbabilityLoss(ce, fl, at, value, gamma, alphaT);
  return trueClassProbabilityLoss(ce, fl, at, value, gamma, alphaT);
}

/** binaryLossFast from a logit with a hard label (false for ±∞ and NaN). */
function logitLoss(
  ce: Float64Array,
  fl: Float64Array,
  at: number,
  x: number,
  y: number,
  gamma: number,
  alphaT: number,
): boolean {
  if (!(x > -Infinity && x < Infinity)) return false;
  const z = y === 1 ? x : -x;
  const logTerm = Math.log1p(Math.exp(z > 0 ? -z : z));
  const c = z < 0 ? -z + logTerm : logTerm;
  ce[at] = c;
  fl[at] = focalProduct(alphaT, powOfSigmoidFrom(z, logTerm, gamma), c);
  return true;
}

/** binaryLossFast from p with y = 0: 1 − p_t = p exactly. */
function negativeProbabilityLoss(
  ce: Float64Array,
  fl: Float64Array,
  at: number,
  p: number,
  gamma: number,
  alphaT: number,
): boolean {
  const c = -Math.log1p(-p);
  ce[at] = c;
  fl[at] = focalProduct(alphaT, powOfComplement(p, 0, gamma), c);
  return true;
}

/** binaryLossFast from p_t itself: p with y = 1, or 'pt'. */
function trueClassProbabilityLoss(
  ce: Float64Array,
  fl: Float64Array,
  at: number,
  pt: number,
  gamma: number,
  alphaT: number,
): boolean {
  const q = 1 - pt;
  const c = 0 - Math.log(pt);
  ce[at] = c;
  fl[at] = focalProduct(alphaT, powOfComplement(q, complementError(q, pt), gamma), c);
  return true;
}

/**
 * CE and FL of one sample in the base whose natural log is `scale`, written to ce[at] and
 * fl[at]: binaryLossFast where it applies, else the terms path (soft labels, logits ±∞), so
 * the same bits as evaluateBinary. The per-row work of a reduction over a file.
 * @example ((ce, fl) => (binaryLossAt(ce, fl, 0, 'p', 0.9, 1, 2, 0.25, 1), [ce[0], fl[0]]))(new Float64Array(1), new Float64Array(1)) // [0.10536051565782628, 0.00026340128914456557]
 */
export function binaryLossAt(
  ce: Float64Array,
  fl: Float64Array,
  at: number,
  kind: BinaryInputKind,
  value: number,
  y: number,
  gamma: number,
  alphaT: number,
  scale: number,
  scratch: BinaryTerms = SCRATCH,
): void {
  if (!binaryLossFast(ce, fl, at, kind, value, y, gamma, alphaT))
    lossFromTerms(ce, fl, at, kind, value, y, gamma, alphaT, scratch);
  if (scale !== 1) {
    ce[at] = ce[at]! / scale;
    fl[at] = fl[at]! / scale;
  }
}

/** The terms path of binaryLossAt, a function of its own so that the hot loops inline only the fast one. */
function lossFromTerms(
  ce: Float64Array,
  fl: Float64Array,
  at: number,
  kind: BinaryInputKind,
  value: number,
  y: number,
  gamma: number,
  alphaT: number,
  scratch: BinaryTerms,
): void {
  const view = binaryTermsInto(scratch, kind, value, y);
  ce[at] = view.ce;
  fl[at] = focalProduct(alphaT, complementPower(view, gamma), view.ce);
}

/** binaryLossInto's landing place: module-level, but only ever within one synchronous call. */
const PAIR_CE = new Float64Array(1);
const PAIR_FL = new Float64Array(1);

/**
 * The two losses alone, as binaryLossAt, into an object: exactly as evaluateBinary computes
 * them (same code path, same bits), without the ratio and gradients. `alphaT` and `scale`
 * (ln of the log base) are the caller's, computed once.
 * @example binaryLossInto({ ce: 0, fl: 0 }, 'logit', 40, 1, 2, 0.25, 1) // { ce: 4.248354255291589e-18, fl: 1.9169120184304997e-53 }
 */
export function binaryLossInto(
  out: LossPair,
  kind: BinaryInputKind,
  value: number,
  y: number,
  gamma: number,
  alphaT: number,
  scale: number,
  scratch: BinaryTerms = SCRATCH,
): LossPair {
  binaryLossAt(PAIR_CE, PAIR_FL, 0, kind, value, y, gamma, alphaT, scale, scratch);
  out.ce = PAIR_CE[0]!;
  out.fl = PAIR_FL[0]!;
  return out;
}

/**
 * Binary (sigmoid) cross-entropy and focal loss of one sample, with every derived quantity.
 *
 * Definitions (Lin et al. 2017; torchvision.ops.sigmoid_focal_loss for soft labels):
 *   p_t = p·y + (1 − p)(1 − y),  α_t = α·y + (1 − α)(1 − y)  (1 when α is null),
 *   CE = −(y·log p + (1 − y)·log(1 − p)),  FL = α_t·(1 − p_t)^γ·CE,
 *   CE/FL = 1/(α_t·(1 − p_t)^γ),
 *   dFL/dx = α_t·(1 − p_t)^γ·((p − y) + γ·(1 − 2y)·p(1 − p)·CE/(1 − p_t)), which for hard
 *   labels is Lin et al.'s  −s·α_t·(1 − p_t)^γ·(γ·p_t·CE + 1 − p_t),  s = 2y − 1.
 *
 * Stable evaluation: from a logit x every quantity comes from x itself: CE = softplus(∓x),
 * 1 − p_t = σ(∓x), (1 − p_t)^γ = exp(−γ·softplus(±x)) (see powOfSigmoid); from a
 * probability, log1p(−p) for log(1 − p). The hard-label gradient is a sum of non-negative
 * terms, so no 0·∞ and no NaN for 0 < γ < 1 at p_t → 1 (where γ(1 − p_t)^(γ−1) diverges).
 *
 * Special cases:
 *   - γ = 0 and α null: FL = CE exactly.
 *   - p_t = 1: CE = FL = 0; ratio = Infinity for γ > 0, 1/α_t for γ = 0.
 *   - p_t = 0: CE = FL = Infinity (α_t > 0); ratio = 1/α_t.
 *   - α_t = 0: FL = 0 and ratio = Infinity (the sample carries no weight), even where CE = ∞.
 *   - logit ±Infinity: the same as p = 1 or 0.
 *
 * Accuracy, for any γ ≥ 0 (test/core.test.ts, region by region against mpmath, and the 3,002
 * cases of ../shared/vectors): hard labels: CE within 2 ulps; FL, ratio and the gradients
 * within 4; soft labels: FL and ratio within 12.
 *
 * @param kind   'p': value is P(y = 1); 'logit': value is the logit x; 'pt': value is p_t
 * @param value  the prediction
 * @param y      label in [0, 1] (hard for kind 'pt')
 * @example evaluateBinary('logit', 40, 1, { gamma: 2, alpha: 0.25 }).ce // 4.248354255291589e-18
 */
export function evaluateBinary(kind: BinaryInputKind, value: number, y: number, params: FocalParams): BinaryEvaluation {
  const { gamma } = params;
  const view = binaryTerms(kind, value, y);
  const losses = lossesOf(emptyLosses(), view, kind, value, y, params);
  const { alphaT, modulating: factor } = losses;
  const scale = LN_OF_BASE[params.base ?? 'e'];
  // A subnormal factor has lost digits that a gradient up to (γ + 1/p_t) times larger would
  // show (p = 0.3, γ = 2000: 500 ulps): the gradients take it as h·h, h = (1 − p_t)^(γ/2).
  const half = factor > 0 && factor < MIN_NORMAL ? complementPower(view, gamma / 2) : 0;
  const [m, mScale] = half > 0 ? [half, half] : [factor, 1];
  return {
    p: losses.p,
    y,
    pt: losses.pt,
    alphaT,
    modulating: factor,
    ce: losses.ce,
    fl: losses.fl,
    ratio: losses.ratio,
    grad: (mScale * focalGradient(view, m, y, gamma, alphaT)) / scale,
    gradP: (mScale * focalGradientP(view, m, y, gamma, alphaT)) / scale,
    gradCeP: crossEntropyGradientP(view, y) / scale,
    gradCe: crossEntropyGradient(view, y) / scale,
  };
}

/** What evaluateBinary gives apart from the gradients: what `compare` prints without --grad. */
export type BinaryLosses = Omit<BinaryEvaluation, 'grad' | 'gradCe' | 'gradP' | 'gradCeP'>;

/** A losses object to reuse with evaluateBinaryLossesInto. */
export function emptyLosses(): BinaryLosses {
  return { p: 0, y: 0, pt: 0, alphaT: 0, modulating: 0, ce: 0, fl: 0, ratio: 0 };
}

/** Reused by evaluateBinaryLossesInto: module-level, but only ever within one synchronous call. */
const LOSSES_SCRATCH = emptyTerms();

/**
 * evaluateBinary without the gradients, written into `out`: no allocation and no gradient work
 * for a caller that prints none (a streamed `compare` sweep, bench/compare.mjs). The same code
 * as evaluateBinary's (it calls lossesOf too), so every field has the same bits
 * (test/binary-lean.test.ts).
 * @example evaluateBinaryLossesInto(emptyLosses(), 'logit', 40, 1, { gamma: 2, alpha: 0.25 }).ce // 4.248354255291589e-18
 */
export function evaluateBinaryLossesInto(
  out: BinaryLosses,
  kind: BinaryInputKind,
  value: number,
  y: number,
  params: FocalParams,
): BinaryLosses {
  return lossesOf(out, binaryTermsInto(LOSSES_SCRATCH, kind, value, y), kind, value, y, params);
}

/** The gradient-free fields of one sample from its terms `view`, into `out`. */
function lossesOf(
  out: BinaryLosses,
  view: BinaryTerms,
  kind: BinaryInputKind,
  value: number,
  y: number,
  params: FocalParams,
): BinaryLosses {
  const { gamma } = params;
  const alphaT = alphaWeight(params.alpha, y);
  const scale = LN_OF_BASE[params.base ?? 'e'];
  // CE and FL through the reductions' own function: `loss`, `anatomy`, `sweep` and `compare` report the same bits
  binaryLossAt(PAIR_CE, PAIR_FL, 0, kind, value, y, gamma, alphaT, scale);
  out.p = view.p;
  out.y = y;
  out.pt = view.pt;
  out.alphaT = alphaT;
  out.modulating = complementPower(view, gamma);
  out.ce = PAIR_CE[0]!;
  out.fl = PAIR_FL[0]!;
  out.ratio = complementPower(view, -gamma) / alphaT;
  return out;
}

/** dCE/dx = p − y: for a hard label ∓(1 − p_t) exactly, without the cancellation in p − 1. */
function crossEntropyGradient(v: BinaryTerms, y: number): number {
  if (y === 1) return -v.q;
  if (y === 0) return v.q;
  return v.p - y;
}

/** dCE/dp: −1/p for y = 1, 1/(1 − p) for y = 0, −y/p + (1 − y)/(1 − p) for soft labels. */
function crossEntropyGradientP(v: BinaryTerms, y: number): number {
  if (y === 1) return -1 / v.pt;
  if (y === 0) return 1 / v.pt;
  return -y / v.p + (1 - y) / v.pNeg;
}

/**
 * dFL/dp = α_t·(1 − p_t)^γ·(γ·(1 − 2y)·CE/(1 − p_t) + dCE/dp): for a hard label
 * ∓α_t(1 − p_t)^γ(γ·CE/(1 − p_t) + 1/p_t), where CE/(1 − p_t) → 1 as p_t → 1 (no 0/0).
 */
function focalGradientP(v: BinaryTerms, m: number, y: number, gamma: number, alphaT: number): number {
  if (alphaT === 0 || m === 0) return 0;
  const a = alphaT * m;
  // γ·CE/(1 − p_t) is dropped at γ = 0 (CE may be ∞ there), and a/p_t is divided last so
  // that 1/p_t may exceed the double range while the gradient does not (p_t = e^-709.8).
  const focusing = gamma === 0 ? 0 : gamma * (v.q === 0 ? 1 : v.ce / v.q);
  if (isHard(y)) {
    const magnitude = a * focusing + a / v.pt;
    return y === 1 ? -magnitude : magnitude;
  }
  const dce = crossEntropyGradientP(v, y);
  // at p = 0 or 1 the 1/p term dominates the logarithm in CE: the gradient is ±∞
  if (!Number.isFinite(dce)) return dce;
  return a * (1 - 2 * y) * focusing + a * dce;
}

function focalGradient(v: BinaryTerms, m: number, y: number, gamma: number, alphaT: number): number {
  if (alphaT === 0 || m === 0) return 0;
  // p_t·CE = −p_t·log(p_t) and p(1 − p)·CE tend to 0 where CE = ∞ (p_t = 0); avoid 0·∞.
  if (isHard(y)) {
    const focusing = v.pt === 0 ? 0 : gamma * v.pt * v.ce;
    const magnitude = alphaT * m * (v.q + focusing);
    return y === 1 ? -magnitude : magnitude;
  }
  const focusing = v.pq === 0 ? 0 : (gamma * (1 - 2 * y) * v.pq * v.ce) / v.q;
  return alphaT * m * (v.p - y + focusing);
}
