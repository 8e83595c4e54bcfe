/** A chart as data: what the terminal, SVG and PNG renderers draw. */

export type Scale = 'linear' | 'log';

export interface Series {
  label: string;
  points: readonly (readonly [number, number])[];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  xScale: Scale;
  yScale: Scale;
  /** [min, max] of each axis; values outside are clipped */
  xDomain: [number, number];
  yDomain: [number, number];
  series: readonly Series[];
  /** per-bin counts and gaps drawn with the series (a reliability diagram) */
  bins?: readonly BinnedSeries[];
}

/**
 * The bins behind one series of a reliability diagram: the renderers shade each non-empty bin's
 * gap (from `value`, the series' accuracy, to `reference`, the mean confidence on the diagonal)
 * over the bin's x range, and draw its count in a histogram strip below the plot — in the
 * series' colour, side by side when several series share a bin.
 */
export interface BinnedSeries {
  /** the index of the series in `series` */
  series: number;
  bins: readonly ChartBin[];
}

export interface ChartBin {
  from: number;
  to: number;
  count: number;
  value: number;
  reference: number;
}

export interface Tick {
  value: number;
  label: string;
}

/** The picture files a chart is written to (by extension). */
export const PICTURE_EXTENSIONS = ['.svg', '.png'] as const;

/**
 * Every renderer gives each of this many series a look of its own (a glyph in the terminal; a
 * colour and dash pattern in SVG/PNG); more would repeat looks and could not be told apart.
 */
export const MAX_SERIES = 16;

/**
 * The fewest doubles a linear axis spans. Tick values are decimals rounded to the nearest
 * double, so a tick is drawn up to half an ulp from where its label says; across 1024 doubles
 * that is under 0.05% of the axis (below a pixel), and ticks and samples stay distinct.
 */
export const MIN_AXIS_DOUBLES = 1024;

/** Decades a log axis reaches: 10^-320 (its decade still holds MIN_AXIS_DOUBLES doubles, for linear ticks) to 10^308. */
const LOG_FLOOR = 1e-320;
const LOG_CEILING = 1e308;

/** Most ticks an axis gets, whatever it is asked for: the loops that make them cannot run away. */
const MAX_TICKS = 1000;

const bits = new Float64Array(1);
const ints = new BigInt64Array(bits.buffer);

/** The position of a finite double among all doubles, in order (−0 and 0 share one). */
function ordinal(x: number): bigint {
  bits[0] = Math.abs(x);
  return x < 0 ? -ints[0]! : ints[0]!;
}

function fromOrdinal(n: bigint): number {
  ints[0] = n < 0n ? -n : n;
  return n < 0n ? -bits[0]! : bits[0]!;
}

/** How many doubles lie from lo up to hi (0 when equal): 1 for a range one ulp wide. */
export function doublesBetween(lo: number, hi: number): number {
  return Number(ordinal(hi) - ordinal(lo));
}

/** Maps a value to [0, 1] along an axis (log axes need positive domains). */
export function normalise(v: number, [lo, hi]: [number, number], scale: Scale): number {
  if (scale === 'log') return (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  return (v - lo) / (hi - lo);
}

/**
 * Tick positions and labels: 1, 2, 2.5, 5 × 10^k steps (linear) or powers of ten (log; a log
 * axis shorter than two decades gets linear ticks). A tick is the decimal k·step, written from
 * its digits (never through toFixed) and placed at the double nearest to it, so any finite
 * domain gets at most a few more ticks than `target`, each label exactly its decimal.
 */
export function ticks([lo, hi]: [number, number], scale: Scale, target = 6): Tick[] {
  if (!(lo < hi && Number.isFinite(lo) && Number.isFinite(hi)) || (scale === 'log' && !(lo > 0))) return [];
  if (scale === 'log') {
    const decades = logTicks(lo, hi, target);
    if (decades.length >= 2) return decades;
  }
  return linearTicks(lo, hi, Math.max(1, target));
}

const DECADE_STRIDES = [1, 2, 5, 10, 20, 50, 100, 200, 500];

function logTicks(lo: number, hi: number, target: number): Tick[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  // every decade, or every 2nd, 5th, 10th… counted from 10^0, so that 1 stays a tick
  const stride = DECADE_STRIDES.find((s) => (b - a + 1) / s <= target) ?? DECADE_STRIDES[DECADE_STRIDES.length - 1]!;
  const out: Tick[] = [];
  for (let k = Math.ceil(a / stride) * stride; k <= b; k += stride)
    out.push({ value: Number(`1e${k}`), label: k === 0 ? '1' : k === 1 ? '10' : `1e${k}` });
  return out;
}

/** Nice steps m·10^e as integer digits and a shift of the exponent: 1, 2, 2.5, 5. */
const STEPS: readonly (readonly [bigint, number])[] = [
  [1n, 0],
  [2n, 0],
  [25n, -1],
  [5n, 0],
];

function linearTicks(lo: number, hi: number, target: number): Tick[] {
  const raw = hi / target - lo / target; // never overflows, unlike (hi − lo)/target
  const e = Math.floor(Math.log10(raw));
  // the smallest nice step ≥ raw, as digits × 10^exponent (a step of 10^(e+1) when none is)
  const [digits, exponent] = STEPS.map(([m, shift]) => [m, e + shift] as const).find(
    ([m, x]) => Number(`${m}e${x}`) >= raw,
  ) ?? [1n, e + 1];
  // k·step for whole k from just below lo to just above hi. k = lo/step is computed as
  // lo·10^-exponent/digits, because a subnormal step (of a domain near 1e-310) is itself
  // rounded too coarsely to divide by; the few ulps of error in k are covered by SLACK.
  const k0 = Math.ceil(timesPowerOfTen(lo, -exponent) / Number(digits));
  const k1 = Math.floor(timesPowerOfTen(hi, -exponent) / Number(digits));
  const slack = 2 + Math.ceil(Math.max(Math.abs(k0), Math.abs(k1)) * 2 ** -48);
  const [first, last] = [k0 - slack, k1 + slack];
  // k counts exactly only while it is a safe integer (a domain narrower than MIN_AXIS_DOUBLES may not be)
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(last) && last - first <= MAX_TICKS)) return [];
  const decimals: { value: number; digits: bigint }[] = [];
  for (let k = first; k <= last; k++) {
    const d = BigInt(k) * digits;
    const value = Number(`${d}e${exponent}`);
    if (value >= lo && value <= hi && value !== decimals[decimals.length - 1]?.value)
      decimals.push({ value, digits: d });
  }
  // fixed notation (0.25, 1.0, 300) unless it is long and scientific notation is shorter
  const fixed = decimals.map((t) => fixedText(t.digits, exponent));
  const scientific = decimals.map((t) => scientificText(t.digits, exponent));
  const longest = (labels: string[]) => labels.reduce((n, l) => Math.max(n, l.length), 0);
  const labels = longest(fixed) <= Math.max(8, longest(scientific)) ? fixed : scientific;
  return decimals.map((t, i) => ({ value: t.value, label: labels[i]! }));
}

/** x·10^n, in steps that stay within the double range (each rounds: a few ulps in all). */
function timesPowerOfTen(x: number, n: number): number {
  for (; n > 300; n -= 300) x *= 1e300;
  for (; n < -300; n += 300) x *= 1e-300;
  return x * Number(`1e${n}`);
}

/** digits × 10^exponent in fixed notation with -exponent decimals (0 is "0"). */
function fixedText(digits: bigint, exponent: number): string {
  if (digits === 0n) return '0';
  const sign = digits < 0n ? '-' : '';
  const text = (digits < 0n ? -digits : digits).toString();
  if (exponent >= 0) return sign + text + '0'.repeat(exponent);
  const padded = text.padStart(-exponent + 1, '0');
  return `${sign}${padded.slice(0, exponent)}.${padded.slice(exponent)}`;
}

/** digits × 10^exponent as 2.5e-9 (0 is "0"). */
function scientificText(digits: bigint, exponent: number): string {
  if (digits === 0n) return '0';
  const sign = digits < 0n ? '-' : '';
  const text = (digits < 0n ? -digits : digits).toString();
  const power = exponent + text.length - 1;
  const mantissa = text.replace(/0+$/, '');
  return `${sign}${mantissa[0]}${mantissa.length > 1 ? `.${mantissa.slice(1)}` : ''}e${power}`;
}

/**
 * A domain that covers the data (finite values only; positive ones on a log axis), padded to
 * nice ends: whole decades on a log axis; on a linear one, from 0 when the data sit well
 * above it, and at least MIN_AXIS_DOUBLES wide. With no such value: `fallback`, by default
 * [0, 1] (linear) or [1, 10] (log). Reads the values once, in a loop (a spread
 * into Math.min overflows the stack at a few hundred thousand values).
 */
export function domainOf(
  values: Iterable<number>,
  scale: Scale,
  fallback: [number, number] = scale === 'log' ? [1, 10] : [0, 1],
): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (scale === 'log' && !(v > 0))) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return fallback;
  if (scale === 'log') {
    // decades as the decimals 1eK (10 ** K is not always the double nearest to them)
    const [a, b] =
      lo === hi
        ? [lo / 10, hi * 10]
        : [Number(`1e${Math.floor(Math.log10(lo))}`), Number(`1e${Math.ceil(Math.log10(hi))}`)];
    const bottom = Math.min(Math.max(a, LOG_FLOOR), LOG_CEILING / 10);
    return [bottom, Math.max(Math.min(b, LOG_CEILING), bottom * 10)];
  }
  if (lo === hi) {
    const pad = Math.max(1, Math.abs(lo) / 2);
    [lo, hi] = [Math.max(lo - pad, -Number.MAX_VALUE), Math.min(hi + pad, Number.MAX_VALUE)];
  }
  if (lo > 0 && lo < (hi - lo) * 0.5) lo = 0;
  return atLeastMinimumWidth(lo, hi);
}

/** Widens [lo, hi] around its middle until it spans MIN_AXIS_DOUBLES doubles. */
function atLeastMinimumWidth(lo: number, hi: number): [number, number] {
  const missing = BigInt(MIN_AXIS_DOUBLES) - (ordinal(hi) - ordinal(lo));
  if (missing <= 0n) return [lo, hi];
  const below = missing / 2n;
  const wider: [number, number] = [fromOrdinal(ordinal(lo) - below), fromOrdinal(ordinal(hi) + (missing - below))];
  // at the end of the double range, all of the widening goes to the other side
  if (!Number.isFinite(wider[1])) return [fromOrdinal(ordinal(lo) - missing), hi];
  if (!Number.isFinite(wider[0])) return [lo, fromOrdinal(ordinal(hi) + missing)];
  return wider;
}
