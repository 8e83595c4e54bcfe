import { describe as group, expect, it } from 'vitest';
import { evaluateBinary, type BinaryEvaluation } from '../src/core/index.js';
import { binaryRegions, type BinaryCase } from './helpers/fixtures.js';
import { describe, ulpDistance } from './helpers/ulp.js';

/**
 * Each region of test/fixtures/binary.json (scripts/gen_fixtures.py, mpmath at 60 digits) has
 * its own bound in ulps, per quantity: the measured worst case rounded up, so that a change
 * that costs accuracy in one region shows there.
 */
type Quantity = 'ce' | 'fl' | 'ratio' | 'grad' | 'grad_ce' | 'grad_p' | 'grad_ce_p';
const HARD_LABEL_BOUNDS: Record<Quantity, number> = {
  ce: 2,
  fl: 4,
  ratio: 4,
  grad: 4,
  grad_ce: 2,
  grad_p: 4,
  grad_ce_p: 2,
};
const BOUNDS: Record<string, Record<Quantity, number>> = {
  // Soft labels: 1 − p_t is a sum of two rounded products, and dCE/dx = p − y (and dCE/dp)
  // cancels where p ≈ y (its condition number, not the method, sets that bound).
  'soft-label': { ce: 2, fl: 12, ratio: 12, grad: 16, grad_ce: 32, grad_p: 16, grad_ce_p: 32 },
};

const QUANTITIES = {
  ce: 'ce',
  fl: 'fl',
  ratio: 'ratio',
  grad: 'grad',
  grad_ce: 'gradCe',
  grad_p: 'gradP',
  grad_ce_p: 'gradCeP',
} as const;

function inputText(c: BinaryCase): string {
  return `${c.kind}=${c.x} y=${c.y} γ=${c.gamma} α=${c.alpha} base=${c.base}`;
}

for (const [region, cases] of Object.entries(binaryRegions())) {
  group(`binary core, region ${region}`, () => {
    for (const [quantity, field] of Object.entries(QUANTITIES) as [keyof typeof QUANTITIES, keyof BinaryEvaluation][]) {
      const bound = (BOUNDS[region] ?? HARD_LABEL_BOUNDS)[quantity];
      it(`${quantity} within ${bound} ulps on ${cases.length} cases`, () => {
        const failures: string[] = [];
        for (const c of cases) {
          const r = evaluateBinary(c.kind, c.x, c.y, { gamma: c.gamma, alpha: c.alpha, base: c.base });
          const got = r[field] as number;
          const d = ulpDistance(got, c[quantity]);
          if (!(d <= bound)) failures.push(describe(inputText(c), quantity, got, c[quantity]));
        }
        expect(failures).toEqual([]);
      });
    }
  });
}
