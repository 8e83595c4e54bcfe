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

/** a = hi + lo exactly, hi with at most 26 significant bits; |a| ≤ SPLIT_LIMIT. */
function split(a: number): [number, number] {
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

/**
 * a · b as hi + lo with hi = fl(a · b) and lo its exact rounding error (barring underflow of
 * lo, which only matters where the product itself is far below 1e-290).
 * @example twoProduct(0.1, 0.3) // [0.03, 1.6653345369377347e-18]: 0.1·0.3 = 0.03 + 1.67e-18 exactly
 */
export function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  if (!Number.isFinite(p) || p === 0) return [p, 0];
  // Near the top of the range the splitting overflows where the product need not: for a
  // factor above 2^995 (SPLITTER·a, or its high half rounded up to 2^1024), and for a product
  // near 2^1024 (ah·bh may round above it). Powers of two move the work down the range,
  // exactly (no operand or error term leaves the normal range on the way):
  //   |a·b| > 2^1000: the larger factor (≥ 2^500) gives up 2^30, and the error is scaled back;
  //   a factor above 2^995: it gives 2^30 to the other, which is below 2^5 (|a·b| ≤ 2^1000).
  if (Math.abs(p) > PRODUCT_LIMIT) {
    const [, lo] = Math.abs(a) >= Math.abs(b) ? twoProduct(a * 2 ** -30, b) : twoProduct(a, b * 2 ** -30);
    return [p, lo * 2 ** 30];
  }
  if (Math.abs(a) > SPLIT_LIMIT) return twoProduct(a * 2 ** -30, b * 2 ** 30);
  if (Math.abs(b) > SPLIT_LIMIT) return twoProduct(a * 2 ** 30, b * 2 ** -30);
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const err = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
  return [p, err];
}

/** a − b as hi + lo with hi = fl(a − b) and lo its exact rounding error (Knuth's TwoSum).
 * @example twoDifference(1, 1e-20) // [1, -1e-20]
 */
export function twoDifference(a: number, b: number): [number, number] {
  const s = a - b;
  if (!Number.isFinite(s)) return [s, 0];
  const bb = s - a;
  const err = (a - (s - bb)) + (-b - bb);
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
  const [hi, lo] = twoProduct(c, a);
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
  const [hi, lo] = twoProduct(c, a);
  const [s, t] = twoDifference(hi, -d);
  const e = Math.exp(s);
  const err = lo + t;
  return err === 0 || e === 0 || e === Infinity ? e : e + e * err;
}
