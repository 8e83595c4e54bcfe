import { InvalidArgumentError } from 'commander';

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

/**
 * An inclusive range start:stop:step. Values are start + i·step; when all three are plain
 * decimals they are computed on integers scaled by 10^d and divided once, so 0:1:0.1 gives
 * 0.3 (the double nearest 3/10), not 0.30000000000000004.
 */
export function expandRange(text: string, what: string): number[] {
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
  const n = onIntegers ? Math.floor((e - s) / t) + 1 : Math.floor(((stop - start) / step) * (1 + 1e-12)) + 1;
  if (n > MAX_LIST_LENGTH) throw new InvalidArgumentError(`The range ${quote(text)} has ${n} values; at most ${MAX_LIST_LENGTH} are allowed.`);
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = onIntegers ? (s + i * t) / scale : Math.min(start + i * step, stop);
  return values;
}

/** A comma list whose items are numbers or ranges, each checked by `check` (which returns an error text or null). */
export function parseNumberList(text: string, what: string, check: (v: number) => string | null = () => null): number[] {
  if (text.trim() === '') throw new InvalidArgumentError(`The list is empty; ${what}.`);
  const values: number[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') throw new InvalidArgumentError(`${quote(text)} has an empty item; ${what}.`);
    const expanded = item.includes(':') ? expandRange(item, what) : [parseNumber(item, what)];
    for (const v of expanded) {
      const problem = check(v);
      if (problem) throw new InvalidArgumentError(item === text.trim() ? `${problem}.` : `Item ${quote(item)}: ${problem}.`);
      values.push(v);
    }
    if (values.length > MAX_LIST_LENGTH) throw new InvalidArgumentError(`The list has more than ${MAX_LIST_LENGTH} values.`);
  }
  return values;
}

/** Repeated options append: `--p 0.1 --p 0.2` is `--p 0.1,0.2`. */
function appending<T>(parse: (text: string) => T[]): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => (previous ? previous.concat(parse(text)) : parse(text));
}

const inUnitInterval = (v: number): string | null => (v >= 0 && v <= 1 ? null : `${v} is outside [0, 1]`);

export const probabilities = appending((t) => parseNumberList(t, 'a probability is a number in [0, 1]', inUnitInterval));
export const labels = appending((t) => parseNumberList(t, 'a label is 0, 1, or a soft label in [0, 1]', inUnitInterval));
export const logits = appending((t) => parseNumberList(t, 'a logit is any finite number'));
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

/** A whole number in [min, max]. */
export function integerIn(min: number, max: number) {
  return (text: string): number => {
    const v = parseNumber(text, `a whole number from ${min} to ${max}`);
    if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(`${quote(text)} is not a whole number from ${min} to ${max}.`);
    return v;
  };
}
