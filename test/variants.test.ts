import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  binaryTerms,
  evaluateBinary,
  evaluateVariants,
  variantLoss,
  variantProblem,
  type LossName,
} from '../src/core/index.js';
import { describe as text, ulpDistance } from './helpers/ulp.js';

interface VariantCase {
  loss: LossName;
  kind: 'p' | 'logit';
  x: number;
  y: number;
  gamma: number;
  alpha: number | null;
  params: {
    beta?: number;
    epsilon?: number;
    gamma_pos?: number;
    gamma_neg?: number;
    clip?: number;
    threshold?: number;
  };
  value: string;
  /** set on the regions added for issue 8 (tested by name below) */
  region?: string;
}

const cases = (
  JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/variants.json', import.meta.url)), 'utf8')) as {
    cases: VariantCase[];
  }
).cases;

/** Per-loss bounds where one differs from the 8-ulp default (none now). */
const BOUND: Record<string, number> = {};

/** The cases farther than `bound` ulps from the reference, one readable line each. */
function failuresOf(some: VariantCase[], bound: number): string[] {
  const failures: string[] = [];
  for (const c of some) {
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
    const got = variantLoss(c.loss, binaryTerms(c.kind, c.x, c.y), c.y, params);
    if (!(ulpDistance(got, c.value) <= bound))
      failures.push(
        text(`${c.kind}=${c.x} y=${c.y} γ=${c.gamma} α=${c.alpha} ${JSON.stringify(c.params)}`, c.loss, got, c.value),
      );
  }
  return failures;
}

describe('the focal family against the mpmath fixtures', () => {
  const grid = cases.filter((c) => !c.region);
  for (const name of [...new Set(grid.map((c) => c.loss))]) {
    const mine = grid.filter((c) => c.loss === name);
    const bound = BOUND[name] ?? 8;
    it(`${name}: ${mine.length} cases within ${bound} ulps`, () => expect(failuresOf(mine, bound)).toEqual([]));
  }
});

describe('issue 8: the regions where the family used to fail', () => {
  const region = (name: string) => cases.filter((c) => c.region === name);
  it('the regions are there', () => {
    for (const name of ['poly1-negative-epsilon', 'fl-star-huge-logit', 'large-gamma'])
      expect(region(name).length, name).toBeGreaterThan(50);
  });
  it('issue 8 §1.11: poly1 and poly1-fl at ε = −1 (and −0.999, −0.25) without cancellation, within 8 ulps', () => {
    expect(failuresOf(region('poly1-negative-epsilon'), 8)).toEqual([]);
  });
  it('issue 8 §1.11: poly1-fl at logit 40, ε = −1, α none is +1.63e-70, not −9.27e-69', () => {
    const [poly1, poly1fl] = evaluateVariants(['poly1', 'poly1-fl'], 'logit', 40, 1, {
      gamma: 2,
      alpha: null,
      epsilon: -1,
    });
    expect(
      ulpDistance(
        poly1!,
        region('poly1-negative-epsilon').find(
          (c) =>
            c.loss === 'poly1' &&
            c.kind === 'logit' &&
            c.x === 40 &&
            c.y === 1 &&
            c.params.epsilon === -1 &&
            c.alpha === null,
        )!.value,
      ),
    ).toBeLessThanOrEqual(8);
    expect(poly1fl).toBeGreaterThan(1.6e-70);
    expect(poly1fl).toBeLessThan(1.7e-70);
  });
  it('issue 8 §1.10: fl-star at logits ±800 … ±1.8e308 (γ·x beyond the double range), within 8 ulps', () => {
    expect(failuresOf(region('fl-star-huge-logit'), 8)).toEqual([]);
  });
  it('issue 8 §1.10: fl-star at logit −1e308, y = 1 is 2.5e307, not Infinity', () => {
    expect(evaluateVariants(['fl-star'], 'logit', -1e308, 1, { gamma: 2, alpha: 0.25 })[0]).toBe(2.5e307);
  });
  it('issue 8 §1.1–2: fl-reduced, fl-star, poly1-fl at γ = 1000 … 5000 (powers that underflow), within 8 ulps', () => {
    expect(failuresOf(region('large-gamma'), 8)).toEqual([]);
  });
  /** From a logit at z ≤ 0 only e^z is rounded: its quarter ulp, times γ (see complementPowerOver). */
  it('fl-reduced as a power of the quotient ((1 − p_t)/th)^γ, γ = 100 … 5000: within 8 ulps from a probability, γ/4 from a logit at z ≤ 0', () => {
    const quotient = region('fl-reduced-quotient');
    expect(quotient.length).toBeGreaterThan(100);
    expect(
      failuresOf(
        quotient.filter((c) => c.kind === 'p'),
        8,
      ),
    ).toEqual([]);
    for (const g of [100, 1075, 2000, 5000])
      expect(
        failuresOf(
          quotient.filter((c) => c.kind === 'logit' && c.gamma === g),
          g / 4,
        ),
      ).toEqual([]);
  });
  it('fl-reduced at logit 0, th = ½ = p_t, γ = 1075: α_t·CE exactly (0.5^1075/0.5^1075 was 0/0)', () => {
    const c = region('fl-reduced-quotient').find(
      (k) => k.kind === 'logit' && k.x === 0 && k.y === 0 && k.gamma === 1075 && k.params.threshold === 0.5,
    )!;
    expect(
      ulpDistance(
        evaluateVariants(['fl-reduced'], 'logit', 0, 0, { gamma: 1075, alpha: 0.25, threshold: 0.5 })[0]!,
        c.value,
      ),
    ).toBeLessThanOrEqual(1);
  });
});

describe('the family, by name', () => {
  const p = { gamma: 2, alpha: 0.25 };
  it('ce and fl are exactly evaluateBinary’s CE and FL', () => {
    for (const [kind, v, y] of [
      ['p', 0.3, 1],
      ['logit', -40, 0],
      ['p', 1e-300, 0.2],
    ] as const) {
      const [ce, fl] = evaluateVariants(['ce', 'fl'], kind, v, y, p);
      const r = evaluateBinary(kind, v, y, p);
      expect([ce, fl]).toEqual([r.ce, r.fl]);
    }
  });
  it('poly1 with ε = 0 is CE; poly1-fl with ε = 0 is FL', () => {
    const [poly1, ce, poly1fl, fl] = evaluateVariants(['poly1', 'ce', 'poly1-fl', 'fl'], 'logit', 1.5, 1, {
      ...p,
      epsilon: 0,
    });
    expect([poly1, poly1fl]).toEqual([ce, fl]);
  });
  it('fl-reduced equals α-balanced CE below the threshold and FL·th^−γ above', () => {
    const [red, bal] = evaluateVariants(['fl-reduced', 'ce-balanced'], 'p', 0.3, 1, p);
    expect(red).toBe(bal);
    const [red2, fl] = evaluateVariants(['fl-reduced', 'fl'], 'p', 0.8, 1, p);
    expect(red2).toBeCloseTo(fl! / 0.25, 15);
  });
  it('flsd uses γ = 5 below p_t = 0.2 and γ = 3 above', () => {
    expect(evaluateVariants(['flsd'], 'p', 0.1, 1, p)[0]).toBe(
      evaluateVariants(['fl'], 'p', 0.1, 1, { ...p, gamma: 5 })[0],
    );
    expect(evaluateVariants(['flsd'], 'p', 0.5, 1, p)[0]).toBe(
      evaluateVariants(['fl'], 'p', 0.5, 1, { ...p, gamma: 3 })[0],
    );
  });
  it('asl: a negative below the margin costs nothing', () => {
    expect(evaluateVariants(['asl'], 'p', 0.04, 0, { ...p, clip: 0.05 })[0]).toBe(0);
    expect(evaluateVariants(['asl'], 'p', 0.06, 0, { ...p, clip: 0.05 })[0]).toBeGreaterThan(0);
  });
  it('fl-star at logit 800 is exact where σ rounds to 1', () => {
    // FL* = α_t softplus(−γz)/γ with z = ±800: at γ = 0.5, y = 1 it is 0.25·e^-400/0.5 (σ(800) is 1
    // and 1 − σ(800) is 0 in double precision); at y = 0 it is 0.75·softplus(400)/0.5 = 600.
    const at800 = cases.filter((c) => c.region === 'fl-star-huge-logit' && Math.abs(c.x) === 800);
    expect(at800.length).toBe(24);
    expect(failuresOf(at800, 4)).toEqual([]);
    expect(
      ulpDistance(
        evaluateVariants(['fl-star'], 'logit', 800, 1, { gamma: 0.5, alpha: 0.25 })[0]!,
        '9.5758479835700284751e-175' /* mpmath */,
      ),
    ).toBeLessThanOrEqual(4);
    expect(evaluateVariants(['fl-star'], 'logit', 800, 0, { gamma: 0.5, alpha: 0.25 })[0]).toBe(600);
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
            out.forEach((x, k) =>
              expect(Number.isNaN(x), `${names[k]} at ${kind}=${v} y=${y} γ=${gamma} clip=${clip}`).toBe(false),
            );
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
