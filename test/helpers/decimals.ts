import fc from 'fast-check';

/**
 * Exact decimals for the range properties: m·10^e with a BigInt m, written in plain or
 * exponent form, so the expected values of a range are computed without any rounding and
 * only the final conversion to a double (Number of a decimal string, correctly rounded) rounds.
 */
export interface Decimal {
  m: bigint;
  e: number;
}

/** Plain decimal text of m·10^e: "0.000123", "4500", "12.5". */
export function plain({ m, e }: Decimal): string {
  const sign = m < 0n ? '-' : '';
  const digits = (m < 0n ? -m : m).toString();
  if (e >= 0) return sign + digits + '0'.repeat(digits === '0' ? 0 : e);
  const padded = digits.padStart(-e + 1, '0');
  return `${sign}${padded.slice(0, e)}.${padded.slice(e)}`;
}

/** Exponent text: "123e-6". */
export function scientific({ m, e }: Decimal): string {
  return `${m}e${e}`;
}

/** The double nearest m·10^e. */
export function nearest(d: Decimal): number {
  return Number(scientific(d));
}

/** a + k·b exactly, on the finer of the two exponents. */
export function addMultiple(a: Decimal, k: bigint, b: Decimal): Decimal {
  const e = Math.min(a.e, b.e);
  return { m: a.m * 10n ** BigInt(a.e - e) + k * b.m * 10n ** BigInt(b.e - e), e };
}

export interface RangeCase {
  start: Decimal;
  step: Decimal;
  /** stop = start + n·step + extra, 0 ≤ extra < step: the range has n + 1 values */
  n: number;
  stop: Decimal;
  text: string;
}

/**
 * Ranges start:stop:step whose values are known exactly. `digits` bounds the mantissas,
 * `exponents` the powers of ten, and `forms` the ways each part may be written.
 */
export function rangeCase(o: {
  digits: number;
  exponents: [number, number];
  forms: ('plain' | 'scientific')[];
  maxN?: number;
}): fc.Arbitrary<RangeCase> {
  const mantissa = (min: bigint) => fc.bigInt({ min, max: 10n ** BigInt(o.digits) - 1n });
  const exponent = fc.integer({ min: o.exponents[0], max: o.exponents[1] });
  const form = fc.constantFrom(...o.forms);
  return fc
    .record({
      start: fc.record({ m: mantissa(0n), e: exponent }),
      step: fc.record({ m: mantissa(1n), e: exponent }),
      n: fc.integer({ min: 0, max: o.maxN ?? 40 }),
      // extra = step·num/den with 0 ≤ num < den: stop need not be on the grid
      num: fc.integer({ min: 0, max: 9 }),
      onGrid: fc.boolean(),
      forms: fc.tuple(form, form, form),
    })
    .map(({ start, step, n, num, onGrid, forms }) => {
      let stop = addMultiple(start, BigInt(n), step);
      if (!onGrid) stop = addMultiple(stop, BigInt(num), { m: step.m, e: step.e - 1 }); // + num·step/10
      const write = (d: Decimal, f: 'plain' | 'scientific') => (f === 'plain' ? plain(d) : scientific(d));
      return {
        start,
        step,
        n,
        stop,
        text: `${write(start, forms[0])}:${write(stop, forms[1])}:${write(step, forms[2])}`,
      };
    });
}

/** The values a range's decimal form says: the doubles nearest start + k·step, k = 0 … n. */
export function expectedValues(c: RangeCase): number[] {
  return Array.from({ length: c.n + 1 }, (_, k) => nearest(addMultiple(c.start, BigInt(k), c.step)));
}
