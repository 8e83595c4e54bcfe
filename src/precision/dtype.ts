/**
 * The four floating-point formats a framework computes in, as rounding functions on doubles.
 *
 * Every format here is binary IEEE-754-like: p significand bits (the hidden one included),
 * a smallest normal exponent emin and a largest exponent emax, gradual underflow, and
 * round-to-nearest-even with overflow to ±Infinity. A double holds every value of every
 * format exactly, and rounding a double once to a narrower format is what a correctly
 * rounded operation of that format returns; so "compute in double, round once" is an exact
 * model of one float16/bfloat16/float32 operation whose double result is exact (+, −, × of
 * two narrow values) and a faithful one otherwise.
 */

export const DTYPES = ['float64', 'float32', 'float16', 'bfloat16'] as const;
export type DType = (typeof DTYPES)[number];

export interface FloatFormat {
  /** significand bits, the hidden bit included */
  precision: number;
  /** exponent of the smallest normal number */
  emin: number;
  /** exponent of the largest finite number */
  emax: number;
}

export const FORMATS: Readonly<Record<DType, FloatFormat>> = {
  float64: { precision: 53, emin: -1022, emax: 1023 },
  float32: { precision: 24, emin: -126, emax: 127 },
  float16: { precision: 11, emin: -14, emax: 15 },
  bfloat16: { precision: 8, emin: -126, emax: 127 },
};

/** 2^k exactly, for any k a double can reach (Math.pow(2, k) is exact, but spelled once here). */
function pow2(k: number): number {
  // 2^k for k < −1022 would be subnormal and 2 ** k is still exact, but it is clearer to
  // build it in two steps where one factor alone would underflow.
  return k < -1000 ? 2 ** (k + 200) * 2 ** -200 : 2 ** k;
}

const bits = new DataView(new ArrayBuffer(8));

/** floor(log2 a) for a finite a > 0, exactly: the double's exponent field (subnormals scaled up first). */
export function exponentOf(a: number): number {
  if (a < 2 ** -1022) return exponentOf(a * 2 ** 64) - 64;
  bits.setFloat64(0, a);
  return ((bits.getUint16(0) >> 4) & 0x7ff) - 1023;
}

/** The spacing of the format's grid at |x| (its ulp there): 2^(max(e, emin) − p + 1). */
export function quantumAt(format: FloatFormat, x: number): number {
  const a = Math.abs(x);
  const e = a === 0 || !Number.isFinite(a) ? format.emin : Math.min(Math.max(exponentOf(a), format.emin), format.emax);
  return pow2(e - format.precision + 1);
}

/** n rounded to the nearest integer, ties to even (n ≥ 0 and below 2^53). */
function roundHalfEven(n: number): number {
  const f = Math.floor(n);
  const d = n - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** x rounded to the format: round to nearest, ties to even, overflow to ±Infinity, gradual underflow. */
export function roundToFormat(format: FloatFormat, x: number): number {
  if (x !== x || x === 0 || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const q = quantumAt(format, a);
  // a/q < 2^p is exact (q is a power of two and the quotient only shifts the exponent)
  const r = roundHalfEven(a / q) * q;
  const out = r >= pow2(format.emax + 1) ? Infinity : r;
  return x < 0 ? -out : out;
}

/** float16 (IEEE binary16) nearest to x, ties to even. */
export function toFloat16(x: number): number {
  return roundToFormat(FORMATS.float16, x);
}

/** bfloat16 nearest to x, ties to even (what torch's float → bfloat16 conversion does). */
export function toBfloat16(x: number): number {
  return roundToFormat(FORMATS.bfloat16, x);
}

const ROUNDERS: Readonly<Record<DType, (x: number) => number>> = {
  float64: (x) => x,
  float32: Math.fround,
  float16: toFloat16,
  bfloat16: toBfloat16,
};

/** The rounding function of a format (float32 is Math.fround). */
export function rounderOf(dtype: DType): (x: number) => number {
  return ROUNDERS[dtype];
}

/** The largest finite value of the format. */
export function maxFinite(dtype: DType): number {
  const f = FORMATS[dtype];
  return (2 - pow2(1 - f.precision)) * pow2(f.emax);
}

/** The next value of the format's grid above x (x itself on the grid); Infinity past the largest. */
export function nextUp(dtype: DType, x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === -Infinity) return -maxFinite(dtype);
  const f = FORMATS[dtype];
  if (x === 0) return pow2(f.emin - f.precision + 1);
  if (x < 0) return -nextDown(dtype, -x);
  const next = x + quantumAt(f, x);
  return next > maxFinite(dtype) ? Infinity : next;
}

/** The next value of the format's grid below x. */
export function nextDown(dtype: DType, x: number): number {
  if (x !== x || x === -Infinity) return x;
  if (x === Infinity) return maxFinite(dtype);
  const f = FORMATS[dtype];
  if (x === 0) return -pow2(f.emin - f.precision + 1);
  if (x < 0) return -nextUp(dtype, -x);
  // below a power of two the spacing halves
  const q = quantumAt(f, x);
  const down = x - q;
  return down > 0 && quantumAt(f, down) < q ? x - q / 2 : down;
}

/**
 * How far `value` is from `exact`, in ulps of the format at the exact value: |value − exact| /
 * ulp(exact). 0 when both are the same infinity or both NaN; Infinity when one is infinite or
 * NaN and the other is not, or when exact = 0 and value is not. Past the largest finite value
 * the ulp of the largest binade is used.
 */
export function ulpDistance(dtype: DType, value: number, exact: number): number {
  if (value !== value || exact !== exact) return value !== value && exact !== exact ? 0 : Infinity;
  if (value === exact) return 0;
  if (!Number.isFinite(value) || !Number.isFinite(exact)) return Infinity;
  return Math.abs(value - exact) / quantumAt(FORMATS[dtype], exact);
}

/** |value − exact| / |exact|: Infinity when exact = 0 and value is not (NaN rules as ulpDistance). */
export function relativeError(value: number, exact: number): number {
  if (value !== value || exact !== exact) return value !== value && exact !== exact ? 0 : Infinity;
  if (value === exact) return 0;
  if (!Number.isFinite(value) || !Number.isFinite(exact)) return Infinity;
  return Math.abs(value - exact) / Math.abs(exact);
}
