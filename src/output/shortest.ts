/**
 * The shortest decimal that reads back as the same double, written as ASCII bytes: the very
 * text of String(v) (ECMAScript Number::toString), without making a string.
 *
 * Why: a streamed `focal compare` sweep prints ~10 numbers a row, and String(v) cost ~300–500 ns
 * each on this machine (a call into V8's runtime and a heap string per number, then the
 * concatenation); this path takes ~150 ns and writes into the chunk's buffer directly. It
 * covers 10^-6 ≤ v < 10^17 (the losses, probabilities and ratios of everyday sweeps; the
 * double 1e-6 is just below 10^-6); anything else returns FALLBACK and the caller uses
 * String(v). Checked against String(v) on ≥ 10^6 random doubles of every kind
 * (test/shortest.test.ts).
 *
 * Method (Steele–White / Dragon4's free format, on exact integers):
 * 1. v = m·2^e (m the 53-bit significand). Scale by 10^k, 0 ≤ k ≤ 22, so that V = v·10^k lies
 *    in [10^16, 10^17): 10^k is an exact double, and V = hi + lo exactly (Dekker's product
 *    with Veltkamp's split; no under- or overflow in this range). hi ≥ 10^16 > 2^53 is an
 *    integer; |lo| ≤ ulp(hi)/2 ≤ 8.
 * 2. The doubles that round to v are those in [V − Hl, V + Hu], Hu = 2^(e−1)·10^k (half the
 *    gap above; exact: 2^(e−1+k)·5^k), Hl = Hu, or Hu/2 when m = 2^52 (the gap below is half).
 *    The ends belong to it when m is even (reading rounds ties to even). In units of 10^(−k),
 *    the gap 2Hu = V/m is in [1.1, 22.2], so an integer (17 digits) always lies inside: the
 *    nearest one is within 1/2, and Hl ≥ 0.55 even for m = 2^52.
 * 3. V = A·10^8 + B + frac with A, B integers (A·10^8 is exact: A < 10^9, A·5^8 < 2^53) and
 *    frac = lo − ⌊lo⌋ ∈ [0, 1); the ends of the interval as integers, lowInt = ⌈V − Hl⌉ and
 *    highInt = ⌊V + Hu⌋, come from frac ± (fraction of H), which are exact: both are multiples
 *    of 2^(e+k−1) ≥ 2^−51 below 2 in magnitude.
 * 4. The fewest digits: the largest r such that a multiple of 10^r lies in [lowInt, highInt],
 *    i.e. the number of trailing digits after the common leading digits of lowInt − 1 and
 *    highInt, less one. For r ≥ 2 there is one such multiple (the interval is under 100 units
 *    wide); for r ≤ 1 the one nearest to V, a tie going to the even digit (as V8 does).
 * 5. Its 17 digits (A then B, 9 + 8), trailing zeros dropped, laid out as Number::toString
 *    does for 10^−7 < v < 10^21: plain decimal notation.
 */

/** What writeShortest returns when v is outside its range: the caller writes String(v). */
export const FALLBACK = -1;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** the index of the word holding sign, exponent and the significand's top 20 bits */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

const MAX_K = 22;
const POW10: number[] = [];
/** 10^k split into halves of 26 bits (Veltkamp), for the exact product */
const POW10_HIGH: number[] = [];
const POW10_LOW: number[] = [];
for (let k = 0, p = 1; k <= MAX_K; k++, p *= 10) {
  const c = 134217729 * p;
  POW10.push(p);
  POW10_HIGH.push(c - (c - p));
  POW10_LOW.push(p - (c - (c - p)));
}
/** 2^(i − POW2_BIAS): the binary exponents that occur for 1e-6 ≤ v < 1e17 (e − 1 ∈ [−74, 4]) */
const POW2_BIAS = 100;
const POW2 = Array.from({ length: 120 }, (_, i) => 2 ** (i - POW2_BIAS));

const TWO_52 = 4503599627370496;
/** scratch space for the 17 digits, as ASCII */
const DIGITS = new Uint8Array(17);
/** "00" to "99": the ASCII digits of n at 2n and 2n + 1 */
const PAIRS = new Uint8Array(200);
for (let n = 0; n < 100; n++) ((PAIRS[2 * n] = 48 + ((n / 10) | 0)), (PAIRS[2 * n + 1] = 48 + (n % 10)));

/**
 * Writes the digits of v (finite, > 0) into `out` from `pos` and returns the position after
 * them, or FALLBACK (nothing written) when v is outside the range this handles. `out` must
 * have room for 25 bytes.
 */
export function writeShortest(v: number, out: Uint8Array, pos: number): number {
  if (!(v >= 1e-6 && v < 1e17)) return FALLBACK;
  f64[0] = v;
  const high = u32[HIGH]!;
  const biased = (high >>> 20) & 0x7ff;
  const e = biased - 1075;
  const m = (high & 0xfffff) * 4294967296 + u32[1 - HIGH]! + TWO_52;
  // 1. V = v·10^k = hi + lo in [1e16, 1e17). log10(v) ∈ [E·log10(2), (E + 1)·log10(2)) for
  // v ∈ [2^E, 2^(E+1)): k from the lower end is right or one too many, and checked exactly
  // (cheaper than Math.log10)
  let k = Math.min(MAX_K, 16 - Math.floor((biased - 1023) * 0.3010299956639812));
  const split = 134217729 * v;
  const vHigh = split - (split - v);
  const vLow = v - vHigh;
  let hi = 0;
  let lo = 0;
  for (let tries = 0; ; tries++) {
    if (k < 0 || k > MAX_K || tries > 2) return FALLBACK;
    const pHigh = POW10_HIGH[k]!;
    const pLow = POW10_LOW[k]!;
    hi = v * POW10[k]!;
    lo = vHigh * pHigh - hi + vHigh * pLow + vLow * pHigh + vLow * pLow;
    if (hi < 1e16 || (hi === 1e16 && lo < 0)) k++;
    else if (hi > 1e17 || (hi === 1e17 && lo >= 0)) k--;
    else break;
  }
  // 2. half gaps
  const hu = POW2[e - 1 + POW2_BIAS]! * POW10[k]!;
  const hl = m === TWO_52 && biased > 1 ? hu / 2 : hu;
  const inclusive = (u32[1 - HIGH]! & 1) === 0;
  // 3. V = A·1e8 + B + frac
  let a = Math.floor(hi / 1e8);
  let b = hi - a * 1e8;
  if (b < 0) (a--, (b += 1e8));
  else if (b >= 1e8) (a++, (b -= 1e8));
  const loWhole = Math.floor(lo);
  b += loWhole;
  const frac = lo - loWhole;
  const huWhole = Math.floor(hu);
  const above = frac + (hu - huWhole); // in [0, 2), exact
  let highB = b + huWhole + Math.floor(above);
  if (!inclusive && above === Math.floor(above)) highB--;
  const hlWhole = Math.floor(hl);
  const below = frac - (hl - hlWhole); // in (−1, 1), exact
  let lowB = b - hlWhole + Math.ceil(below);
  if (!inclusive && below === Math.ceil(below)) lowB++;
  // 4. r: chop digits of lowInt − 1 and highInt (as A·1e8 + B) until they agree
  let xa = a;
  let xb = lowB - 1;
  if (xb < 0) (xa--, (xb += 1e8));
  else if (xb >= 1e8) (xa++, (xb -= 1e8));
  let ya = a;
  let yb = highB;
  if (yb < 0) (ya--, (yb += 1e8));
  else if (yb >= 1e8) (ya++, (yb -= 1e8));
  let chopped = 0;
  if (xa === ya) {
    for (let x = xb | 0, y = yb | 0; x !== y; chopped++) ((x = (x / 10) | 0), (y = (y / 10) | 0));
  } else {
    chopped = 8;
    for (let x = xa | 0, y = ya | 0; x !== y; chopped++) ((x = (x / 10) | 0), (y = (y / 10) | 0));
  }
  const r = chopped - 1;
  let ca: number;
  let cb: number;
  if (r >= 8) {
    const q = POW10[r - 8]!;
    ca = Math.floor(ya / q) * q;
    cb = 0;
  } else if (r >= 2) {
    const q = POW10[r]!;
    ca = ya;
    cb = Math.floor(yb / q) * q;
  } else {
    // the multiple of q nearest to V (ties to an even digit), kept inside [lowInt, highInt]
    const q = r === 0 ? 1 : 10;
    const n = Math.floor(b / q);
    const half = q / 2 - (b - n * q); // V is above n·q by (b − n·q) + frac: compare frac with this
    const up = frac > half || (frac === half && n % 2 !== 0);
    let c = (up ? n + 1 : n) * q;
    if (c > highB) c = Math.floor(highB / q) * q;
    if (c < lowB) c = Math.ceil(lowB / q) * q;
    ca = a;
    cb = c;
    if (cb < 0) (ca--, (cb += 1e8));
    else if (cb >= 1e8) (ca++, (cb -= 1e8));
  }
  // 5. the digits, two at a time (PAIRS), trailing zeros dropped: C = ca·10^8 + cb is a
  // multiple of 10^r, so its last r digits are not even generated (a short decimal's cb is 0)
  let point = 17 - k; // the decimal point after this many digits
  let count: number;
  if (ca >= 1e9) {
    DIGITS[0] = 49;
    count = 1;
    point++;
  } else {
    let x = ca | 0;
    const top = (x / 1e8) | 0;
    DIGITS[0] = 48 + top;
    x -= top * 1e8;
    for (let i = 7; i >= 1; i -= 2) {
      const t = (x / 100) | 0;
      const pair = 2 * (x - t * 100);
      DIGITS[i] = PAIRS[pair]!;
      DIGITS[i + 1] = PAIRS[pair + 1]!;
      x = t;
    }
    count = 9;
    if (r < 8) {
      for (let i = 15, y = cb | 0; i >= 9; i -= 2) {
        const t = (y / 100) | 0;
        const pair = 2 * (y - t * 100);
        DIGITS[i] = PAIRS[pair]!;
        DIGITS[i + 1] = PAIRS[pair + 1]!;
        y = t;
      }
      count = 17;
    }
    while (DIGITS[count - 1] === 48) count--;
  }
  return layout(count, point, out, pos);
}

/**
 * DIGITS[0, count) with the decimal point after `point` digits, as Number::toString lays it
 * out for −6 < point ≤ 21 (here −5 ≤ point ≤ 17).
 */
function layout(count: number, point: number, out: Uint8Array, pos: number): number {
  if (count <= point && point <= 21) {
    for (let i = 0; i < count; i++) out[pos++] = DIGITS[i]!;
    for (let i = count; i < point; i++) out[pos++] = 48;
    return pos;
  }
  if (point > 0 && point <= 21) {
    for (let i = 0; i < point; i++) out[pos++] = DIGITS[i]!;
    out[pos++] = 46;
    for (let i = point; i < count; i++) out[pos++] = DIGITS[i]!;
    return pos;
  }
  // point > −6: v ≥ 1e-6 is never written with an exponent
  out[pos++] = 48;
  out[pos++] = 46;
  for (let i = point; i < 0; i++) out[pos++] = 48;
  for (let i = 0; i < count; i++) out[pos++] = DIGITS[i]!;
  return pos;
}

/** Calls of writeShortest that warmUpShortest makes: enough for every branch, a few ms interpreted. */
const WARM_UP_CALLS = 2000;

/**
 * Runs writeShortest once over numbers that take each of its branches: short decimals (0.0123),
 * full 17-digit ones, powers of two (the narrower gap below), 1 − tiny, every decade of its
 * range. Why: V8 compiles writeShortest with the branches it has seen; a branch first taken
 * later (the first power of two of a sweep, the first short decimal) discards the compiled code,
 * and the sweep then prints interpreted — ~10× slower — until the recompile, which took ~150 ms
 * on a busy machine (`node --trace-deopt`: 6 such rounds in one `compare` sweep). A long stream
 * calls this once (machine.ts); the output is thrown away.
 */
export function warmUpShortest(): void {
  const out = Buffer.alloc(32);
  let seed = 1;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    const u = next();
    const decade = 10 ** (Math.floor(next() * 23) - 6);
    const v = [u * decade, Math.round(u * 1e4) / 1e4, 2 ** Math.floor(u * 75 - 19), 1 - u * 1e-3][i % 4]!;
    writeShortest(v, out, 0);
  }
}
