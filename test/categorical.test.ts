import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe as group, expect, it } from 'vitest';
import { evaluateBinary, evaluateCategorical } from '../src/core/index.js';
import { categoricalCases, categoricalExtremeCases, type CategoricalCase } from './helpers/fixtures.js';
import { describe, ulpDistance } from './helpers/ulp.js';

const BOUND = 8;

/** Every quantity of `cases` farther than BOUND ulps from mpmath, one line each. */
function failuresOf(cases: CategoricalCase[]): string[] {
  const failures: string[] = [];
  for (const c of cases) {
    const r = evaluateCategorical(c.kind, c.values, c.target, { gamma: c.gamma, alpha: c.alpha });
    const where = `${c.kind}=[${c.values}] t=${c.target} γ=${c.gamma} α=${c.alpha}`;
    for (const quantity of ['pt', 'ce', 'fl', 'ratio'] as const) {
      if (!(ulpDistance(r[quantity], c[quantity]) <= BOUND))
        failures.push(describe(where, quantity, r[quantity], c[quantity]));
    }
    c.grad?.forEach((ref, j) => {
      if (!(ulpDistance(r.grad![j]!, ref) <= BOUND))
        failures.push(describe(`${where} j=${j}`, 'grad', r.grad![j]!, ref));
    });
  }
  return failures;
}

group('issue 8 §1.8–9: vectors beyond the double range', () => {
  const extreme = categoricalExtremeCases();
  it(`issue 8 §1.8–9: logits ±9e307 and probability vectors whose sum overflows, within ${BOUND} ulps (${extreme.length} cases)`, () => {
    expect(extreme.length).toBeGreaterThan(20);
    expect(failuresOf(extreme)).toEqual([]);
  });
  it('issue 8 §1.8: logits [9e307, −9e307] with target 1 give CE = Infinity (1.8e308), FL = 4.5e307, not NaN', () => {
    const r = evaluateCategorical('logits', [9e307, -9e307], 1, { gamma: 2, alpha: 0.25 });
    expect([r.ce, r.fl, r.pt]).toEqual([Infinity, 4.5e307, 0]);
    // CE/ln 10 = 1.8e308/ln 10 is finite again (mpmath)
    const ce10 = evaluateCategorical('logits', [9e307, -9e307], 1, { gamma: 2, alpha: 0.25, base: '10' }).ce;
    expect(ulpDistance(ce10, '7.817300674258533330259935e+307')).toBeLessThanOrEqual(2);
  });
  it('issue 8 §1.9: probabilities [1e308, 1e308] give p_t = 0.5', () => {
    const r = evaluateCategorical('probs', [1e308, 1e308], 0, { gamma: 2, alpha: 0.25 });
    expect([r.pt, r.ce]).toEqual([0.5, Math.LN2]);
  });
});

group('categorical core against the mpmath fixtures', () => {
  const cases = categoricalCases();
  for (const quantity of ['pt', 'ce', 'fl', 'ratio'] as const) {
    it(`${quantity} within ${BOUND} ulps on ${cases.length} cases`, () => {
      const failures: string[] = [];
      for (const c of cases) {
        const r = evaluateCategorical(c.kind, c.values, c.target, { gamma: c.gamma, alpha: c.alpha });
        if (!(ulpDistance(r[quantity], c[quantity]) <= BOUND)) {
          failures.push(
            describe(
              `${c.kind}=[${c.values}] t=${c.target} γ=${c.gamma} α=${c.alpha}`,
              quantity,
              r[quantity],
              c[quantity],
            ),
          );
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it(`the softmax gradient within ${BOUND} ulps, every component`, () => {
    const failures: string[] = [];
    for (const c of cases.filter((k) => k.grad)) {
      const r = evaluateCategorical(c.kind, c.values, c.target, { gamma: c.gamma, alpha: c.alpha });
      c.grad!.forEach((ref, j) => {
        const got = r.grad![j]!;
        if (!(ulpDistance(got, ref) <= BOUND))
          failures.push(describe(`logits=[${c.values}] t=${c.target} γ=${c.gamma} j=${j}`, 'grad', got, ref));
      });
    }
    expect(failures).toEqual([]);
  });
});

group('categorical edge cases', () => {
  it('two logits [x, 0] with target 0 match the binary loss of logit x with y = 1', () => {
    for (const x of [-745, -40, -3, 0, 0.5, 13, 37, 700]) {
      for (const gamma of [0, 0.5, 2, 5]) {
        const c = evaluateCategorical('logits', [x, 0], 0, { gamma, alpha: 0.25 });
        const b = evaluateBinary('logit', x, 1, { gamma, alpha: 0.25 });
        for (const k of ['ce', 'fl', 'ratio', 'modulating'] as const) {
          expect(ulpDistance(c[k], String(b[k])), `${k} at x=${x}, γ=${gamma}`).toBeLessThanOrEqual(4);
        }
      }
    }
  });

  it('the gradient over the logits sums to zero', () => {
    const r = evaluateCategorical('logits', [1.5, -0.25, 3, 0.125], 2, { gamma: 2, alpha: null });
    const sum = r.grad!.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum)).toBeLessThan(1e-16);
  });

  it('a per-class α list picks α[target]', () => {
    const r = evaluateCategorical('probs', [0.2, 0.3, 0.5], 1, { gamma: 2, alpha: [0.1, 0.6, 0.3] });
    expect(r.alphaT).toBe(0.6);
  });

  it('p_t = 1 gives CE = FL = 0 and ratio Infinity for γ > 0', () => {
    const r = evaluateCategorical('probs', [0, 1, 0], 1, { gamma: 2, alpha: 0.25 });
    expect([r.ce, r.fl, r.ratio]).toEqual([0, 0, Infinity]);
  });

  it('a zero target probability gives CE = FL = Infinity and a finite ratio', () => {
    const r = evaluateCategorical('probs', [0.5, 0.5, 0], 2, { gamma: 2, alpha: 0.25 });
    expect([r.ce, r.fl, r.ratio]).toEqual([Infinity, Infinity, 4]);
  });
});

group('categorical label smoothing (Keras) against the mpmath fixtures', () => {
  const smoothed = (
    JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/categorical.json', import.meta.url)), 'utf8')) as {
      smoothed: {
        kind: 'probs' | 'logits';
        values: number[];
        target: number;
        gamma: number;
        alpha: number | number[] | null;
        smoothing: number;
        ce: string;
        fl: string;
      }[];
    }
  ).smoothed;
  it(`CE and FL within 8 ulps on ${smoothed.length} cases`, () => {
    const failures: string[] = [];
    for (const c of smoothed) {
      const r = evaluateCategorical(c.kind, c.values, c.target, {
        gamma: c.gamma,
        alpha: c.alpha,
        labelSmoothing: c.smoothing,
      });
      for (const q of ['ce', 'fl'] as const) {
        if (!(ulpDistance(r[q], c[q]) <= 8))
          failures.push(
            describe(`${c.kind}=[${c.values}] t=${c.target} γ=${c.gamma} α=${c.alpha} ε=${c.smoothing}`, q, r[q], c[q]),
          );
      }
    }
    expect(failures).toEqual([]);
  });
});
