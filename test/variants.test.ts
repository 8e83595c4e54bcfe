import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binaryTerms, evaluateBinary, evaluateVariants, variantLoss, variantProblem, type LossName } from '../src/core/index.js';
import { describe as text, ulpDistance } from './helpers/ulp.js';

interface VariantCase {
  loss: LossName;
  kind: 'p' | 'logit';
  x: number;
  y: number;
  gamma: number;
  alpha: number | null;
  params: { beta?: number; epsilon?: number; gamma_pos?: number; gamma_neg?: number; clip?: number; threshold?: number };
  value: string;
}

const cases = (JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/variants.json', import.meta.url)), 'utf8')) as { cases: VariantCase[] }).cases;

/** Per-loss bounds where one differs from the 8-ulp default (none now). */
const BOUND: Record<string, number> = {};

describe('the focal family against the mpmath fixtures', () => {
  for (const name of [...new Set(cases.map((c) => c.loss))]) {
    const mine = cases.filter((c) => c.loss === name);
    const bound = BOUND[name] ?? 8;
    it(`${name}: ${mine.length} cases within ${bound} ulps`, () => {
      const failures: string[] = [];
      for (const c of mine) {
        const params = {
          gamma: c.gamma,
          alpha: c.alpha,
          beta: c.params.beta,
          epsilon: c.params.epsilon,
          gammaPos: c.params.gamma_pos,
          gammaNeg: c.params.gamma_neg,
          clip: c.params.clip,
          threshold: c.params.threshold,
        };
        const got = variantLoss(name, binaryTerms(c.kind, c.x, c.y), c.y, params);
        if (!(ulpDistance(got, c.value) <= bound)) failures.push(text(`${c.kind}=${c.x} y=${c.y} γ=${c.gamma} ${JSON.stringify(c.params)}`, name, got, c.value));
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('the family, by name', () => {
  const p = { gamma: 2, alpha: 0.25 };
  it('ce and fl are exactly evaluateBinary’s CE and FL', () => {
    for (const [kind, v, y] of [['p', 0.3, 1], ['logit', -40, 0], ['p', 1e-300, 0.2]] as const) {
      const [ce, fl] = evaluateVariants(['ce', 'fl'], kind, v, y, p);
      const r = evaluateBinary(kind, v, y, p);
      expect([ce, fl]).toEqual([r.ce, r.fl]);
    }
  });
  it('poly1 with ε = 0 is CE; poly1-fl with ε = 0 is FL', () => {
    const [poly1, ce, poly1fl, fl] = evaluateVariants(['poly1', 'ce', 'poly1-fl', 'fl'], 'logit', 1.5, 1, { ...p, epsilon: 0 });
    expect([poly1, poly1fl]).toEqual([ce, fl]);
  });
  it('fl-reduced equals α-balanced CE below the threshold and FL·th^−γ above', () => {
    const [red, bal] = evaluateVariants(['fl-reduced', 'ce-balanced'], 'p', 0.3, 1, p);
    expect(red).toBe(bal);
    const [red2, fl] = evaluateVariants(['fl-reduced', 'fl'], 'p', 0.8, 1, p);
    expect(red2).toBeCloseTo(fl! / 0.25, 15);
  });
  it('flsd uses γ = 5 below p_t = 0.2 and γ = 3 above', () => {
    expect(evaluateVariants(['flsd'], 'p', 0.1, 1, p)[0]).toBe(evaluateVariants(['fl'], 'p', 0.1, 1, { ...p, gamma: 5 })[0]);
    expect(evaluateVariants(['flsd'], 'p', 0.5, 1, p)[0]).toBe(evaluateVariants(['fl'], 'p', 0.5, 1, { ...p, gamma: 3 })[0]);
  });
  it('asl: a negative below the margin costs nothing', () => {
    expect(evaluateVariants(['asl'], 'p', 0.04, 0, { ...p, clip: 0.05 })[0]).toBe(0);
    expect(evaluateVariants(['asl'], 'p', 0.06, 0, { ...p, clip: 0.05 })[0]).toBeGreaterThan(0);
  });
  it('fl-star at logit 800 is exact where σ rounds to 1', () => {
    // FL* = α softplus(−γx)/γ: e^-1600/2 · 0.25 underflows; at x = 20 it is 0.25·e^-40/2
    expect(evaluateVariants(['fl-star'], 'logit', 20, 1, p)[0]).toBeCloseTo((0.25 * Math.exp(-40)) / 2, 30);
  });
  it('never NaN, at every end of the input range', () => {
    const names = ['ce', 'fl', 'ce-balanced', 'fl-star', 'poly1', 'poly1-fl', 'asl', 'fl-reduced', 'flsd'] as const;
    const inputs = [
      ...[0, 5e-324, 1e-300, 0.5, 1 - 2 ** -53, 1].map((v) => ['p', v] as const),
      ...[-1e308, -745, -40, 0, 40, 745, 1e308].map((v) => ['logit', v] as const),
    ];
    for (const [kind, v] of inputs) {
      for (const y of [0, 1]) {
        for (const gamma of [0.5, 2]) {
          for (const clip of [0, 0.05]) {
            const out = evaluateVariants([...names], kind, v, y, { gamma, alpha: 0.25, clip });
            out.forEach((x, k) => expect(Number.isNaN(x), `${names[k]} at ${kind}=${v} y=${y} γ=${gamma} clip=${clip}`).toBe(false));
          }
        }
      }
    }
  });

  it('undefined cases are named, not NaN', () => {
    expect(variantProblem('fl-star', 1, { gamma: 0, alpha: null })).toMatch(/needs γ > 0/);
    expect(variantProblem('asl', 0.3, p)).toMatch(/hard labels/);
    expect(variantProblem('poly1', 0.3, p)).toBeNull();
  });
});
