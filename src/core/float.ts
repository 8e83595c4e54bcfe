/**
 * Error-free transformations on binary64 (Dekker 1971, Knuth TAOCP 4.2.2).
 *
 * They give the rounding error of one operation exactly, so a result can be carried as an
 * unevaluated sum hi + lo when one rounding would cost too much accuracy downstream (for
 * example before `exp`, which turns an absolute error in its argument into a relative error
 * in its result). JavaScript has no fused multiply-add, hence Veltkamp's splitting.
 */

/** The smallest normal double, 2^-1022: below it a result keeps fewer than 53 significant bits. */
export const MIN_NORMAL = 2 ** -1022;

/** 2^27 + 1: splits a double into two halves of at most 26 significant bits each. */
const SPLITTER = 134217729;

/**
 * Above 2^995 Veltkamp's split overflows: SPLITTER·a may exceed the double range, and the
 * high half, a rounded to 26 bits, may round up to 2^1024 (a = 1.7976931214684583e308).
 */
const SPLIT_LIMIT = 2 ** 995;

/** Above this magnitude of a product, the high halves' product ah·bh may overflow. */
const PRODUCT_LIMIT = 2 ** 1000;

/** The high half of a, rounded to at most 26 significant bits (a − hi is the exact low half); |a| ≤ SPLIT_LIMIT. */
function highHalf(a: number): number {
  const t = SPLITTER * a;
  return t - (t - a);
}

/**
 * The exact rounding error of fl(a·b) (0 where the product is 0 or not finite), barring
 * underflow of the error itself, which only matters where the product is far below 1e-290.
 * Allocation-free: the per-row paths (powOfSigmoid on every logit) call it.
 * @example productError(0.1, 0.3) // 1.6653345369377347e-18: 0.1·0.3 = 0.03 + 1.67e-18 exactly
 */
export function productError(a: number, b: number): number {
  const p = a * b;
  // the common case first, small enough for the per-row loops to inline
  if (!(p !== 0 && Math.abs(p) <= PRODUCT_LIMIT && Math.abs(a) <= SPLIT_LIMIT && Math.abs(b) <= SPLIT_LIMIT))
    return productErrorAtEdges(a, b, p);
  const ah = highHalf(a);
  const bh = highHalf(b);
  const al = a - ah;
  const bl = b - bh;
  return al * bl - (p - ah * bh - al * bh - ah * bl);
}

/** productError where the product is 0, not finite, or near the top of the range. */
function productErrorAtEdges(a: number, b: number, p: number): number {
  if (!Number.isFinite(p) || p === 0) return 0;
  // Near the top of the range the splitting overflows where the product need not: for a
  // factor above 2^995 (SPLITTER·a, or its high half rounded up to 2^1024), and for a product
  // near 2^1024 (ah·bh may round above it). Powers of two move the work down the range,
  // exactly (no operand or error term leaves the normal range on the way):
  //   |a·b| > 2^1000: the larger factor (≥ 2^500) gives up 2^30, and the error is scaled back;
  //   a factor above 2^995: it gives 2^30 to the other, which is below 2^5 (|a·b| ≤ 2^1000).
  if (Math.abs(p) > PRODUCT_LIMIT)
    return (Math.abs(a) >= Math.abs(b) ? productError(a * 2 ** -30, b) : productError(a, b * 2 ** -30)) * 2 ** 30;
  if (Math.abs(a) > SPLIT_LIMIT) return productError(a * 2 ** -30, b * 2 ** 30);
  return productError(a * 2 ** 30, b * 2 ** -30);
}

/**
 * a · b as hi + lo with hi = fl(a · b) and lo its exact rounding error (see productError).
 * @example twoProduct(0.1, 0.3) // [0.03, 1.6653345369377347e-18]: 0.1·0.3 = 0.03 + 1.67e-18 exactly
 */
export function twoProduct(a: number, b: number): [number, number] {
  return [a * b, productError(a, b)];
}

/** a − b as hi + lo with hi = fl(a − b) and lo its exact rounding error (Knuth's TwoSum).
 * @example twoDifference(1, 1e-20) // [1, -1e-20]
 */
export function twoDifference(a: number, b: number): [number, number] {
  const s = a - b;
  if (!Number.isFinite(s)) return [s, 0];
  const bb = s - a;
  const err = a - (s - bb) + (-b - bb);
  return [s, err];
}

/**
 * exp(c · a) for a product whose rounding would matter: with c·a = hi + lo exactly,
 * exp(hi + lo) = exp(hi) · (1 + lo) to within lo²/2. Rounding c·a first would add an
 * absolute error of up to |c·a|·2^-53 to the argument, i.e. |c·a|/2 ulps to the result
 * (≈ 300 ulps at c·a = 700).
 * @example expOfProduct(-2, 350.5) // e^-701 = 3.6271722970495225e-305
 */
export function expOfProduct(c: number, a: number): number {
  const hi = c * a;
  const lo = productError(c, a);
  const e = Math.exp(hi);
  return lo === 0 || e === 0 || e === Infinity ? e : e + e * lo;
}

/**
 * exp(c·a + d), where e^(c·a) and e^d alone may leave the double range in opposite directions
 * while their product does not (e^(γM)·e^(γc) of a softmax's (1 − p_t)^γ: 0·∞ = NaN).
 * Method: c·a = hi + lo exactly (twoProduct), hi + d = s + t exactly (TwoSum), then
 * exp(s)·(1 + (lo + t)), to within (lo + t)²/2. Accuracy: exp's own rounding plus d's
 * (|d|·2^-53 relative); nothing is rounded before exp but d.
 * @example expOfProductPlus(9988, -0.5, 4300) // e^-694 = 3.977677412277625e-302 (e^-4994 · e^4300 would be 0 · ∞)
 */
export function expOfProductPlus(c: number, a: number, d: number): number {
  return expOfSumPlus(c * a, productError(c, a), d);
}

/**
 * exp(hi + lo + d) for hi + lo exact (expOfProductPlus's second half): hi + d = s + t exactly
 * (TwoSum), then exp(s)·(1 + (lo + t)). With lo = 0 it is exp(h + d) for an exact h, as for
 * h = −γ·z at γ = 1 or 2 (doubling is exact), where expOfProductPlus's productError would be 0.
 * @example expOfSumPlus(-701, 0, 0) // e^-701 = 3.6271722970495225e-305
 */
export function expOfSumPlus(hi: number, lo: number, d: number): number {
  // written out (no arrays): powOfSigmoid calls it on every logit
  const s = hi + d;
  const bb = s - hi;
  const t = Number.isFinite(s) ? hi - (s - bb) + (d - bb) : 0; // TwoSum: hi + d = s + t exactly
  const e = Math.exp(s);
  const err = lo + t;
  return err === 0 || e === 0 || e === Infinity ? e : e + e * err;
}
