import { describe, expect, it } from 'vitest';
import { ExactSum, ExactSumArray } from '../src/core/index.js';

/** A reproducible stream of doubles from 1e-20 to 1e20, both signs. */
function values(n: number, seed: number): number[] {
  let x = seed;
  const next = () => (x = (x * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1) * 10 ** (40 * next() - 20) * (1 + next()));
}

/**
 * The correctly rounded sum, independently: every double ≥ 1e-20 (≥ 2^-67) is an integer multiple of
 * 2^-130, so the sum is a BigInt of units 2^-130, and Number() of a BigInt rounds to nearest-even.
 */
function roundedSum(xs: number[]): number {
  const unit = 2 ** 130;
  return Number(xs.reduce((a, v) => a + BigInt(v * unit), 0n)) / unit;
}

describe('ExactSum', () => {
  it('is the correctly rounded exact sum', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const xs = values(2000, seed);
      const s = new ExactSum();
      for (const v of xs) s.add(v);
      expect(s.value).toBe(roundedSum(xs));
    }
  });
  it('issue 8 §1.15: any split into parts, merged in any order, gives the same bits', () => {
    const xs = values(5000, 42);
    const whole = new ExactSum();
    for (const v of xs) whole.add(v);
    for (const cuts of [[1], [2500], [17, 1000, 4999], [100, 200, 300, 4000]]) {
      const bounds = [0, ...cuts, xs.length];
      const parts = bounds.slice(1).map((end, k) => {
        const part = new ExactSum();
        for (const v of xs.slice(bounds[k], end)) part.add(v);
        return part.state();
      });
      const merged = new ExactSum();
      for (const state of parts.reverse()) merged.merge(state);
      expect(merged.value).toBe(whole.value);
    }
  });
  it('cancels exactly, and an infinite term or an overflowing sum is infinite', () => {
    const s = new ExactSum();
    for (const v of [1e100, 1, -1e100, 1e-100]) s.add(v);
    expect(s.value).toBe(1);
    const inf = new ExactSum();
    inf.add(1);
    inf.add(Infinity);
    expect(inf.value).toBe(Infinity);
    const big = new ExactSum();
    big.add(1.7976931348623157e308);
    big.add(1.7976931348623157e308);
    expect(big.value).toBe(Infinity);
  });
});

describe('ExactSumArray', () => {
  it('issue 8 §1.15: each slot is the correctly rounded sum, however the terms were split and merged (spilled slots too)', () => {
    const xs = values(6000, 7);
    const slotOf = (k: number) => k % 5; // slot 0 … 4; values over 40 decades spill past 4 partials
    const whole = new ExactSumArray(5);
    xs.forEach((v, k) => whole.add(slotOf(k), v));
    for (let slot = 0; slot < 5; slot++)
      expect(whole.value(slot)).toBe(roundedSum(xs.filter((_, k) => slotOf(k) === slot)));
    const [a, b] = [new ExactSumArray(5), new ExactSumArray(5)];
    xs.forEach((v, k) => (k < 2345 ? a : b).add(slotOf(k), v));
    const merged = new ExactSumArray(5);
    merged.merge(b.state());
    merged.merge(a.state());
    for (let slot = 0; slot < 5; slot++) expect(merged.value(slot)).toBe(whole.value(slot));
  });
  it('keeps terms of one size in place and an infinite term makes its slot infinite', () => {
    const s = new ExactSumArray(2);
    for (let k = 0; k < 1000; k++) s.add(0, 0.1 * (1 + k / 1e4));
    s.add(1, 1);
    s.add(1, Infinity);
    expect(s.state().spilled.map(([i]) => i)).toEqual([1]);
    expect([s.value(0), s.value(1)]).toEqual([
      roundedSum(Array.from({ length: 1000 }, (_, k) => 0.1 * (1 + k / 1e4))),
      Infinity,
    ]);
  });
});

/**
 * The exact sum over the whole double range, independently of the code under test: a finite
 * double is an integer number of units 2^-1074 (its significand shifted by its exponent, read
 * from its bits), so the sum is a BigInt; rounding it to nearest-even is done in BigInt too.
 */
const view = new DataView(new ArrayBuffer(8));
function units(x: number): bigint {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const significand = (bits & ((1n << 52n) - 1n)) | (e === 0 ? 0n : 1n << 52n);
  const magnitude = significand << BigInt(Math.max(e, 1) - 1);
  return bits >> 63n ? -magnitude : magnitude;
}
function roundUnits(s: bigint): number {
  const sign = s < 0n ? -1 : 1;
  let m = s < 0n ? -s : s;
  const shift = Math.max(m.toString(2).length - 53, 0);
  if (shift > 0) {
    const rest = m & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    m >>= BigInt(shift);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  }
  // m ≤ 2^53 and shift − 1074 is split so that neither power of two leaves the double range
  const k = shift - 1074;
  return sign * Number(m) * 2 ** Math.trunc(k / 2) * 2 ** (k - Math.trunc(k / 2));
}
const exactOf = (xs: number[]) => xs.reduce((a, v) => a + units(v), 0n);
const MAX = Number.MAX_VALUE;

/** Doubles of random sign, fraction and binary exponent in [lo, hi] (subnormals below −1022). */
function anyDoubles(n: number, seed: number, lo = -1074, hi = 1023): number[] {
  let x = seed;
  const next = () => (x = (x * 48271) % 2147483647) / 2147483647;
  return Array.from({ length: n }, () => {
    const e = lo + Math.floor(next() * (hi - lo + 1));
    const v = (1 + next()) * 2 ** Math.max(e, -1022) * (e < -1022 ? 2 ** (e + 1022) : 1);
    return next() < 0.5 ? -v : v;
  });
}

/** A state's partials are non-overlapping, of one sign, increasing in magnitude, and hold the exact sum. */
function expectWellFormed(partials: number[], exact: bigint): void {
  const magnitudes = partials.map((v) => (units(v) < 0n ? -units(v) : units(v)));
  for (let j = 1; j < partials.length; j++) {
    expect(Math.sign(partials[j]!)).toBe(Math.sign(partials[0]!));
    // non-overlapping: the lower partial is below the lowest set bit of the higher one
    const m = magnitudes[j]!;
    expect(magnitudes[j - 1]! < (m & -m)).toBe(true);
  }
  expect(partials.includes(0)).toBe(false);
  expect(exactOf(partials)).toBe(exact);
}

describe('ExactSum over the whole double range (BigInt reference)', () => {
  it('the reference itself rounds as IEEE does where the double sum is exact or a single rounding', () => {
    for (const [a, b] of [
      [1, 2 ** -53],
      [1, 3 * 2 ** -54],
      [5e-324, 5e-324],
      [MAX, -MAX / 3],
      [0.1, 0.2],
      [-(2 ** -1022), 2 ** -1074],
    ] as const) {
      expect(roundUnits(units(a) + units(b))).toBe(a + b);
    }
    expect(roundUnits(units(MAX) + units(2 ** 970))).toBe(Infinity); // the tie past MAX rounds to even: 2^1024
  });

  it('is the correctly rounded sum of terms from subnormals to near overflow, after cancellation too', () => {
    for (const seed of [1, 2, 3]) {
      const xs = anyDoubles(3000, seed);
      const s = new ExactSum();
      for (const v of xs) s.add(v);
      expect(s.value).toBe(roundUnits(exactOf(xs)));
      // the huge terms cancelled by their opposites, in another order: the tiny rest stays exact
      const tiny = anyDoubles(500, seed + 10, -1074, -1000);
      const ys = [...xs, ...xs.map((v) => -v).reverse(), ...tiny];
      const t = new ExactSum();
      for (const v of ys) t.add(v);
      expect(t.value).toBe(roundUnits(exactOf(tiny)));
      expectWellFormed(t.state().partials, exactOf(tiny));
    }
  });

  it('subnormal terms and sums', () => {
    const s = new ExactSum();
    for (let k = 0; k < 10000; k++) s.add(5e-324);
    expect(s.value).toBe(10000 * 5e-324);
    s.add(-(2 ** -1022));
    expect(s.value).toBe(roundUnits(10000n - (1n << 52n)));
    expect(s.state().partials).toEqual([roundUnits(10000n - (1n << 52n))]);
  });

  it('a sum near overflow: rounds once, whatever the order (no transient overflow)', () => {
    for (const xs of [
      [MAX, MAX, -MAX],
      [MAX, -MAX, MAX],
      [-MAX, MAX, MAX],
    ]) {
      const s = new ExactSum();
      for (const v of xs) s.add(v);
      expect(s.value).toBe(MAX);
      expect(s.state()).toEqual({ partials: [MAX], nonFinite: 0 });
    }
    const cases: [number[], number][] = [
      [[MAX, 2 ** 970], Infinity], // exactly half an ulp past MAX: ties to even, 2^1024
      [[MAX, 2 ** 970, -(2 ** -1074)], MAX],
      [[-MAX, -(2 ** 970)], -Infinity],
      [[MAX, 2 ** 969, 2 ** 969, -MAX, -MAX], -MAX + 2 ** 970],
      [[MAX, MAX], Infinity],
    ];
    for (const [xs, expected] of cases) {
      const s = new ExactSum();
      for (const v of xs) s.add(v);
      expect(s.value).toBe(expected);
      expect(s.value).toBe(roundUnits(exactOf(xs)));
    }
  });

  it('±Infinity and NaN terms are summed apart, as IEEE adds them', () => {
    const sum = (xs: number[]) => {
      const s = new ExactSum();
      for (const v of xs) s.add(v);
      return s;
    };
    expect(sum([1, Infinity, -1e308]).value).toBe(Infinity);
    expect(sum([-Infinity, 5e-324]).value).toBe(-Infinity);
    expect(sum([Infinity, 1, -Infinity]).value).toBeNaN();
    expect(sum([2, NaN]).value).toBeNaN();
    expect(sum([1, Infinity]).state()).toEqual({ partials: [1], nonFinite: Infinity });
    const merged = sum([3]);
    merged.merge(sum([-Infinity]).state());
    expect(merged.value).toBe(-Infinity);
    merged.merge(sum([Infinity]));
    expect(merged.value).toBeNaN();
  });

  it('10^6 random terms: the correctly rounded sum, and any split merged (states or sums) gives the same bits', () => {
    const n = 1_000_000;
    const xs = anyDoubles(n, 99, -200, 200);
    const exact = exactOf(xs);
    const whole = new ExactSum();
    for (const v of xs) whole.add(v);
    expect(whole.value).toBe(roundUnits(exact));
    expectWellFormed(whole.state().partials, exact);
    for (const cuts of [[1], [8191, 8192, 8193], [123457, 500000, 999999]]) {
      const bounds = [0, ...cuts, n];
      const parts = bounds.slice(1).map((end, k) => {
        const part = new ExactSum();
        for (let j = bounds[k]!; j < end; j++) part.add(xs[j]!);
        return part;
      });
      const fromStates = new ExactSum();
      for (const part of [...parts].reverse()) fromStates.merge(JSON.parse(JSON.stringify(part.state())));
      const fromSums = new ExactSum();
      for (const part of parts) fromSums.merge(part);
      expect(fromStates.value).toBe(whole.value);
      expect(fromSums.value).toBe(whole.value);
      expect(fromStates.state()).toEqual(whole.state());
      expect(ExactSum.from(fromSums.state()).state()).toEqual(whole.state());
    }
  });

  it('a negative total: the state is the exact sum, of one sign', () => {
    const xs = anyDoubles(20000, 5, -60, 60).map((v) => -Math.abs(v) + (v > 0 ? 1e-3 : 0));
    const s = new ExactSum();
    for (const v of xs) s.add(v);
    expect(s.value).toBe(roundUnits(exactOf(xs)));
    expect(s.value).toBeLessThan(0);
    expectWellFormed(s.state().partials, exactOf(xs));
  });
});
