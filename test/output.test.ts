import { describe, expect, it } from 'vitest';
import { formatCount, formatNumber } from '../src/output/human.js';

describe('numbers for people (tables)', () => {
  it('fixed notation in [1e-4, 1e6), significant digits, trailing zeros trimmed', () => {
    expect(formatNumber(0.00026340128914456557)).toBe('0.0002634');
    expect(formatNumber(133.33333333333334)).toBe('133.33');
    expect(formatNumber(400.00000000000017)).toBe('400');
    expect(formatNumber(633270.2415460926)).toBe('633270');
  });
  it('scientific outside, and the precision is honoured', () => {
    expect(formatNumber(3.2736e-7)).toBe('3.2736e-7');
    expect(formatNumber(2.9732473229847922e300)).toBe('2.9732e300');
    expect(formatNumber(1 / 3, 12)).toBe('0.333333333333');
  });
  it('special values', () => {
    expect([formatNumber(0), formatNumber(-0), formatNumber(Infinity), formatNumber(-Infinity)]).toEqual([
      '0',
      '0',
      '∞',
      '-∞',
    ]);
  });
  it('counts with thousands separators, exact up to 2^53', () => {
    expect(formatCount(1000000)).toBe('1,000,000');
    expect(formatCount(2 ** 53)).toBe('9,007,199,254,740,992');
    expect(formatCount(10)).toBe('10');
  });
});
