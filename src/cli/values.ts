import { InvalidArgumentError } from 'commander';
import { isBinaryLabel, isBinaryPrediction } from '../pipeline/layout.js';
// the model, not the index: the page (a browser bundle) uses these parsers, and the index writes files
import { PICTURE_EXTENSIONS } from '../output/chart/model.js';

/**
 * Parsers for option values. Each one either returns clean, typed values or throws commander's
 * InvalidArgumentError, which commander reports as one line naming the option and the value;
 * the message here says what is allowed.
 */

/** A decimal number as people write it; rejects '', '0x10', '1_000', 'Infinity', ' 2'. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Largest list a range may expand to on the command line. */
export const MAX_LIST_LENGTH = 10_000_000;

export function parseNumber(text: string, what: string): number {
  if (!NUMBER.test(text)) throw new InvalidArgumentError(`${quote(text)} is not a number; ${what}.`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`${quote(text)} is out of the double range; ${what}.`);
  return value;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** A decimal's exact value, digits·10^exponent ("-1.25e-3" → −125·10^-5). */
interface ExactDecimal {
  digits: bigint;
  exponent: number;
}

/**
 * The exact value of text that matches NUMBER (no rounding: "9007199254740993" stays odd). A
 * value whose double is 0 ("1e-99999") is taken as 0, so that no exponent is beyond the
 * double range's few hundred.
 */
function exactDecimal(text: string): ExactDecimal {
  if (Number(text) === 0) return { digits: 0n, exponent: 0 };
  const [, sign, whole, fraction, exp] = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text)!;
  return { digits: BigInt(`${sign}${whole || '0'}${fraction}`), exponent: Number(exp ?? 0) - fraction!.length };
}

/** d·10^(d.exponent − to) as an integer, for to ≤ d.exponent. */
function scaledTo(d: ExactDecimal, to: number): bigint {
  return d.digits * 10n ** BigInt(d.exponent - to);
}

/** The whole number text denotes exactly, or null when it has a fractional part ("2.5", "1e-1"). */
function exactInteger(text: string): bigint | null {
  const d = exactDecimal(text);
  if (d.exponent >= 0) return scaledTo(d, 0);
  const unit = 10n ** BigInt(-d.exponent);
  return d.digits % unit === 0n ? d.digits / unit : null;
}

/** Part of a list: explicit values, or a range whose values are computed when read. */
export interface Segment {
  readonly length: number;
  at(i: number): number;
}

/**
 * A list of numbers that need not be held in memory: `focal compare --p 0.0001:0.9999:1e-8`
 * streams its 10^8 rows without an array of 10^8 values.
 */
export class NumberSeq implements Iterable<number> {
  readonly length: number;
  constructor(readonly segments: readonly Segment[]) {
    this.length = segments.reduce((n, s) => n + s.length, 0);
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const segment of this.segments) for (let i = 0; i < segment.length; i++) yield segment.at(i);
  }
  toArray(): number[] {
    return [...this];
  }
}

/** Most values one range may hold: beyond this a range is more likely a typo than a sweep. */
export const MAX_RANGE_LENGTH = 1_000_000_000;

/** 10^k for k ≤ 22: every one is an exact double, so an integer below 2^53 over it rounds once. */
const EXACT_POWER_OF_TEN = 22;

/**
 * An inclusive range start:stop:step of the exact decimals start + i·step, as written (so
 * 0:1e-5:1e-6 ends at 1e-5, and 0:1:0.1 holds 0.3, not 0.30000000000000004), each converted
 * once to its nearest double. The arithmetic is on integers scaled by 10^(−e), e the smallest
 * exponent of the three: BigInt in general, and doubles with one correctly rounded division
 * when the integers are below 2^53 and e ≥ −22 (the usual sweeps, at full speed).
 */
export function parseRange(text: string, what: string): Segment {
  const parts = text.split(':');
  if (parts.length !== 3) throw new InvalidArgumentError(`${quote(text)} is not a range start:stop:step; ${what}.`);
  if (!(parseNumber(parts[2]!, what) > 0))
    throw new InvalidArgumentError(`The range ${quote(text)} has step ${parts[2]}; the step must be > 0.`);
  parts.forEach((p) => parseNumber(p, what));
  const exact = parts.map(exactDecimal) as [ExactDecimal, ExactDecimal, ExactDecimal];
  const e = Math.min(...exact.map((d) => d.exponent));
  const [s, stop, t] = exact.map((d) => scaledTo(d, e)) as [bigint, bigint, bigint];
  if (stop < s)
    throw new InvalidArgumentError(
      `The range ${quote(text)} ends before it starts; write start:stop:step with start ≤ stop.`,
    );
  const count = (stop - s) / t + 1n;
  if (count > BigInt(MAX_RANGE_LENGTH)) {
    throw new InvalidArgumentError(
      `The range ${quote(text)} has ${count} values; at most ${MAX_RANGE_LENGTH} are allowed.`,
    );
  }
  const length = Number(count);
  const last = s + (count - 1n) * t;
  const safe = (v: bigint) => v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
  if (e <= 0 && e >= -EXACT_POWER_OF_TEN && safe(s) && safe(last)) {
    const [start, step, scale] = [Number(s), Number(t), 10 ** -e];
    return { length, at: (i: number) => (start + i * step) / scale };
  }
  return { length, at: (i: number) => Number(`${s + BigInt(i) * t}e${e}`) };
}

/**
 * A comma list whose items are numbers or ranges, each value checked by `check` (which returns
 * an error text or null). Ranges are checked at both ends: every check here is an interval.
 */
export function parseNumberSeq(
  text: string,
  what: string,
  check: (v: number) => string | null = () => null,
): NumberSeq {
  if (text.trim() === '') throw new InvalidArgumentError(`The list is empty; ${what}.`);
  const segments: Segment[] = [];
  const whole = text.trim();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') throw new InvalidArgumentError(`${quote(text)} has an empty item; ${what}.`);
    const segment: Segment = item.includes(':')
      ? parseRange(item, what)
      : {
          length: 1,
          at: (
            (v) => () =>
              v
          )(parseNumber(item, what)),
        };
    for (const v of new Set([segment.at(0), segment.at(segment.length - 1)])) {
      const problem = check(v);
      if (problem) throw new InvalidArgumentError(item === whole ? `${problem}.` : `Item ${quote(item)}: ${problem}.`);
    }
    segments.push(segment);
  }
  return new NumberSeq(segments);
}

/** The same, as an array (for lists that are paired or indexed), at most MAX_LIST_LENGTH long. */
export function parseNumberList(text: string, what: string, check?: (v: number) => string | null): number[] {
  const seq = parseNumberSeq(text, what, check);
  if (seq.length > MAX_LIST_LENGTH)
    throw new InvalidArgumentError(`The list has ${seq.length} values; at most ${MAX_LIST_LENGTH} are allowed here.`);
  return seq.toArray();
}

/** Repeated options append: `--p 0.1 --p 0.2` is `--p 0.1,0.2`. */
function appending<T>(parse: (text: string) => T[]): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => (previous ? previous.concat(parse(text)) : parse(text));
}

const inUnitInterval = (v: number): string | null => (v >= 0 && v <= 1 ? null : `${v} is outside [0, 1]`);

const PROBABILITY = 'a probability is a number in [0, 1]';
const LOGIT = 'a logit is any finite number';
/** Samples' probabilities and labels: the rules every input is checked by (pipeline/layout.ts). */
const isProbability = (v: number): string | null => (isBinaryPrediction('p', v) ? null : `${v} is outside [0, 1]`);
const isLabel = (y: number): string | null => (isBinaryLabel('p', y) ? null : `${y} is outside [0, 1]`);
export const probabilities = appending((t) => parseNumberList(t, PROBABILITY, isProbability));

/** Sequences that stream (compare's predictions): repeats append their segments. */
function appendingSeq(
  parse: (text: string) => NumberSeq,
): (text: string, previous: NumberSeq | undefined) => NumberSeq {
  return (text, previous) => (previous ? new NumberSeq([...previous.segments, ...parse(text).segments]) : parse(text));
}
export const probabilitySeq = appendingSeq((t) => parseNumberSeq(t, PROBABILITY, isProbability));
export const logitSeq = appendingSeq((t) => parseNumberSeq(t, LOGIT));
export const labels = appending((t) => parseNumberList(t, 'a label is 0, 1, or a soft label in [0, 1]', isLabel));
export const logits = appending((t) => parseNumberList(t, LOGIT));
export const gammas = appending((t) =>
  parseNumberList(t, 'γ is a number ≥ 0', (v) => (v >= 0 ? null : `γ = ${v} is negative; γ must be ≥ 0`)),
);

/** α values: numbers in [0, 1] or `none` (no class weighting, α_t = 1). */
export const alphas = appending((text: string): (number | null)[] =>
  text
    .split(',')
    .flatMap((item) =>
      item.trim().toLowerCase() === 'none'
        ? [null]
        : parseNumberList(item, 'α is a number in [0, 1] or "none"', inUnitInterval),
    ),
);

/**
 * A count of samples: a whole number from 0 to 2^53, judged on the decimal as written (a
 * double would round 9007199254740993 to 2^53 and 2.0000000000000001 to 2). Thousands
 * separators _ and , are not accepted.
 */
export function count(text: string): number {
  parseNumber(text, 'a count is a whole number ≥ 0');
  const v = exactInteger(text);
  if (v === null || v < 0n) throw new InvalidArgumentError(`${quote(text)} is not a whole number ≥ 0.`);
  if (v > 2n ** 53n)
    throw new InvalidArgumentError(`${quote(text)} is above 2^53 = 9007199254740992, the largest count held exactly.`);
  return Number(v);
}

/** A class index list for multiclass targets. */
export const classIndices = appending((t) =>
  parseNumberList(t, 'a target is a class index 0, 1, 2, …', (v) =>
    Number.isInteger(v) && v >= 0 ? null : `${v} is not a class index (0, 1, 2, …)`,
  ),
);

/** One vector per option occurrence; ';' separates several vectors in one occurrence. */
export function vectors(kind: 'probs' | 'logits') {
  const what =
    kind === 'probs'
      ? 'a probability vector is a comma list of numbers ≥ 0 with a positive sum'
      : 'a logit vector is a comma list of finite numbers';
  return (text: string, previous: number[][] | undefined): number[][] => {
    const parsed = text.split(';').map((part) => {
      const v = parseNumberList(part, what, kind === 'probs' ? (x) => (x >= 0 ? null : `${x} is negative`) : undefined);
      if (v.length < 2)
        throw new InvalidArgumentError(`${quote(part)} has ${v.length} class; a vector needs at least 2.`);
      if (kind === 'probs' && !(v.reduce((a, b) => a + b, 0) > 0))
        throw new InvalidArgumentError(`${quote(part)} sums to 0; ${what}.`);
      return v;
    });
    return previous ? previous.concat(parsed) : parsed;
  };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[], what: string) {
  const parse = (text: string): T => {
    if ((choices as readonly string[]).includes(text)) return text as T;
    throw new InvalidArgumentError(`${quote(text)} is not ${what}; use one of ${choices.join(', ')}.`);
  };
  // the choices travel with the parser, for shell completion (src/cli/spec.ts)
  return Object.assign(parse, { choices });
}

/**
 * One number in an interval; `ends` says which ends are included ('[]', '[)', '(]' or '()').
 * Infinity as an end means unbounded on that side (the number itself is always finite).
 */
export function numberIn(min: number, max: number, what: string, ends: '[]' | '[)' | '(]' | '()' = '[]') {
  const show = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(x));
  const interval = `${ends[0]}${show(min)}, ${show(max)}${ends[1]}`;
  return (text: string): number => {
    const v = parseNumber(text, what);
    const above = ends[0] === '[' ? v >= min : v > min;
    const below = ends[1] === ']' ? v <= max : v < max;
    if (!(above && below)) throw new InvalidArgumentError(`${v} is outside ${interval}; ${what}.`);
    return v;
  };
}

/** A whole number in [min, max] (min and max safe integers), judged on the decimal as written. */
export function integerIn(min: number, max: number) {
  return (text: string): number => {
    parseNumber(text, `a whole number from ${min} to ${max}`);
    const v = exactInteger(text);
    if (v === null || v < BigInt(min) || v > BigInt(max))
      throw new InvalidArgumentError(`${quote(text)} is not a whole number from ${min} to ${max}.`);
    return Number(v);
  };
}

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A parser for --out: a non-empty file name ending in one of `extensions` (either case). */
export function outFile(extensions: readonly string[]): (text: string) => string {
  return (text) => {
    if (text === '')
      throw new InvalidArgumentError(`The file name is empty; give ${orList(extensions.map((e) => `FILE${e}`))}.`);
    if (!extensions.some((e) => text.toLowerCase().endsWith(e)))
      throw new InvalidArgumentError(`${quote(text)}: the file name must end in ${orList(extensions)}.`);
    return text;
  };
}

/** A picture file for --out: a non-empty name ending in .svg or .png (either case). */
export const pictureFile = outFile(PICTURE_EXTENSIONS);
