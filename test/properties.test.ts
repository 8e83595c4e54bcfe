import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateBinary, evaluateCategorical, evaluateVariants, LOSS_NAMES, LossAccumulator, variantProblem, type LossName } from '../src/core/index.js';
import { alpha, base, binaryInput, check, splitOverflows, gamma, logit, probability, runs, timeout } from './helpers/fuzz.js';
import { ulpOf } from './helpers/ulp.js';

/**
 * Properties of the core that hold for every valid input, checked by fast-check on random
 * inputs (seeded; see helpers/fuzz.ts; FOCAL_FUZZ_RUNS=100000 or `npm run fuzz` for 10^5
 * cases each). Where a property needs floating-point slack, the bound is stated in ulps and
 * follows from the documented accuracy of the quantities involved.
 *
 * Properties that fail today because of a known defect are in properties.pending.test.ts,
 * with the issue 8 item number; the inputs they fail on are left out here only where a
 * property would otherwise test that defect again (softAtCertainty, helpers/fuzz.ts; the
 * ratio's NaN at large γ, items 1–2), and nowhere else.
 */

const CORE_RUNS = runs(2000);
const EPS = 2 ** -52;
/** Subnormal results carry an absolute rounding error of up to 2^-1075 per operation. */
const TINY = 2 ** -1072;

/** |a − b| in ulps of the larger magnitude (0 when both are equal, Infinity if one is NaN). */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b) || !Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / ulpOf(Math.max(Math.abs(a), Math.abs(b)));
}

const FIELDS = ['p', 'pt', 'alphaT', 'modulating', 'ce', 'fl', 'grad', 'gradCe', 'gradP', 'gradCeP'] as const;

describe('binary core: no NaN', () => {
  it(`no field but the ratio is NaN, for every kind, label, γ ∈ [0, 1e4], α and base (the ratio: pending, items 1–2)`, () => {
    check(
      fc.property(binaryInput, gamma, alpha, base, ({ kind, value, y }, g, a, b) => {
        fc.pre(!splitOverflows({ kind, value, y }, g));
        const r = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
        for (const f of FIELDS) if (Number.isNaN(r[f])) throw new Error(`${f} is NaN`);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));
});

describe('binary core: relations between the quantities', () => {
  it('FL ≤ α_t·CE (to the two roundings of α_t·CE: a factor 1 + 2^-51, plus 2^-1072 for subnormals)', () => {
    check(
      fc.property(binaryInput, gamma, alpha, base, ({ kind, value, y }, g, a, b) => {
        fc.pre(!splitOverflows({ kind, value, y }, g));
        const r = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
        // α_t = 0 carries no weight: FL = 0 even where CE = ∞ (α_t·CE would be NaN)
        if (r.alphaT === 0) return Object.is(r.fl, 0);
        return r.fl <= r.alphaT * r.ce * (1 + 2 * EPS) + TINY || (r.fl === Infinity && r.alphaT * r.ce === Infinity);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  it('FL ≥ 0 and CE ≥ 0, 0 ≤ (1 − p_t)^γ ≤ 1', () => {
    check(
      fc.property(binaryInput, gamma, alpha, base, ({ kind, value, y }, g, a, b) => {
        fc.pre(!splitOverflows({ kind, value, y }, g));
        const r = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
        return r.fl >= 0 && r.ce >= 0 && r.modulating >= 0 && r.modulating <= 1;
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  /**
   * ratio and FL are each within 4 ulps (hard labels) or 12 (soft) of the exact values
   * (core.test.ts), so their product is within about 4 + 4 + 1 (or 12 + 12 + 1) ulps of CE.
   * FL must be a normal number: a subnormal carries fewer significant bits.
   */
  it('(CE/FL)·FL = CE where all are finite and FL is normal: within 10 ulps for hard labels, 26 for soft', () => {
    check(
      fc.property(binaryInput, gamma, alpha, base, ({ kind, value, y }, g, a, b) => {
        fc.pre(!splitOverflows({ kind, value, y }, g));
        const r = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
        if (!(Number.isFinite(r.ratio) && Number.isFinite(r.ce) && r.fl >= 2 ** -1022 && Number.isFinite(r.fl))) return true;
        const bound = y === 0 || y === 1 ? 10 : 26;
        const d = ulps(r.ratio * r.fl, r.ce);
        if (!(d <= bound)) throw new Error(`ratio·fl = ${r.ratio * r.fl}, ce = ${r.ce}: ${d} ulps`);
        return true;
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  /**
   * 1 − p is exact for p ∈ [1/2, 1] (Sterbenz) and for any multiple of 2^-53, and so is 1 − α
   * for such an α: the mirrored sample is the same sample. The two label paths compute CE as
   * −log p and −log1p(−(1 − p)), each within 2 ulps, and FL within 4: so within 8 ulps.
   */
  it('symmetry: FL(p, y=1, α) = FL(1 − p, y=0, 1 − α), and CE likewise, within 8 ulps (1 − p and 1 − α exact)', () => {
    const exactComplement = fc.oneof(fc.double({ min: 0.5, max: 1, noNaN: true }), fc.integer({ min: 0, max: 2 ** 53 }).map((k) => k / 2 ** 53));
    check(
      fc.property(exactComplement, gamma, fc.oneof(fc.constant(null), exactComplement), base, (p, g, a, b) => {
        const one = evaluateBinary('p', p, 1, { gamma: g, alpha: a, base: b });
        const zero = evaluateBinary('p', 1 - p, 0, { gamma: g, alpha: a === null ? null : 1 - a, base: b });
        const [dce, dfl] = [ulps(one.ce, zero.ce), ulps(one.fl, zero.fl)];
        if (!(dce <= 8 && dfl <= 8)) throw new Error(`ce ${one.ce} vs ${zero.ce} (${dce} ulps), fl ${one.fl} vs ${zero.fl} (${dfl} ulps)`);
        return one.pt === zero.pt && one.alphaT === zero.alphaT;
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  it('symmetry from a logit: every quantity of (x, y=1, α) equals that of (−x, y=0, 1 − α) bit for bit, gradients mirrored', () => {
    check(
      fc.property(logit.filter((x) => !splitOverflows({ kind: 'logit', value: x, y: 1 }, 0.5)), gamma, fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 ** 53 }).map((k) => k / 2 ** 53)), base, (x, g, a, b) => {
        const one = evaluateBinary('logit', x, 1, { gamma: g, alpha: a, base: b });
        const zero = evaluateBinary('logit', -x, 0, { gamma: g, alpha: a === null ? null : 1 - a, base: b });
        const mirrored = [zero.pt, zero.ce, zero.fl, zero.ratio, zero.modulating, -zero.grad, -zero.gradCe];
        const direct = [one.pt, one.ce, one.fl, one.ratio, one.modulating, one.grad, one.gradCe];
        // === (not Object.is): a zero gradient mirrors to −0
        if (!direct.every((v, k) => v === mirrored[k] || (Number.isNaN(v) && Number.isNaN(mirrored[k])))) throw new Error(`${direct} vs ${mirrored}`);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  /**
   * For p_t < 1, (1 − p_t)^γ decreases with γ, and so does FL. Each FL is within 4 ulps of its
   * exact value (12 for soft labels), so the computed values may cross by that much.
   */
  it('monotone in γ for p_t < 1: γ₁ ≤ γ₂ ⇒ FL(γ₂) ≤ FL(γ₁) (within 8 ulps; 24 for soft labels)', () => {
    check(
      fc.property(binaryInput, gamma, gamma, alpha, base, ({ kind, value, y }, g1, g2, a, b) => {
        fc.pre(!splitOverflows({ kind, value, y }, g1) && !splitOverflows({ kind, value, y }, g2));
        const [lo, hi] = g1 <= g2 ? [g1, g2] : [g2, g1];
        const small = evaluateBinary(kind, value, y, { gamma: lo, alpha: a, base: b });
        const large = evaluateBinary(kind, value, y, { gamma: hi, alpha: a, base: b });
        if (!(small.pt < 1)) return true;
        const bound = y === 0 || y === 1 ? 8 : 24;
        if (large.fl <= small.fl || ulps(large.fl, small.fl) <= bound) return true;
        throw new Error(`FL(γ=${lo}) = ${small.fl} < FL(γ=${hi}) = ${large.fl}`);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  it('γ = 0 with α none: FL = CE exactly, ratio = 1', () => {
    check(
      fc.property(binaryInput, base, ({ kind, value, y }, b) => {
        const r = evaluateBinary(kind, value, y, { gamma: 0, alpha: null, base: b });
        return Object.is(r.fl, r.ce) && r.ratio === 1;
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  it('log bases: CE and FL in base 2 and 10 are the natural-log values divided by ln 2 and ln 10 (one rounding: ≤ 1 ulp)', () => {
    check(
      fc.property(binaryInput, gamma, alpha, ({ kind, value, y }, g, a) => {
        fc.pre(!splitOverflows({ kind, value, y }, g));
        const e = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: 'e' });
        for (const [b, ln] of [['2', Math.LN2], ['10', Math.LN10]] as const) {
          const r = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
          if (!(ulps(r.ce, e.ce / ln) <= 1 && ulps(r.fl, e.fl / ln) <= 1) && !(r.fl < 2 ** -1022)) throw new Error(`base ${b}: ce ${r.ce}, fl ${r.fl}`);
          if (!Object.is(r.ratio, e.ratio)) throw new Error(`base ${b}: ratio ${r.ratio} ≠ ${e.ratio}`);
        }
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));
});

/** The variants' parameters over the ranges the CLI accepts (src/commands/family.ts). */
const variantParams = fc.record({
  beta: fc.oneof(fc.double({ min: -700, max: 700, noNaN: true }), fc.constant(0)),
  epsilon: fc.oneof(fc.double({ min: -1, max: 1e6, noNaN: true }), fc.constantFrom(-1, 1, -0.5)),
  gammaPos: fc.oneof(gamma, fc.constant(0)),
  gammaNeg: fc.oneof(gamma, fc.constant(4)),
  clip: fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constant(0.05)),
  threshold: fc.oneof(fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }), fc.constant(0.5)),
});

describe('the focal family (every --loss)', () => {
  /**
   * Every loss is ≥ 0 but poly1-fl with ε < 0 and α_t < 1: α_t(1 − p_t)^γ·CE + ε(1 − p_t)^(γ+1)
   * is then negative where α_t·CE < |ε|(1 − p_t), exactly. With α none, −log p_t ≥ 1 − p_t
   * keeps poly1 and poly1-fl ≥ 0 for ε ≥ −1 (item 11 is a violation of that, pending).
   */
  it('no loss is NaN, and none is negative (but poly1-fl with ε < 0 and α_t < 1), for every defined input', () => {
    check(
      fc.property(binaryInput, gamma, alpha, base, variantParams, ({ kind, value, y }, g, a, b, extra) => {
        fc.pre(![g, extra.gammaPos, extra.gammaNeg].some((e) => splitOverflows({ kind, value, y }, e)));
        const params = { gamma: g, alpha: a, base: b, ...extra };
        // fl-reduced divides (1 − p_t)^γ by th^γ, and fl-star from a probability by p_t^γ: NaN or a
        // false 0 where the divisor underflows (a defect found here, not in issue 8; pending)
        const pt = evaluateBinary(kind, value, y, { gamma: 0, alpha: null }).pt;
        const divisorUnderflows = (n: LossName) =>
          (n === 'fl-reduced' && Math.pow(extra.threshold, g) < 2 ** -1022) || (n === 'fl-star' && kind !== 'logit' && Math.pow(pt, g) < 2 ** -1022);
        const names = LOSS_NAMES.filter((n) => variantProblem(n, y, params) === null && !divisorUnderflows(n)) as LossName[];
        const out = evaluateVariants(names, kind, value, y, params);
        // poly1-fl below 0 by cancellation for ε near −1 with α none: item 11, pending
        const mayBeNegative = (n: LossName) => n === 'poly1-fl' && extra.epsilon < 0 && (a !== null || extra.epsilon < -0.5);
        names.forEach((n, k) => {
          if (Number.isNaN(out[k]!) || (!(out[k]! >= 0) && !mayBeNegative(n))) throw new Error(`${n} = ${out[k]}`);
        });
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  it('ce and fl in the family are evaluateBinary\'s CE and FL, bit for bit', () => {
    check(
      fc.property(binaryInput, gamma, alpha, base, ({ kind, value, y }, g, a, b) => {
        fc.pre(!splitOverflows({ kind, value, y }, g));
        const [ce, fl] = evaluateVariants(['ce', 'fl'], kind, value, y, { gamma: g, alpha: a, base: b });
        const r = evaluateBinary(kind, value, y, { gamma: g, alpha: a, base: b });
        return Object.is(ce, r.ce) && Object.is(fl, r.fl);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));
});

/** A multiclass sample: 2–6 classes, probabilities ≥ 0 with a positive sum, or finite logits. */
const categorical = fc.integer({ min: 2, max: 6 }).chain((k) =>
  fc.oneof(
    fc.record({
      kind: fc.constant<'probs' | 'logits'>('probs'),
      values: fc.array(fc.oneof(probability, fc.double({ min: 0, max: 1e300, noNaN: true })), { minLength: k, maxLength: k }).filter((v) => v.some((x) => x > 0)),
      target: fc.integer({ min: 0, max: k - 1 }),
    }),
    fc.record({
      kind: fc.constant<'probs' | 'logits'>('logits'),
      values: fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: -50, max: 50, noNaN: true })), { minLength: k, maxLength: k }),
      target: fc.integer({ min: 0, max: k - 1 }),
    }),
  ),
);

describe('multiclass core', () => {
  // NaN in the modulating factor, FL, ratio and gradient at large γ: pending (items 1–2, multiclass)
  it('no NaN in p_t, CE or dCE/dx; FL ≤ α_t·CE (factor 1 + 2^-51) where FL is a number; 0 ≤ p_t ≤ 1', () => {
    const categoricalAlpha = fc.oneof(fc.constant(null), probability);
    check(
      fc.property(categorical, gamma, categoricalAlpha, base, ({ kind, values, target }, g, a, b) => {
        // logits whose difference overflows (9e307 and −9e307): NaN today, pending (item 8)
        fc.pre(kind === 'probs' || values.every((v) => Number.isFinite(v - values[target]!)));
        const r = evaluateCategorical(kind, values, target, { gamma: g, alpha: a, base: b });
        for (const v of [r.pt, r.ce, ...(r.gradCe ?? [])]) if (Number.isNaN(v)) throw new Error(`NaN in ${JSON.stringify(r)}`);
        if (!(r.pt >= 0 && r.pt <= 1)) throw new Error(`p_t = ${r.pt}`);
        if (r.alphaT === 0 ? r.fl !== 0 : !(Number.isNaN(r.fl) || r.fl <= r.alphaT * r.ce * (1 + 2 * EPS) + TINY || r.fl === Infinity)) throw new Error(`FL ${r.fl} > α_t·CE ${r.alphaT * r.ce}`);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));

  it('two classes are the binary case: logits (0, x) with target 1 give the CE of logit x, y = 1 (within 2 ulps)', () => {
    check(
      fc.property(fc.double({ min: -700, max: 700, noNaN: true }), gamma, (x, g) => {
        const m = evaluateCategorical('logits', [0, x], 1, { gamma: g, alpha: null });
        const bin = evaluateBinary('logit', x, 1, { gamma: g, alpha: null });
        if (!(ulps(m.ce, bin.ce) <= 2 || (m.ce < 2 ** -1022 && Math.abs(m.ce - bin.ce) <= 2 ** -1070))) throw new Error(`${m.ce} vs ${bin.ce}`);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));
});

/** A batch of per-sample losses as the accumulator sees them: (ce, fl, class). */
const lossRows = fc.array(
  fc.tuple(
    fc.oneof(fc.double({ min: 0, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1e-300, 700)),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom<0 | 1 | 'soft'>(0, 1, 'soft'),
  ),
  { minLength: 1, maxLength: 200 },
);

function accumulate(rows: readonly [number, number, 0 | 1 | 'soft'][]): LossAccumulator {
  const acc = new LossAccumulator();
  for (const [ce, fl, key] of rows) acc.add(ce, fl, key);
  return acc;
}

describe('reductions: any split into shards gives the same totals', () => {
  /**
   * A sum of non-negative terms with Neumaier's compensation is within one rounding of the
   * exact sum (plus n·2^-106 relative), however it is split: two such sums differ by at most
   * 2 ulps. Counts are exact.
   */
  it('counts equal, sums within 2 ulps, for any cut points', () => {
    check(
      fc.property(lossRows, fc.array(fc.nat(), { maxLength: 6 }), (rows, cutsRaw) => {
        const cuts = [...new Set(cutsRaw.map((c) => c % (rows.length + 1)))].sort((a, b) => a - b);
        const whole = accumulate(rows).reduce('sum');
        const merged = new LossAccumulator();
        let from = 0;
        for (const to of [...cuts, rows.length]) {
          merged.merge(accumulate(rows.slice(from, to)).state());
          from = to;
        }
        const parts = merged.reduce('sum');
        expect([parts.n, parts.positives]).toEqual([whole.n, whole.positives]);
        if (!(ulps(parts.ce_sum, whole.ce_sum) <= 2 && ulps(parts.fl_sum, whole.fl_sum) <= 2)) throw new Error(`ce ${parts.ce_sum} vs ${whole.ce_sum}, fl ${parts.fl_sum} vs ${whole.fl_sum}`);
      }),
      CORE_RUNS,
    );
  }, timeout(30_000));
});
