/**
 * Decimal numbers straight from bytes, correctly rounded, without making a string per field.
 *
 * Why hand-written: the shortest round-trip text of a double (what numpy, pandas and
 * JavaScript write) has 16–17 significant digits, and Number(buffer.latin1Slice(…)) costs
 * several times what this does (bench/decimal.mjs).
 *
 * - The mantissa w: the first 19 significant digits, gathered in small integers (9, 9 and 1
 *   digits) so that each digit costs an integer multiply-add rather than a floating-point one
 *   (a chain of those, one per digit, made the loop ~1.8× as slow: its latency, not its work).
 * - w < 2^53 (up to 15 digits always, 16 mostly) and |k| ≤ 22 (Clinger 1990): w and 10^k are
 *   exact doubles, so w·10^k or w/10^k is one correctly rounded operation.
 * - 16 to 19 digits, k in [−22, 0]: w = a·10^r + b is carried exactly as a double-double
 *   (S, s); the quotient Q = fl(S/10^k) is corrected by the exact remainder,
 *   lo = (S − Q·10^k + s)/10^k. fl(Q + lo) is the correctly rounded value unless the true value
 *   lies within ~2^-48 ulp of a rounding midpoint; that is detected (rounding Q + lo·(1 ± 2^-48)
 *   disagrees) and left to Number().
 * - Anything else (more digits, exponents beyond ±22) goes to Number() on the field's text.
 *
 * Not Eisel–Lemire: measured on the benchmark's p column, the conversion above is ~12% of a
 * field's parse and the digit loop the rest; the 64×128-bit products Eisel–Lemire needs take
 * 16-bit limbs in JavaScript, so it could save part of those 12% at best. Reading 4 digits at a
 * time (SWAR through a DataView) was slower than the byte loop in V8.
 */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
const MIDPOINT_GUARD = 2 ** -48;

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const SPACE = 32;
const CR = 13;
const LOWER_E = 101;

/**
 * Where the last scanDecimal stopped: the first byte after the number's text. A module-level
 * variable rather than a returned pair, so that the per-field call allocates nothing.
 */
export let decimalEnd = 0;
/** Whether the last number scanDecimal read is also written as JSON allows (NDJSON). */
export let decimalIsJson = false;

/**
 * Parses bytes[start, end) (surrounding spaces allowed) as a decimal number written as people
 * and numeric libraries write them: [+-]digits[.digits][e[+-]digits]. Returns NaN for anything
 * else (empty, "nan", "inf", "0x1f", "1,5", trailing garbage).
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && bytes[start] === SPACE) start++;
  while (end > start && (bytes[end - 1] === SPACE || bytes[end - 1] === CR)) end--;
  const value = scanDecimal(bytes, start, end);
  return decimalEnd === end ? value : NaN;
}

/**
 * Reads the number whose text starts at bytes[i] (no leading spaces) and stops at the first
 * byte that cannot continue it, before `end`; sets decimalEnd there. NaN when no number starts
 * at i (no digit before that byte, or an "e" without exponent digits). The caller decides
 * whether the byte where it stopped may follow a number (a separator, a newline, a "}").
 *
 * One pass over the bytes. The significant digits are gathered in small integers (the first 9,
 * the next 9, the 19th) rather than as w = 10·w + d in a double: a chain of floating-point
 * multiply-adds, one per digit, is what made the loop slow (its latency, not its work).
 */
export function scanDecimal(bytes: Uint8Array, i: number, end: number): number {
  const start = i;
  let negative = false;
  let plus = false;
  if (i < end) {
    const s = bytes[i]!;
    if (s === MINUS) {
      negative = true;
      i++;
    } else if (s === PLUS) {
      plus = true;
      i++;
    }
  }
  let head = 0; // significant digits 1 to 9
  let middle = 0; // 10 to 18
  let last = 0; // the 19th
  let significant = 0; // significant digits seen (leading zeros are not)
  let exponent = 0;
  let c = 0;
  // the integer part
  const intStart = i;
  while (i < end && bytes[i] === ZERO) i++;
  for (; i < end && (c = bytes[i]! - ZERO) >>> 0 < 10; i++, significant++) {
    if (significant < 9) head = head * 10 + c;
    else if (significant < 18) middle = middle * 10 + c;
    else if (significant === 18) last = c;
  }
  const intDigits = i - intStart;
  // digits beyond the 19th scale the value (and send it to Number below)
  if (significant > 19) exponent = significant - 19;
  let fractionDigits = -1; // no point
  if (i < end && bytes[i] === DOT) {
    const fractionStart = ++i;
    if (significant === 0) for (; i < end && bytes[i] === ZERO; i++) exponent--;
    const before = significant;
    for (; i < end && (c = bytes[i]! - ZERO) >>> 0 < 10; i++, significant++) {
      if (significant < 9) head = head * 10 + c;
      else if (significant < 18) middle = middle * 10 + c;
      else if (significant === 18) last = c;
    }
    // each fraction digit kept (the first 19 significant) scales by 1/10
    exponent -= Math.min(significant, 19) - Math.min(before, 19);
    fractionDigits = i - fractionStart;
  }
  if (intDigits === 0 && fractionDigits <= 0) {
    decimalEnd = i;
    return NaN;
  }
  if (i < end && (bytes[i]! | 0x20) === LOWER_E) {
    i++;
    let expNegative = false;
    if (i < end) {
      const s = bytes[i]!;
      if (s === MINUS) {
        expNegative = true;
        i++;
      } else if (s === PLUS) i++;
    }
    let e = 0;
    const expStart = i;
    for (; i < end && (c = bytes[i]! - ZERO) >>> 0 < 10; i++) if (e < 100000) e = e * 10 + c;
    if (i === expStart) {
      decimalEnd = i;
      return NaN;
    }
    exponent += expNegative ? -e : e;
  }
  decimalEnd = i;
  // JSON's number grammar is narrower: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
  decimalIsJson = !plus && intDigits > 0 && (intDigits === 1 || bytes[intStart] !== ZERO) && fractionDigits !== 0;
  if (significant === 0) return negative ? -0 : 0;
  let value = NaN;
  if (significant <= 9) value = scaled(head, exponent);
  else if (significant <= 18) {
    const scale = POW10[significant - 9]!;
    const w = head * scale + middle;
    // below 2^53 the computed w is exact (every partial result is an integer < 2^53), and a
    // computed w ≥ 2^53 means a true one ≥ 2^53 (rounding is monotone): then the quotient
    if (w < TWO_53) value = scaled(w, exponent);
    else if (exponent <= 0 && exponent >= -22) value = divideExactly(head, scale, middle, POW10[-exponent]!);
  } else if (significant === 19 && exponent <= 0 && exponent >= -22) {
    value = divideExactly(head, 1e10, middle * 10 + last, POW10[-exponent]!);
  }
  if (value !== value)
    value = Number(
      Buffer.prototype.latin1Slice.call(bytes, negative || bytes[start] === PLUS ? start + 1 : start, i) as string,
    );
  return negative ? -value : value;
}

const TWO_53 = 2 ** 53;

/** w·10^exponent for an exact w < 2^53, correctly rounded (Clinger), or NaN beyond 10^±22. */
function scaled(w: number, exponent: number): number {
  if (exponent >= 0) return exponent <= 22 ? w * POW10[exponent]! : NaN;
  return exponent >= -22 ? w / POW10[-exponent]! : NaN;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's splitting (operands here are < 2^64)

/**
 * (high·scale + low) / divisor (high < 2^30, scale ≤ 10^10, low < 10^10), correctly rounded, or NaN when too close to a midpoint
 * to tell. Dekker's products are inlined (no arrays): this runs once per field.
 */
function divideExactly(high: number, scale: number, low: number, divisor: number): number {
  // p + pe = high·scale exactly
  const p = high * scale;
  let t = SPLITTER * high;
  const hh = t - (t - high);
  const hl = high - hh;
  t = SPLITTER * scale;
  const sh = t - (t - scale);
  const sl = scale - sh;
  const pe = hl * sl - (p - hh * sh - hl * sh - hh * sl);
  // S + s = p + pe + low exactly (TwoSum of p and low, plus the small parts)
  const S = p + low;
  const bv = S - p;
  const s = p - (S - bv) + (low - bv) + pe;
  const Q = S / divisor;
  // qd + qde = Q·divisor exactly
  const qd = Q * divisor;
  t = SPLITTER * Q;
  const qh = t - (t - Q);
  const ql = Q - qh;
  t = SPLITTER * divisor;
  const dh = t - (t - divisor);
  const dl = divisor - dh;
  const qde = ql * dl - (qd - qh * dh - ql * dh - qh * dl);
  const lo = (S - qd - qde + s) / divisor;
  const r1 = Q + lo * (1 + MIDPOINT_GUARD);
  const r2 = Q + lo * (1 - MIDPOINT_GUARD);
  return r1 === r2 ? r1 : NaN;
}
