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
    for (let slot = 0; slot < 5; slot++) expect(whole.value(slot)).toBe(roundedSum(xs.filter((_, k) => slotOf(k) === slot)));
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
    expect([s.value(0), s.value(1)]).toEqual([roundedSum(Array.from({ length: 1000 }, (_, k) => 0.1 * (1 + k / 1e4))), Infinity]);
  });
});
