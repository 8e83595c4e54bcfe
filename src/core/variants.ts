import { binaryTerms, complementPower, modulated, type BinaryInputKind, type BinaryTerms } from './binary.js';
import { alphaWeight, LN_OF_BASE, type LogBase } from './params.js';
import { expOfProduct, MIN_NORMAL, twoDifference, twoProduct } from './float.js';
import { powOfComplement } from './modulating.js';
import { log1pmx } from './log1pmx.js';
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
export const LOSS_NAMES = [
  'ce',
  'fl',
  'ce-balanced',
  'fl-star',
  'poly1',
  'poly1-fl',
  'asl',
  'fl-reduced',
  'flsd',
] as const;
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
 * log(p_t/(1 − p_t)), the margin: exact for a logit input (±x); otherwise, with 1 − p_t =
 * q + qLo, 2·atanh(2p_t − 1) = 2·atanh((1 − 2q) − 2qLo) near p_t = ½ (1 − 2q is exact there;
 * see logit.ts), else log p_t = −CE minus log(q + qLo).
 * @example marginOf(binaryTerms('p', 0.9, 1)) // ln 9 = 2.1972245773362196
 */
export function marginOf(t: BinaryTerms): number {
  if (t.margin === t.margin) return t.margin;
  if (t.q >= 0.25 && t.q <= 0.75) return 2 * Math.atanh(1 - 2 * t.q - 2 * t.qLo);
  return -t.ce - (Math.log(t.q) + (t.qLo === 0 ? 0 : t.qLo / t.q));
}

/**
 * softplus(−(γz + β))/γ, FL* without α_t. For an easy example (z > 0) the numerator is
 * log1p(e^−β·e^−γz) with e^−γz = ((1 − p_t)/p_t)^γ taken from accurate powers (or e^−γz with
 * γz carried exactly for a logit), since rounding γz itself would cost γ·z/2 ulps. For a hard
 * one whose γz is beyond the double range (z = −1e308, γ = 2) softplus(w) = w, and the
 * quotient w/γ = −z − β/γ is formed without the overflow.
 */
function flStar(t: BinaryTerms, gamma: number, beta: number): number {
  const z = marginOf(t);
  // p_t = 0: the loss is ∞ (−z − β/γ would be ∞ − ∞ = NaN where β/γ overflows: γ = 7e-323, β = 700)
  if (z === -Infinity) return Infinity;
  if (!(z > 0)) {
    const w = -(gamma * z + beta);
    return w === Infinity ? -z - beta / gamma : softplus(w) / gamma;
  }
  const odds = t.margin === t.margin ? expOfProduct(-gamma, z) : complementPowerOver(t, gamma, t.pt);
  return Math.log1p(Math.exp(-beta) * odds) / gamma;
}

/** Above this 1 − u, log1pmx's series converges slowly and −log(1 − u) − u cancels little. */
const SERIES_LIMIT = 0.79149064;

/** −log(1 − u) − u ≥ 0 for u ∈ [0, 1], given minusLog = −log(1 − u) accurately (for u near 1). */
function logLoss(u: number, minusLog: number): number {
  return u <= SERIES_LIMIT ? -log1pmx(-u) : minusLog - u;
}

/**
 * CE − (1 − p_t) ≥ 0 without cancellation (Poly-1's ε = −1 point), with 1 − p_t = q + qLo.
 * Hard label: −log1pmx(−q) plus its first-order change q/(1 − q)·qLo, or (CE − q) − qLo above
 * the series' range; soft label: CE − q = y·(−log p − (1 − p)) + (1 − y)·(−log(1 − p) − p),
 * both terms ≥ 0.
 */
function ceMinusComplement(t: BinaryTerms, y: number): number {
  if (y === 0 || y === 1) return t.q <= SERIES_LIMIT ? -log1pmx(-t.q) + (t.q / t.pt) * t.qLo : t.ce - t.q - t.qLo;
  // −log p and −log(1 − p); where p (or 1 − p) is subnormal or 0, from CE, whose other term is ≈ p
  const [logP, logPNeg] = [-Math.log(t.p), -Math.log(t.pNeg)];
  const minusLogP = t.p >= MIN_NORMAL ? logP : (t.ce - (1 - y) * logPNeg) / y;
  const minusLogPNeg = t.pNeg >= MIN_NORMAL ? logPNeg : (t.ce - y * logP) / (1 - y);
  return y * logLoss(t.pNeg, minusLogP) + (1 - y) * logLoss(t.p, minusLogPNeg);
}

/**
 * Poly-1, CE + ε(1 − p_t). For ε < 0 the two terms cancel (completely for ε = −1, PolyLoss'
 * choice for some tasks, where the loss is ≈ (1 − p_t)²/2): evaluated as
 * (1 + ε)(1 − p_t) + (CE − (1 − p_t)), whose terms share a sign for −1 ≤ ε < 0.
 */
function poly1(t: BinaryTerms, y: number, epsilon: number): number {
  if (!(epsilon < 0) || t.ce === Infinity) return t.ce + epsilon * t.q;
  return (1 + epsilon) * t.q + ((1 + epsilon) * t.qLo + ceMinusComplement(t, y));
}

/**
 * Poly-1 focal, α_t(1 − p_t)^γ CE + ε(1 − p_t)^(γ+1). For ε < 0 it is
 * (1 − p_t)^γ·(α_t·(CE − (1 − p_t)) + (α_t + ε)(1 − p_t)), without the cancellation of the two.
 */
function poly1Focal(t: BinaryTerms, y: number, gamma: number, alphaT: number, epsilon: number): number {
  if (!(epsilon < 0) || alphaT === 0 || t.ce === Infinity) {
    return (
      (alphaT === 0 ? 0 : alphaT * modulated(complementPower(t, gamma), t.ce)) + epsilon * complementPower(t, gamma + 1)
    );
  }
  return complementPower(t, gamma) * (alphaT * ceMinusComplement(t, y) + (alphaT + epsilon) * (t.q + t.qLo));
}

/**
 * σ(−z) = 1/(1 + e^z) for z ≤ 0 as hi + lo, where only e^z is rounded: 1 + e^z is carried
 * exactly (TwoSum) and the division's remainder 1 − hi·(1 + e^z) exactly (twoProduct).
 * Accuracy: e^z's half ulp, which moves σ(−z) by at most a quarter ulp relative.
 */
function sigmoidOfNegative(z: number): [number, number] {
  const u = Math.exp(z);
  const [sh, sl] = twoDifference(1, -u);
  const hi = 1 / sh;
  const [ph, pl] = twoProduct(hi, sh);
  return [hi, (1 - ph - pl - hi * sl) / sh];
}

/**
 * ((1 − p_t)/d)^γ for d ∈ (0, 1] (reduced FL: d = th; FL* from a probability: d = p_t).
 *
 * Method, by the form 1 − p_t has:
 *   - exactly, as q + qLo (from a probability), or accurate to 1.5 ulps and at least ½ (σ(−z)
 *     from a logit at z ≤ 0, see sigmoidOfNegative): the quotient itself, carried as rh + rl (rh = fl(q/d), rl from
 *     the exact remainder q − rh·d + qLo, twoProduct), raised to γ by powOfComplement. No
 *     intermediate leaves the double range before the result does (0.5^1075/0.5^1075 was
 *     0/0 = NaN), and where 1 − p_t = d the factor is exactly 1.
 *   - from a logit at z > 0 (1 − p_t = σ(−z) may be far below 2^-1022): (1 − p_t)^γ / d^γ
 *     from accurate powers (γz carried exactly, powOfSigmoid). Where either power leaves the
 *     normal range while the quotient need not (0.4^1000 over 0.5^1000 = 0.8^1000 =
 *     1.2e-97), halve the exponent until both are normal, and square the quotient as often.
 * Accuracy: the quotient: pow's ulp plus γ times the relative error of 1 − p_t (0 from a
 * probability; ≤ γ/4 ulps from a logit at z ≤ 0, below powOfSigmoid's limit); the powers: each halving doubles the quotient's few ulps (about 8 at γ ≈ 2000, d = ½).
 */
function complementPowerOver(t: BinaryTerms, gamma: number, d: number): number {
  if (!(t.margin > 0)) {
    const [q, qLo] = t.margin === t.margin ? sigmoidOfNegative(t.margin) : [t.q, t.qLo];
    const rh = q / d;
    if (rh === Infinity) return gamma === 0 ? 1 : Infinity; // (d < 2^-1023; the quotient's power overflows)
    const [ph, pl] = twoProduct(rh, d);
    const rl = (q - ph - pl + qLo) / d; // q − ph is exact (Sterbenz)
    return powOfComplement(rh, rl, gamma);
  }
  let e = gamma;
  let splits = 0;
  let numerator = complementPower(t, e);
  let denominator = Math.pow(d, e);
  // halving e ends: at e ≈ 0 both powers are 1
  while (denominator < MIN_NORMAL || numerator < MIN_NORMAL) {
    e /= 2;
    splits++;
    numerator = complementPower(t, e);
    denominator = Math.pow(d, e);
  }
  let r = numerator / denominator;
  for (; splits > 0 && r !== 0 && r !== Infinity; splits--) r *= r;
  return r;
}

/** −log(1 − m) for m ∈ [0, 1), given also 1 − m = c computed without cancellation. */
function minusLogComplement(m: number, c: number): number {
  return m < 0.5 ? -Math.log1p(-m) : -Math.log(c);
}

/**
 * One loss of the family, natural log. Precondition: variantProblem(...) is null.
 *
 * Accuracy: within 8 ulps of the exact value on test/fixtures/variants.json (mpmath), every
 * region, including Poly-1 with ε = −1 near p_t = 1, FL* at logits up to ±1.8e308 and γ up to
 * 5000 from a probability; FL* from a logit is exact to a few ulps for any x (it is a softplus
 * of the margin). Limits: where α_t·CE + ε(1 − p_t) (ε < 0, α_t < 1) changes sign, the
 * accuracy is its condition number's; from a logit at γ ≫ 10 see powOfSigmoid.
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
      return alphaT === 0 ? 0 : modulated(alphaT * complementPower(t, gamma), t.ce); // evaluateBinary's order, same bits
    case 'ce-balanced':
      return weighted(t.ce);
    case 'fl-star':
      return weighted(flStar(t, gamma, params.beta ?? VARIANT_DEFAULTS.beta));
    case 'poly1':
      return poly1(t, y, params.epsilon ?? VARIANT_DEFAULTS.epsilon);
    case 'poly1-fl':
      return poly1Focal(t, y, gamma, alphaT, params.epsilon ?? VARIANT_DEFAULTS.epsilon);
    case 'asl': {
      if (y === 1) return modulated(complementPower(t, params.gammaPos ?? VARIANT_DEFAULTS.gammaPos), t.ce);
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
      return weighted(modulated(complementPowerOver(t, gamma, th), t.ce));
    }
    case 'flsd':
      return weighted(modulated(complementPower(t, t.pt < 0.2 ? 5 : 3), t.ce));
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
