import { describe, expect, it } from 'vitest';
import { fitTemperature, fitTemperatureBy, TemperatureSums } from '../src/core/index.js';
import { SampleSpool } from '../src/pipeline/collect/spool.js';

function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** The derivative dNLL/dβ at β, summed exactly (the quantity the fit's definition is about). */
function derivative(logits: Float64Array, labels: Float64Array, width: number, beta: number): number {
  const sums = new TemperatureSums(beta);
  sums.addAll(logits, labels, labels.length, width);
  return sums.derivatives[0];
}

/** The double below x > 0 (from its bits, independently of the code under test). */
function below(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) - 1n);
  return v.getFloat64(0);
}

describe('temperature fit: β is where the exactly summed derivative changes sign, whatever the path', () => {
  const next = random(77);
  const cases: [string, Float64Array, Float64Array, number][] = [];
  for (const [n, scale] of [
    [50, 0.5],
    [2000, 3],
    [2000, 0.2],
  ] as const) {
    const labels = Float64Array.from({ length: n }, () => (next() < 0.3 ? 1 : 0));
    // logits that mostly agree with the label (not separable), scaled: over- (scale > 1) or under-confident
    cases.push([
      `binary, n=${n}, scale ${scale}`,
      Float64Array.from(labels, (y) => scale * ((y ? 1 : -1) + 6 * (next() - 0.5))),
      labels,
      1,
    ]);
  }
  const k = 4;
  const targets = Float64Array.from({ length: 1500 }, () => Math.floor(next() * k));
  const logits = new Float64Array(targets.length * k);
  targets.forEach((t, i) => {
    for (let j = 0; j < k; j++) logits[i * k + j] = 2 * (next() - 0.5) + (j === t ? 1.5 : 0);
  });
  cases.push(['multiclass, K=4', logits, targets, k]);
  for (const [name, z, labels, width] of cases) {
    it(name, () => {
      let passes = 0;
      const fit = fitTemperatureBy((beta) => {
        passes++;
        const sums = new TemperatureSums(beta);
        sums.addAll(z, labels, labels.length, width);
        return sums;
      });
      const beta = fit.inverse!;
      expect(beta).toBeGreaterThan(0);
      expect(fit.temperature).toBe(1 / beta);
      expect(derivative(z, labels, width, beta)).toBeGreaterThanOrEqual(0);
      expect(derivative(z, labels, width, below(beta))).toBeLessThan(0);
      // the bracket (β = 0, 1, 2, 4, …) and a handful of Newton steps, not a bisection down to 2^-52
      expect(passes).toBeLessThan(20);
      // the in-memory form runs the same iteration
      expect(fitTemperature(z, labels, width).inverse).toBe(beta);
    });
  }
});

describe('the spool: rows back as written, block after block, pass after pass', () => {
  for (const width of [1, 3, 200]) {
    it(`width ${width}`, () => {
      const next = random(width);
      const spool = new SampleSpool();
      const written: number[][] = [];
      try {
        // batches of odd sizes that straddle the blocks (2^17 doubles each), ~3.5 blocks in all
        for (const share of [0, 0.9, 1.7, 0, 0.9]) {
          const count = Math.max(1, Math.round((share * 2 ** 17) / (width + 1)));
          const values = Float64Array.from({ length: count * width }, () => next() * 2 - 1);
          const labels = Float64Array.from({ length: count }, () => Math.floor(next() * 3));
          spool.write(values, labels, count, width);
          for (let i = 0; i < count; i++) written.push([...values.subarray(i * width, (i + 1) * width), labels[i]!]);
        }
        expect(spool.rows).toBe(written.length);
        for (let pass = 0; pass < 2; pass++) {
          let row = 0;
          for (const block of spool.blocks()) {
            expect(block.first).toBe(row);
            for (let i = 0; i < block.count; i++, row++) {
              const want = written[row]!;
              for (let j = 0; j < width; j++)
                if (block.values[i * width + j] !== want[j])
                  expect([row, j, block.values[i * width + j]]).toEqual([row, j, want[j]]);
              if (block.labels[i] !== want[width]) expect([row, block.labels[i]]).toEqual([row, want[width]]);
            }
          }
          expect(row).toBe(written.length);
        }
      } finally {
        spool.close();
      }
    });
  }
});
