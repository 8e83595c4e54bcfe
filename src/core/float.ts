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

/** Above this magnitude `SPLITTER * a` could overflow; scale down by 2^-28 first. */
const SPLIT_LIMIT = 6.69692879491417e299;

function split(a: number): [number, number] {
  if (Math.abs(a) > SPLIT_LIMIT) {
    const s = a * 3.725290298461914e-9; // 2^-28
    const t = SPLITTER * s;
    const hi = t - (t - s);
    return [hi * 268435456, (s - hi) * 268435456];
  }
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
