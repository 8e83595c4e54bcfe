import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alphaWeight,
  binaryLossAt,
  binaryLossFast,
  evaluateBinary,
  evaluateVariants,
  expOfProductPlus,
  LN_OF_BASE,
  powOfSigmoid,
  type BinaryInputKind,
} from '../src/core/index.js';
import { binaryRegions } from './helpers/fixtures.js';
import { alpha, base, check, gamma, hardLabel, logit, probability, runs, timeout } from './helpers/fuzz.js';
import { describe as failure, ulpDistance } from './helpers/ulp.js';

/**
 * The fast path of the core (issue 10): binaryLossFast computes CE and FL of a hard-label
 * sample with only the operations a reduction needs, and must give the very bits of the
 * careful path — the terms of the sample and their modulating factor, which `sweep`, the
 * variants and evaluateBinary's ratio and gradients use — so that `loss`, `anatomy`, `sweep`
 * and `compare` agree to the bit. Bit-equality is stronger than the accuracy bound (CE ≤ 2,
 * FL ≤ 4 ulps), which the boundary cases below check against mpmath directly.
 * Default runs are small; FOCAL_FUZZ_RUNS=1000000 runs 10^6 cases per property.
 */

const FAST_RUNS = runs(3000);

/** Probabilities from every region: helpers' (dense near 0, 1 − 2^-k), around ½ (the Sterbenz threshold), subnormals. */
const anyProbability = fc.oneof(
  probability,
  fc.integer({ min: -4096, max: 4096 }).map((k) => 0.5 + k * 2 ** -54),
  fc.double({ min: 0, max: 2 ** -1022, noNaN: true }),
  fc.double({ min: 0.25, max: 0.75, noNaN: true }),
);

/** Logits from every region: any double (±∞ included), moderate, around the sign of the margin, subnormal. */
const anyLogit = fc.oneof(
  logit,
  fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
  fc.double({ min: -745, max: 745, noNaN: true }),
  fc.constantFrom(0, -0, 5e-324, -5e-324, 2 ** 995, -(2 ** 995), 2 ** 1000),
);

/** γ: the helpers' (up to 1e4), small integers (products), the neighbours of 1 and 2, 0 < γ < 1. */
const anyGamma = fc.oneof(
  gamma,
  fc.constantFrom(0, 1, 2, 3, 4, 1.5, 1 + 2 ** -52, 1 - 2 ** -53, 2 + 2 ** -51, 2 - 2 ** -52),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

const hardInput = fc.oneof(
  fc.record({ kind: fc.constant<BinaryInputKind>('p'), value: anyProbability, y: hardLabel }),
  fc.record({ kind: fc.constant<BinaryInputKind>('logit'), value: anyLogit, y: hardLabel }),
  fc.record({ kind: fc.constant<BinaryInputKind>('pt'), value: anyProbability, y: hardLabel }),
);

/** CE and FL through the terms path (binaryTerms → complementPower), natural log. */
function careful(kind: BinaryInputKind, value: number, y: number, g: number, a: number | null): [number, number] {
  const [ce, fl] = evaluateVariants(['ce', 'fl'], kind, value, y, { gamma: g, alpha: a });
  return [ce!, fl!];
}

const ce = new Float64Array(1);
const fl = new Float64Array(1);

describe('the fast path gives the careful path’s bits', () => {
  it(
    `hard labels, every region of p, logit and p_t, γ and α (${FAST_RUNS} cases)`,
    () => {
      check(
        fc.property(hardInput, anyGamma, alpha, ({ kind, value, y }, g, a) => {
          const applied = binaryLossFast(ce, fl, 0, kind, value, y, g, alphaWeight(a, y));
          // only a logit ±∞ leaves a hard label to the terms path
          expect(applied).toBe(kind !== 'logit' || Number.isFinite(value));
          if (!applied) binaryLossAt(ce, fl, 0, kind, value, y, g, alphaWeight(a, y), 1);
          const [c, f] = careful(kind, value, y, g, a);
          expect(ce[0]).toBe(c);
          expect(fl[0]).toBe(f);
        }),
        FAST_RUNS,
      );
    },
    timeout(30_000),
  );

  it(
    `soft labels take the terms path, and every base gives evaluateBinary's bits (${FAST_RUNS} cases)`,
    () => {
      const input = fc.oneof(
        fc.record({
          kind: fc.constant<BinaryInputKind>('p'),
          value: anyProbability,
          y: fc.oneof(hardLabel, probability),
        }),
        fc.record({
          kind: fc.constant<BinaryInputKind>('logit'),
          value: anyLogit,
          y: fc.oneof(hardLabel, probability),
        }),
      );
      check(
        fc.property(input, anyGamma, alpha, base, ({ kind, value, y }, g, a, b) => {
          if (y !== 0 && y !== 1) expect(binaryLossFast(ce, fl, 0, kind, value, y, g, alphaWeight(a, y))).toBe(false);
          binaryLossAt(ce, fl, 0, kind, value, y, g, alphaWeight(a, y), LN_OF_BASE[b]);
          const e = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
          expect(ce[0]).toBe(e.ce);
          expect(fl[0]).toBe(e.fl);
        }),
        FAST_RUNS,
      );
    },
    timeout(30_000),
  );
});

/** Margins from every region of a logit's path: subnormal, around 0, moderate, where e^−z underflows, huge (productError's edges). */
const anyMargin = fc.oneof(
  fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
  fc.double({ min: -2, max: 2, noNaN: true }),
  fc.double({ min: -40, max: 40, noNaN: true }),
  fc.double({ min: -800, max: 800, noNaN: true }),
  fc.double({ min: -(2 ** 1000), max: 2 ** 1000, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 2 ** 995, 2 ** 1000),
);

describe('γ = 1 and 2 from a logit: γ·z without productError', () => {
  const LOGIT_RUNS = runs(5000, 10); // 10^6 under npm run fuzz

  it(
    `powOfSigmoid gives expOfProductPlus's bits, which carries γ·z's rounding error (${LOGIT_RUNS} cases)`,
    () => {
      check(
        fc.property(anyMargin, fc.constantFrom(1, 2), (z, g) => {
          const logTerm = Math.log1p(Math.exp(z > 0 ? -z : z));
          const careful = z > 0 ? expOfProductPlus(-g, z, -g * logTerm) : Math.exp(-g * logTerm);
          expect(Object.is(powOfSigmoid(z, g), careful)).toBe(true);
        }),
        LOGIT_RUNS,
      );
    },
    timeout(30_000),
  );

  it(
    `the fast path's CE and FL are the careful path's, γ ∈ {1, 2} and their neighbours (${LOGIT_RUNS} cases)`,
    () => {
      const nearOneTwo = fc.constantFrom(1, 2, 1 - 2 ** -53, 1 + 2 ** -52, 2 - 2 ** -52, 2 + 2 ** -51);
      check(
        fc.property(anyMargin, hardLabel, nearOneTwo, alpha, (x, y, g, a) => {
          expect(binaryLossFast(ce, fl, 0, 'logit', x, y, g, alphaWeight(a, y))).toBe(true);
          const [c, f] = careful('logit', x, y, g, a);
          expect(ce[0]).toBe(c);
          expect(fl[0]).toBe(f);
        }),
        LOGIT_RUNS,
      );
    },
    timeout(30_000),
  );
});

describe('branch boundaries of the fast path, against mpmath', () => {
  const cases = binaryRegions()['fast-path-boundaries']!;

  it(`CE within 2 ulps and FL within 4 just below, at and just above each threshold (${cases.length} cases)`, () => {
    const failures: string[] = [];
    for (const c of cases) {
      const input = `${c.kind}=${c.x} y=${c.y} γ=${c.gamma} α=${c.alpha}`;
      // every case is a hard label and a finite input: the fast path itself answers
      if (!binaryLossFast(ce, fl, 0, c.kind, c.x, c.y, c.gamma, alphaWeight(c.alpha, c.y)))
        failures.push(`${input}: not taken by the fast path`);
      if (!(ulpDistance(ce[0]!, c.ce) <= 2)) failures.push(failure(input, 'ce', ce[0]!, c.ce));
      if (!(ulpDistance(fl[0]!, c.fl) <= 4)) failures.push(failure(input, 'fl', fl[0]!, c.fl));
    }
    expect(failures).toEqual([]);
  });

  it('the region holds both neighbours of each threshold: p = ½, z = 0, the largest finite logit, γ = 1 and 2', () => {
    const has = (kind: string, x: number) => cases.some((c) => c.kind === kind && Object.is(c.x, x));
    for (const x of [0.5 - 2 ** -54, 0.5, 0.5 + 2 ** -53]) expect(has('p', x)).toBe(true);
    for (const x of [-5e-324, 0, 5e-324, -1.7976931348623157e308, 1.7976931348623157e308])
      expect(has('logit', x)).toBe(true);
    // γ = 1 and 2 (γ·z exact) and the doubles either side of them, at moderate and large margins
    const hasGamma = (x: number, g: number) => cases.some((c) => c.kind === 'logit' && c.x === x && c.gamma === g);
    for (const x of [3, 40, 700])
      for (const g of [1 - 2 ** -53, 1, 1 + 2 ** -52, 2 - 2 ** -52, 2, 2 + 2 ** -51]) expect(hasGamma(x, g)).toBe(true);
  });
});

describe('the terms path where the fast one does not apply', () => {
  it('a logit ±∞ is p = 1 or 0: CE and FL 0 on the right side, ∞ on the wrong one', () => {
    for (const [x, y, want] of [
      [Infinity, 1, 0],
      [-Infinity, 0, 0],
      [-Infinity, 1, Infinity],
      [Infinity, 0, Infinity],
    ] as const) {
      expect(binaryLossFast(ce, fl, 0, 'logit', x, y, 2, 0.25)).toBe(false);
      binaryLossAt(ce, fl, 0, 'logit', x, y, 2, 0.25, 1);
      expect([ce[0], fl[0]]).toEqual([want, want]);
    }
  });

  it('the largest finite logit on the wrong side stays on the fast path, with CE = |x| exactly', () => {
    expect(binaryLossFast(ce, fl, 0, 'logit', -1.7976931348623157e308, 1, 2, 0.25)).toBe(true);
    expect(ce[0]).toBe(1.7976931348623157e308);
    expect(fl[0]).toBe(0.25 * 1.7976931348623157e308);
  });
});
