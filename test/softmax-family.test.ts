import { readFileSync } from 'node:fs';
import { describe as group, expect, it } from 'vitest';
import { smoothedCategoricalGradients, softmaxVariant, type SoftmaxLossName } from '../src/core/softmax-family.js';
import { describe, ulpDistance, ulpOf } from './helpers/ulp.js';

interface VariantCase {
  kind: 'logits' | 'probs';
  values: number[];
  target: number;
  name: SoftmaxLossName;
  gamma: number;
  alpha: number | number[] | null;
  epsilon: number;
  loss: string;
  grad: string[] | null;
}
interface SmoothedCase {
  values: number[];
  target: number;
  smoothing: number;
  gamma: number;
  alpha: number | number[] | null;
  grad_ce: string[];
  grad_fl: string[];
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/softmax-family.json', import.meta.url), 'utf8')) as {
  variants: VariantCase[];
  smoothed: SmoothedCase[];
};

/** Losses: a few roundings of an accurate CE, q and q^γ. */
const LOSS_BOUND = 8;
/**
 * Gradient components: within GRAD_BOUND ulps of the component, or, for a component far
 * smaller than the vector's largest (a sum whose terms cancel), within GRAD_BOUND ulps of the
 * largest component: the error a float64 sum of the terms must have.
 */
const GRAD_BOUND = 8;

function gradFailures(input: string, got: number[], want: string[]): string[] {
  const scale = Math.max(...want.map((w) => Math.abs(Number(w))));
  return want.flatMap((w, j) => {
    const ok = ulpDistance(got[j]!, w) <= GRAD_BOUND || Math.abs(got[j]! - Number(w)) <= GRAD_BOUND * ulpOf(scale);
    return ok ? [] : [describe(`${input} j=${j}`, 'grad', got[j]!, w)];
  });
}

group('the softmax family against mpmath (test/fixtures/softmax-family.json)', () => {
  it(`losses within ${LOSS_BOUND} ulps, ${fixtures.variants.length} cases`, () => {
    const failures: string[] = [];
    for (const c of fixtures.variants) {
      const r = softmaxVariant(c.name, c.kind, c.values, c.target, {
        gamma: c.gamma,
        alpha: c.alpha,
        epsilon: c.epsilon,
      });
      if (!(ulpDistance(r.loss, c.loss) <= LOSS_BOUND))
        failures.push(
          describe(
            `${c.name} ${c.kind}=[${c.values}] t=${c.target} γ=${c.gamma} α=${c.alpha} ε=${c.epsilon}`,
            'loss',
            r.loss,
            c.loss,
          ),
        );
    }
    expect(failures).toEqual([]);
  });

  it(`gradients over the logits within ${GRAD_BOUND} ulps, every component`, () => {
    const failures: string[] = [];
    for (const c of fixtures.variants.filter((v) => v.grad)) {
      const r = softmaxVariant(c.name, c.kind, c.values, c.target, {
        gamma: c.gamma,
        alpha: c.alpha,
        epsilon: c.epsilon,
      });
      failures.push(
        ...gradFailures(
          `${c.name} [${c.values}] t=${c.target} γ=${c.gamma} α=${c.alpha} ε=${c.epsilon}`,
          r.grad!,
          c.grad!,
        ),
      );
    }
    expect(failures).toEqual([]);
  });

  it('a probability vector has no gradient', () => {
    expect(softmaxVariant('poly1', 'probs', [0.7, 0.2, 0.1], 0, { gamma: 2, alpha: null }).grad).toBeNull();
  });

  it('Poly-1 with ε = 0 is CE exactly, and FLSD-53 switches γ at p_t = 0.2', () => {
    const ce = softmaxVariant('ce', 'logits', [2, 1, 0.1], 0, { gamma: 2, alpha: null });
    expect(softmaxVariant('poly1', 'logits', [2, 1, 0.1], 0, { gamma: 2, alpha: null, epsilon: 0 })).toEqual(ce);
    const low = softmaxVariant('flsd', 'probs', [0.19, 0.81], 0, { gamma: 0, alpha: null }).loss;
    const high = softmaxVariant('flsd', 'probs', [0.21, 0.79], 0, { gamma: 0, alpha: null }).loss;
    expect(low).toBeCloseTo(0.81 ** 5 * -Math.log(0.19), 12);
    expect(high).toBeCloseTo(0.79 ** 3 * -Math.log(0.21), 12);
  });
});

group('label-smoothed multiclass gradients against mpmath', () => {
  it(`dCE/dx and dFL/dx within ${GRAD_BOUND} ulps, ${fixtures.smoothed.length} cases`, () => {
    const failures: string[] = [];
    for (const c of fixtures.smoothed) {
      const r = smoothedCategoricalGradients(c.values, c.target, {
        gamma: c.gamma,
        alpha: c.alpha,
        labelSmoothing: c.smoothing,
      });
      const input = `[${c.values}] t=${c.target} ε=${c.smoothing} γ=${c.gamma} α=${c.alpha}`;
      failures.push(
        ...gradFailures(`${input} CE`, r.gradCe, c.grad_ce),
        ...gradFailures(`${input} FL`, r.grad, c.grad_fl),
      );
    }
    expect(failures).toEqual([]);
  });
});
