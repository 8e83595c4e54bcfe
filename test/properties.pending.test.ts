import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateBinary, evaluateCategorical, evaluateVariants, LOSS_NAMES, variantProblem, type LossName } from '../src/core/index.js';
import { parseRange } from '../src/cli/values.js';
import { runCli } from './helpers/cli.js';
import { expectedValues, rangeCase } from './helpers/decimals.js';
import { alpha, anyBinaryInput, base, check, checkAsync, gamma, probability, runs, timeout } from './helpers/fuzz.js';
import { failingInput, writeFailingInput } from './helpers/streams.js';
import { ulpOf } from './helpers/ulp.js';

/**
 * PENDING: properties that fail today because of a known defect, each with its issue 8 item
 * (or "new", for a defect these properties found that the issue does not list). They are
 * excluded from the default run by vitest.config.mjs on the prop-tests branch only; the lead
 * re-enables them once the fixes are merged. Each shrunk counterexample is also a named
 * regression test below, so a fix is seen to cover it. They run without shrinking (some
 * would shrink for minutes): the shrunk cases are the named tests.
 */

const CORE_RUNS = runs(2000);
const FIELDS = ['p', 'pt', 'alphaT', 'modulating', 'ce', 'fl', 'ratio', 'grad', 'gradCe', 'gradP', 'gradCeP'] as const;

describe('no NaN anywhere in the binary core (items 1–2; new: soft labels at p ∈ {0, 1}; new: logit near the largest double)', () => {
  it('no field is NaN, for every kind, label, γ ∈ [0, 1e4], α and base', () => {
    check(
      fc.property(anyBinaryInput, gamma, alpha, base, ({ kind, value, y }, g, a, b) => {
        const r = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
        const nan = FIELDS.filter((f) => Number.isNaN(r[f]));
        if (nan.length) throw new Error(`NaN in ${nan.join(', ')}`);
      }),
      CORE_RUNS,
      { shrink: false },
    );
  }, timeout(30_000));

  // the shrunk counterexamples, by name
  it('item 2: p = 0.3, y = 1, γ = 2000: ratio = Infinity (4·0.7^-2000 overflows)', () => {
    expect(evaluateBinary('p', 0.3, 1, { gamma: 2000, alpha: 0.25 }).ratio).toBe(Infinity);
  });
  it('new: p = 0, soft y = 5e-324, γ = 2: FL = Infinity (α_t·(1 − p_t)^γ·∞ with (1 − p_t)^γ underflowing), not NaN', () => {
    expect(evaluateBinary('p', 0, 5e-324, { gamma: 2, alpha: 0.25 }).fl).toBe(Infinity);
  });
  it('new: p = 1, soft y = 0.15, γ = 4621: FL = Infinity, not NaN', () => {
    expect(evaluateBinary('p', 1, 0.15, { gamma: 4621, alpha: null }).fl).toBe(Infinity);
  });
  it('new: logit 1.7976931214684583e308, y = 1, γ = 5e-324: (1 − p_t)^γ = e^(−γx) ≈ 1 − 8.9e-16, not NaN (twoProduct split overflows)', () => {
    const r = evaluateBinary('logit', 1.7976931214684583e308, 1, { gamma: 5e-324, alpha: null });
    expect(r.modulating).toBe(Math.exp(-5e-324 * 1.7976931214684583e308));
  });
});

describe('multiclass: no NaN (items 1–2 and 8, their multiclass forms)', () => {
  const categorical = fc.integer({ min: 2, max: 6 }).chain((k) =>
    fc.record({
      kind: fc.constantFrom<'probs' | 'logits'>('probs', 'logits'),
      values: fc.array(fc.oneof(probability, fc.double({ noNaN: true, noDefaultInfinity: true, min: 0 }), fc.double({ min: -50, max: 50, noNaN: true })), { minLength: k, maxLength: k }),
      target: fc.integer({ min: 0, max: k - 1 }),
    }),
  ).filter(({ kind, values }) => kind === 'logits' || (values.every((v) => v >= 0) && values.some((v) => v > 0)));
  it('no NaN in p_t, CE, FL, ratio, (1 − p_t)^γ or the gradients', () => {
    check(
      fc.property(categorical, gamma, fc.oneof(fc.constant(null), probability), base, ({ kind, values, target }, g, a, b) => {
        const r = evaluateCategorical(kind, values, target, { gamma: g, alpha: a, base: b });
        for (const v of [r.pt, r.ce, r.fl, r.ratio, r.modulating, ...(r.grad ?? []), ...(r.gradCe ?? [])]) if (Number.isNaN(v)) throw new Error(`NaN in ${JSON.stringify(r)}`);
      }),
      CORE_RUNS,
      { shrink: false },
    );
  }, timeout(30_000));
  it('items 1–2, multiclass: logits (0, 0, 0.5140485308273681, 0), target 2, γ = 9988: ratio Infinity, FL a number', () => {
    const r = evaluateCategorical('logits', [0, 0, 0.5140485308273681, 0], 2, { gamma: 9988, alpha: null });
    expect(r.ratio).toBe(Infinity);
    expect(r.fl).toBe(0);
  });
  it('item 8: logits (0, −2.9e293, 0, 0, 0, 1.797693134862313e308), target 1: p_t and CE are numbers, never NaN', () => {
    const r = evaluateCategorical('logits', [0, -2.8939684488253437e293, 0, 0, 0, 1.797693134862313e308], 1, { gamma: 0, alpha: null });
    expect(Number.isNaN(r.ce)).toBe(false);
    expect(Number.isNaN(r.pt)).toBe(false);
  });
});

describe('the focal family: no NaN, no false zero (new: a ratio of two powers that both underflow; item 11)', () => {
  const variantParams = fc.record({
    beta: fc.oneof(fc.double({ min: -700, max: 700, noNaN: true }), fc.constant(0)),
    epsilon: fc.oneof(fc.double({ min: -1, max: 1e6, noNaN: true }), fc.constantFrom(-1, 1, -0.5)),
    gammaPos: gamma,
    gammaNeg: gamma,
    clip: fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constant(0.05)),
    threshold: fc.oneof(fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }), fc.constant(0.5)),
  });
  it('no loss is NaN, and none is negative (but poly1-fl with ε < 0 and α_t < 1, which can be)', () => {
    check(
      fc.property(anyBinaryInput, gamma, alpha, base, variantParams, ({ kind, value, y }, g, a, b, extra) => {
        const params = { gamma: g, alpha: a, base: b, ...extra };
        const names = LOSS_NAMES.filter((n) => variantProblem(n, y, params) === null) as LossName[];
        const out = evaluateVariants(names, kind, value, y, params);
        names.forEach((n, k) => {
          const mayBeNegative = n === 'poly1-fl' && extra.epsilon < 0 && a !== null;
          if (Number.isNaN(out[k]!) || (!(out[k]! >= 0) && !mayBeNegative)) throw new Error(`${n} = ${out[k]}`);
        });
      }),
      CORE_RUNS,
      { shrink: false },
    );
  }, timeout(30_000));

  /** An independent formula: ((1 − p_t)/th)^γ as exp(γ·(log(1 − p_t) − log th)); relative error ≲ γ·|log|·2^-52 < 1e-11. */
  it('fl-reduced above the threshold is α_t·((1 − p_t)/th)^γ·CE (relative 1e-9), also where th^γ underflows', () => {
    check(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true }), (u, th, g) => {
        const pt = th + u * (0.99 - th);
        const [got] = evaluateVariants(['fl-reduced'], 'pt', pt, 1, { gamma: g, alpha: null, threshold: th });
        const want = Math.exp(g * (Math.log1p(-pt) - Math.log(th))) * -Math.log(pt);
        if (!(want >= 2 ** -1022 && want < Infinity)) return;
        if (!(Math.abs(got! - want) <= 1e-9 * want)) throw new Error(`fl-reduced = ${got}, expected ${want}`);
      }),
      CORE_RUNS,
      { shrink: false },
    );
  }, timeout(30_000));

  it('new: fl-reduced at logit 0, y = 0, γ = 1075 (th = 0.5 = p_t): α_t·CE, not NaN (0/0 of two underflowed powers)', () => {
    const [got] = evaluateVariants(['fl-reduced'], 'logit', 0, 0, { gamma: 1075, alpha: 0.25, threshold: 0.5 });
    expect(got! / (0.75 * Math.LN2)).toBeCloseTo(1, 14);
  });
  it('new: fl-reduced at p_t = 0.6, th = 0.5, γ = 1000: 0.8^1000·(−ln 0.6) ≈ 6.3e-98, not 0', () => {
    const [got] = evaluateVariants(['fl-reduced'], 'pt', 0.6, 1, { gamma: 1000, alpha: null, threshold: 0.5 });
    expect(got! / (Math.exp(1000 * Math.log(0.8)) * -Math.log(0.6))).toBeCloseTo(1, 9);
  });
  it('new: fl-star from p_t = 0.75, γ = 2591: ≈ 0 (log1p of (1/3)^2591), not NaN (0/0)', () => {
    const [got] = evaluateVariants(['fl-star'], 'pt', 0.75, 0, { gamma: 2591, alpha: 0 });
    expect(got).toBe(0);
  });

  /**
   * Poly-1 with ε = −1: CE − (1 − p_t) with q = 1 − p_t is −log(1 − q) − q = Σ_{k≥2} q^k/k,
   * a sum of positive terms (no cancellation); q ≤ σ(−3) < 0.05, so 60 terms are plenty.
   */
  it('item 11: poly1 and poly1-fl with ε = −1, α none, from a logit: within 16 ulps of the series in 1 − p_t', () => {
    check(
      fc.property(fc.double({ min: 3, max: 700, noNaN: true }), gamma, (z, g) => {
        const q = 1 / (1 + Math.exp(z)); // σ(−z), 1 − p_t (accurate to an ulp or two)
        let series = 0;
        for (let k = 60; k >= 2; k--) series = series * q + 1 / k; // Σ q^(k−2)/k by Horner
        const poly1 = series * q * q;
        const [p1] = evaluateVariants(['poly1'], 'logit', z, 1, { gamma: g, alpha: null, epsilon: -1 });
        if (!(Math.abs(p1! - poly1) <= 16 * ulpOf(poly1))) throw new Error(`poly1 = ${p1}, expected ${poly1}`);
        // poly1-fl = (1 − p_t)^γ·poly1 with α none; q^γ by multiplication for γ ∈ {1, 2} (a few ulps)
        for (const e of [1, 2]) {
          const want = (e === 1 ? q : q * q) * poly1;
          const [pf] = evaluateVariants(['poly1-fl'], 'logit', z, 1, { gamma: e, alpha: null, epsilon: -1 });
          if (!(Math.abs(pf! - want) <= 16 * ulpOf(want))) throw new Error(`poly1-fl (γ = ${e}) = ${pf}, expected ${want}`);
        }
      }),
      CORE_RUNS,
      { shrink: false },
    );
  }, timeout(30_000));
  it('item 11: poly1-fl at logit 40, ε = −1, α none, γ = 2 is positive (+1.63e-70), not −9.27e-69', () => {
    const [got] = evaluateVariants(['poly1-fl'], 'logit', 40, 1, { gamma: 2, alpha: null, epsilon: -1 });
    expect(got! / 1.63e-70).toBeCloseTo(1, 2);
  });
});

describe('ranges in any decimal form (item 14)', () => {
  it('plain and exponent forms, up to 17 significant digits: the doubles nearest start + k·step, stop included', () => {
    check(
      fc.property(rangeCase({ digits: 17, exponents: [-20, 3], forms: ['plain', 'scientific'] }), (c) => {
        const range = parseRange(c.text, 'test');
        expect(range.length, `${c.text}: the count`).toBe(c.n + 1); // before listing: a wrong count may be huge
        expect(Array.from({ length: range.length }, (_, i) => range.at(i)), c.text).toEqual(expectedValues(c));
      }),
      runs(2000),
      { shrink: false },
    );
  }, timeout(30_000));
  it('item 14: 268435456:268435456.0000169:0.000001 has 17 values (a 16-digit stop is rounded before scaling: 18 today)', () => {
    expect(parseRange('268435456:268435456.0000169:0.000001', 'test').length).toBe(17);
  });
  it('new (the split overflow): asl at logit 1.7976931214684583e308, y = 1, γ₊ = 5e-324 is 0, not NaN', () => {
    const [got] = evaluateVariants(['asl'], 'logit', 1.7976931214684583e308, 1, { gamma: 0, alpha: null, gammaPos: 5e-324 });
    expect(got).toBe(0);
  });
  it('item 14: 0:1e-5:1e-6 is 0, 1e-6, 2e-6, …, 1e-5 (11 values, the nearest doubles)', () => {
    const r = parseRange('0:1e-5:1e-6', 'test');
    expect(Array.from({ length: r.length }, (_, i) => r.at(i))).toEqual([0, 1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6, 7e-6, 8e-6, 9e-6, 1e-5]);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'focal-pending-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a JSON stream that fails midway is still one valid document (item 3)', () => {
  it('stdout parses as JSON, with an "error" member and no summary; status 2', async () => {
    await checkAsync(
      fc.asyncProperty(failingInput, async (input) => {
        const { path } = writeFailingInput(dir, input);
        const r = await runCli(['loss', '--input', path, '--reduction', 'none', '--json']);
        expect(r.code).toBe(2);
        if (r.stdout === '') return; // nothing written is a valid outcome too
        const doc = JSON.parse(r.stdout);
        expect(doc.error).toBeTypeOf('string');
        expect(doc.summary).toBeUndefined();
      }),
      runs(4, 1 / 1000),
      { shrink: false },
    );
  }, timeout(60_000));
});
