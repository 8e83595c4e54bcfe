import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateBinary } from '../src/core/index.js';
import { relativeError, ulpDistance, type DType } from '../src/precision/dtype.js';
import { emulate, unsupported } from '../src/precision/frameworks.js';
import { kerasCategoricalFocal } from '../src/precision/categorical.js';

interface TorchCase {
  dtype: DType;
  x: number;
  y: number;
  gamma: number;
  alpha: number | null;
  ce: number;
  fl: number;
  grad_ce: number;
  grad: number;
}

const doc = JSON.parse(readFileSync(new URL('./fixtures/torch-focal.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
) as { torch: string; dtypes: DType[]; skipped: Record<string, string>; cases: TorchCase[] };

type Kind = 'NaN' | 'Inf' | 'zero' | 'finite';
const kindOf = (v: number): Kind => (v !== v ? 'NaN' : !Number.isFinite(v) ? 'Inf' : v === 0 ? 'zero' : 'finite');

const QUANTITIES = [
  ['ce', 'ce', 'ce'],
  ['fl', 'fl', 'fl'],
  ['grad_ce', 'gradCe', 'gradCe'],
  ['grad', 'grad', 'grad'],
] as const;

describe(`torchvision's sigmoid_focal_loss against PyTorch ${doc.torch} (test/fixtures/torch-focal.json)`, () => {
  it('has float64, float32 and bfloat16 cases; float16 is recorded as not runnable on this CPU build', () => {
    expect(doc.dtypes).toEqual(['float64', 'float32', 'bfloat16']);
    expect(doc.skipped.float16).toMatch(/not implemented for 'Half'/);
  });

  it("real torchvision float64 returns FL = 0 at logit 37, y = 1, for every γ and α (the issue's observation)", () => {
    const at37 = doc.cases.filter((c) => c.dtype === 'float64' && c.x === 37 && c.y === 1);
    expect(at37.length).toBe(10);
    for (const c of at37) expect(c.fl).toBe(0);
  });

  for (const dtype of ['float64', 'float32', 'bfloat16'] as const) {
    for (const [key, emuKey, exactKey] of QUANTITIES) {
      it(`${dtype} ${key}: the same NaN/Inf/0 class always, ≥ 95% within 2 ulps, the rest no further from exact than 10× torch`, () => {
        const cases = doc.cases.filter((c) => c.dtype === dtype);
        let finite = 0;
        let within = 0;
        const failures: string[] = [];
        for (const c of cases) {
          const emu = emulate('torchvision', dtype, {
            kind: 'logit',
            value: c.x,
            y: c.y,
            gamma: c.gamma,
            alpha: c.alpha,
          });
          const got = emu[emuKey];
          const want = c[key];
          const at = `x=${c.x} y=${c.y} γ=${c.gamma} α=${c.alpha}: emulated ${got}, torch ${want}`;
          if (kindOf(got) !== kindOf(want)) {
            failures.push(`class differs at ${at}`);
            continue;
          }
          if (kindOf(want) !== 'finite') continue;
          finite++;
          if (ulpDistance(dtype, got, want) <= 2) {
            within++;
            continue;
          }
          const exact = evaluateBinary('logit', c.x, c.y, { gamma: c.gamma, alpha: c.alpha })[exactKey];
          const ours = relativeError(got, exact);
          const theirs = relativeError(want, exact);
          if (!(ours <= 10 * theirs)) failures.push(`${at}: error vs exact ${ours} against torch's ${theirs}`);
        }
        expect(failures).toEqual([]);
        expect(within / finite).toBeGreaterThanOrEqual(0.95);
      });
    }
  }
});

describe('published vectors', () => {
  it("TFA's SigmoidFocalCrossEntropy docstring, bit for bit in float32", () => {
    // tensorflow_addons/losses/focal_loss.py: y_true [1, 1, 0], y_pred [0.97, 0.91, 0.03]
    const published = [6.8532745e-6, 1.909787e-4, 2.0559824e-5].map(Math.fround);
    const got = [
      [0.97, 1],
      [0.91, 1],
      [0.03, 0],
    ].map(([p, y]) => emulate('tfa', 'float32', { kind: 'p', value: p!, y: y!, gamma: 2, alpha: 0.25 }).fl);
    expect(got).toEqual(published);
  });

  const logits = [-18.6, 0.51, 2.94, -12.8];
  const labels = [0, 1, 0, 0];
  const kerasMean = (gamma: number, alpha: number | null) =>
    logits
      .map((x, i) => emulate('keras', 'float32', { kind: 'logit', value: x, y: labels[i]!, gamma, alpha }).fl)
      .reduce((a, b) => a + b) / 4;

  it("Keras' BinaryFocalCrossentropy docstring: 0.691 (γ = 2), 0.51 with class balancing, 0.647 / 0.482 at γ = 3", () => {
    expect(kerasMean(2, null)).toBeCloseTo(0.691, 3);
    expect(kerasMean(2, 0.25)).toBeCloseTo(0.51, 2);
    expect(kerasMean(3, null)).toBeCloseTo(0.647, 3);
    expect(kerasMean(3, 0.25)).toBeCloseTo(0.482, 3);
  });

  it("Keras' CategoricalFocalCrossentropy docstring: per sample [3.2058331e-05, 0.46627346], mean 0.23315276", () => {
    const a = kerasCategoricalFocal('float32', 'probs', [0.05, 0.95, 0], 1, { gamma: 2, alpha: 0.25 }).loss;
    const b = kerasCategoricalFocal('float32', 'probs', [0.1, 0.8, 0.1], 2, { gamma: 2, alpha: 0.25 }).loss;
    expect(a).toBe(Math.fround(3.2058331e-5));
    expect(b).toBe(Math.fround(0.46627346));
    expect(Math.fround((a + b) / 2)).toBe(Math.fround(0.23315276));
  });
});

describe('framework behaviours the issue reports, by name', () => {
  it('torchvision float64 returns FL = 0 at logit 37 (1 + e^−37 rounds to 1), and is far off at 13', () => {
    const at37 = emulate('torchvision', 'float64', { kind: 'logit', value: 37, y: 1, gamma: 2, alpha: 0.25 });
    expect(at37.fl).toBe(0);
    const at13 = emulate('torchvision', 'float64', { kind: 'logit', value: 13, y: 1, gamma: 2, alpha: 0.25 }).fl;
    const exact = evaluateBinary('logit', 13, 1, { gamma: 2, alpha: 0.25 }).fl;
    expect(ulpDistance('float64', at13, exact)).toBeGreaterThan(1e5);
  });

  it('torchvision γ = 0.5: the gradient is NaN at a saturated positive ((1 − p_t)^(γ−1) = ∞ times 0)', () => {
    expect(
      emulate('torchvision', 'float32', { kind: 'logit', value: 20, y: 1, gamma: 0.5, alpha: 0.25 }).grad,
    ).toBeNaN();
    expect(
      emulate('torchvision', 'float32', { kind: 'logit', value: 5, y: 1, gamma: 0.5, alpha: 0.25 }).grad,
    ).not.toBeNaN();
  });

  it('TF autograd at γ = 0 gives NaN where p_t = 1 (0 · 0^−1); torch special-cases γ = 0', () => {
    expect(emulate('tfa', 'float32', { kind: 'p', value: 1, y: 1, gamma: 0, alpha: 0.25 }).grad).toBe(0); // TFA skips pow when γ = 0
    expect(emulate('keras', 'float32', { kind: 'logit', value: 20, y: 1, gamma: 0, alpha: null }).grad).toBeNaN();
    // torch's pow_backward returns 0 for exponent 0, so the textbook formula in PyTorch keeps CE's gradient −e^−x
    expect(emulate('naive', 'float32', { kind: 'logit', value: 20, y: 1, gamma: 0, alpha: null }).grad).toBe(
      Math.fround(-Math.exp(-20)),
    );
  });

  it("mmcv float16: FLT_MIN is 0 in half, so a saturated positive's negative-class term is −0 · ∞ = NaN (mmcv#1488)", () => {
    expect(emulate('mmcv', 'float16', { kind: 'logit', value: 9.39, y: 1, gamma: 2, alpha: 0.25 }).fl).toBeNaN();
    expect(emulate('mmcv', 'float32', { kind: 'logit', value: 9.39, y: 1, gamma: 2, alpha: 0.25 }).fl).toBeGreaterThan(
      0,
    );
  });

  it('Keras clips probabilities at 1e-7 in float32, but in bfloat16 1 − 1e-7 rounds to 1 and log(1 − p) is −∞', () => {
    const f32 = emulate('keras', 'float32', { kind: 'p', value: 1, y: 0, gamma: 2, alpha: null }).ce;
    expect(f32).toBeCloseTo(-Math.log(Math.fround(1 - Math.fround(1 - 1e-7))), 3);
    expect(emulate('keras', 'bfloat16', { kind: 'p', value: 1, y: 0, gamma: 2, alpha: null }).ce).toBe(Infinity);
  });

  it('refuses what a framework cannot take, in one sentence', () => {
    expect(unsupported('torchvision', 'float32', 'p', 1, 0.25, 0)).toMatch(/logits only/);
    expect(unsupported('mmcv', 'bfloat16', 'logit', 1, 0.25, 0)).toMatch(/float16 only/);
    expect(unsupported('mmcv', 'float32', 'logit', 0.3, 0.25, 0)).toMatch(/hard labels/);
    expect(unsupported('keras', 'float16', 'p', 0.3, null, 0.1)).toBeNull();
  });
});
