import { InvalidArgumentError } from 'commander';
import { PICTURE_EXTENSIONS } from '../output/chart/index.js';

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

/** Digits after the decimal point of a plain decimal ("0.125" → 3), or null for exponent forms. */
function decimals(text: string): number | null {
  if (/[eE]/.test(text)) return null;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
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

/**
 * An inclusive range start:stop:step. Values are start + i·step; when all three are plain
 * decimals they are computed on integers scaled by 10^d and divided once, so 0:1:0.1 gives
 * 0.3 (the double nearest 3/10), not 0.30000000000000004.
 */
export function parseRange(text: string, what: string): Segment {
  const parts = text.split(':');
  if (parts.length !== 3) throw new InvalidArgumentError(`${quote(text)} is not a range start:stop:step; ${what}.`);
  const [start, stop, step] = parts.map((p) => parseNumber(p, what)) as [number, number, number];
  if (!(step > 0)) throw new InvalidArgumentError(`The range ${quote(text)} has step ${parts[2]}; the step must be > 0.`);
  if (stop < start) throw new InvalidArgumentError(`The range ${quote(text)} ends before it starts; write start:stop:step with start ≤ stop.`);
  const d = Math.max(...parts.map((p) => decimals(p) ?? Infinity));
  const scale = 10 ** d;
  const [s, e, t] = [start, stop, step].map((v) => Math.round(v * scale)) as [number, number, number];
  const onIntegers = d <= 15 && [s, e, t].every(Number.isSafeInteger) && t > 0;
  // A hair of slack so that 0:0.3:0.1 in floating point still reaches 0.3.
  const length = onIntegers ? Math.floor((e - s) / t) + 1 : Math.floor(((stop - start) / step) * (1 + 1e-12)) + 1;
  if (length > MAX_RANGE_LENGTH) {
    throw new InvalidArgumentError(`The range ${quote(text)} has ${length} values; at most ${MAX_RANGE_LENGTH} are allowed.`);
  }
  const at = onIntegers ? (i: number) => (s + i * t) / scale : (i: number) => Math.min(start + i * step, stop);
  return { length, at };
}

/**
 * A comma list whose items are numbers or ranges, each value checked by `check` (which returns
 * an error text or null). Ranges are checked at both ends: every check here is an interval.
 */
export function parseNumberSeq(text: string, what: string, check: (v: number) => string | null = () => null): NumberSeq {
  if (text.trim() === '') throw new InvalidArgumentError(`The list is empty; ${what}.`);
  const segments: Segment[] = [];
  const whole = text.trim();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') throw new InvalidArgumentError(`${quote(text)} has an empty item; ${what}.`);
    const segment: Segment = item.includes(':') ? parseRange(item, what) : { length: 1, at: ((v) => () => v)(parseNumber(item, what)) };
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
  if (seq.length > MAX_LIST_LENGTH) throw new InvalidArgumentError(`The list has ${seq.length} values; at most ${MAX_LIST_LENGTH} are allowed here.`);
  return seq.toArray();
}

/** Repeated options append: `--p 0.1 --p 0.2` is `--p 0.1,0.2`. */
function appending<T>(parse: (text: string) => T[]): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => (previous ? previous.concat(parse(text)) : parse(text));
}

const inUnitInterval = (v: number): string | null => (v >= 0 && v <= 1 ? null : `${v} is outside [0, 1]`);

const PROBABILITY = 'a probability is a number in [0, 1]';
const LOGIT = 'a logit is any finite number';
export const probabilities = appending((t) => parseNumberList(t, PROBABILITY, inUnitInterval));

/** Sequences that stream (compare's predictions): repeats append their segments. */
function appendingSeq(parse: (text: string) => NumberSeq): (text: string, previous: NumberSeq | undefined) => NumberSeq {
  return (text, previous) => (previous ? new NumberSeq([...previous.segments, ...parse(text).segments]) : parse(text));
}
export const probabilitySeq = appendingSeq((t) => parseNumberSeq(t, PROBABILITY, inUnitInterval));
export const logitSeq = appendingSeq((t) => parseNumberSeq(t, LOGIT));
export const labels = appending((t) => parseNumberList(t, 'a label is 0, 1, or a soft label in [0, 1]', inUnitInterval));
export const logits = appending((t) => parseNumberList(t, LOGIT));
export const gammas = appending((t) =>
  parseNumberList(t, 'γ is a number ≥ 0', (v) => (v >= 0 ? null : `γ = ${v} is negative; γ must be ≥ 0`)),
);

/** α values: numbers in [0, 1] or `none` (no class weighting, α_t = 1). */
export const alphas = appending((text: string): (number | null)[] =>
  text.split(',').flatMap((item) =>
    item.trim().toLowerCase() === 'none'
      ? [null]
      : parseNumberList(item, 'α is a number in [0, 1] or "none"', inUnitInterval),
  ),
);

/** A count of samples: a whole number from 0 to 2^53 (thousands separators _ and , are not accepted). */
export function count(text: string): number {
  const v = parseNumber(text, 'a count is a whole number ≥ 0');
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`${quote(text)} is not a whole number ≥ 0.`);
  if (v > 2 ** 53) throw new InvalidArgumentError(`${quote(text)} is above 2^53, the largest count held exactly.`);
  return v;
}

/** A class index list for multiclass targets. */
export const classIndices = appending((t) =>
  parseNumberList(t, 'a target is a class index 0, 1, 2, …', (v) => (Number.isInteger(v) && v >= 0 ? null : `${v} is not a class index (0, 1, 2, …)`)),
);

/** One vector per option occurrence; ';' separates several vectors in one occurrence. */
export function vectors(kind: 'probs' | 'logits') {
  const what = kind === 'probs' ? 'a probability vector is a comma list of numbers ≥ 0 with a positive sum' : 'a logit vector is a comma list of finite numbers';
  return (text: string, previous: number[][] | undefined): number[][] => {
    const parsed = text.split(';').map((part) => {
      const v = parseNumberList(part, what, kind === 'probs' ? (x) => (x >= 0 ? null : `${x} is negative`) : undefined);
      if (v.length < 2) throw new InvalidArgumentError(`${quote(part)} has ${v.length} class; a vector needs at least 2.`);
      if (kind === 'probs' && !(v.reduce((a, b) => a + b, 0) > 0)) throw new InvalidArgumentError(`${quote(part)} sums to 0; ${what}.`);
      return v;
    });
    return previous ? previous.concat(parsed) : parsed;
  };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[], what: string) {
  return (text: string): T => {
    if ((choices as readonly string[]).includes(text)) return text as T;
    throw new InvalidArgumentError(`${quote(text)} is not ${what}; use one of ${choices.join(', ')}.`);
  };
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

/** A whole number in [min, max]. */
export function integerIn(min: number, max: number) {
  return (text: string): number => {
    const v = parseNumber(text, `a whole number from ${min} to ${max}`);
    if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(`${quote(text)} is not a whole number from ${min} to ${max}.`);
    return v;
  };
}

/** A picture file for --out: a non-empty name ending in .svg or .png (either case). */
export function pictureFile(text: string): string {
  if (text === '') throw new InvalidArgumentError(`The file name is empty; give FILE${PICTURE_EXTENSIONS.join(' or FILE')}.`);
  if (!PICTURE_EXTENSIONS.some((e) => text.toLowerCase().endsWith(e))) throw new InvalidArgumentError(`${quote(text)}: the file name must end in ${PICTURE_EXTENSIONS.join(' or ')}.`);
  return text;
}
