import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe as group, expect, it } from 'vitest';
import { evaluateBinary, sigmoid, softplus } from '../src/core/index.js';
import { describe, ulpDistance } from './helpers/ulp.js';

group('binary edge cases, by name', () => {
  it('γ = 0 with α none gives FL = CE exactly, for probabilities and logits', () => {
    for (const [kind, v] of [
      ['p', 1e-300],
      ['p', 0.3],
      ['p', 1 - 2 ** -53],
      ['logit', -700],
      ['logit', 0.5],
      ['logit', 40],
    ] as const) {
      for (const y of [0, 1, 0.3]) {
        const r = evaluateBinary(kind, v, y, { gamma: 0, alpha: null });
        expect(r.fl).toBe(r.ce);
        expect(r.ratio).toBe(1);
      }
    }
  });

  it('p_t = 1 gives CE = FL = 0 and ratio Infinity for γ > 0, 1/α_t for γ = 0', () => {
    expect(evaluateBinary('p', 1, 1, { gamma: 2, alpha: 0.25 })).toMatchObject({ ce: 0, fl: 0, ratio: Infinity });
    expect(evaluateBinary('p', 0, 0, { gamma: 0.5, alpha: 0.25 })).toMatchObject({ ce: 0, fl: 0, ratio: Infinity });
    expect(evaluateBinary('p', 1, 1, { gamma: 0, alpha: 0.25 })).toMatchObject({ ce: 0, fl: 0, ratio: 4 });
  });

  it('p_t = 0 gives CE = FL = Infinity and ratio 1/α_t', () => {
    expect(evaluateBinary('p', 0, 1, { gamma: 2, alpha: 0.25 })).toMatchObject({
      ce: Infinity,
      fl: Infinity,
      ratio: 4,
    });
  });

  it('α_t = 0 gives FL = 0 and ratio Infinity, not NaN, even where CE is infinite', () => {
    expect(evaluateBinary('p', 0, 1, { gamma: 2, alpha: 0 })).toMatchObject({
      ce: Infinity,
      fl: 0,
      ratio: Infinity,
      grad: 0,
    });
  });

  it('a logit of ±Infinity is p = 1 or 0', () => {
    expect(evaluateBinary('logit', Infinity, 1, { gamma: 2, alpha: 0.25 })).toMatchObject({ ce: 0, fl: 0, p: 1 });
    expect(evaluateBinary('logit', -Infinity, 1, { gamma: 2, alpha: 0.25 })).toMatchObject({ ce: Infinity, p: 0 });
  });

  it('logit 37: FL is not 0 (torchvision in float64 returns 0 here)', () => {
    const r = evaluateBinary('logit', 37, 1, { gamma: 2, alpha: 0.25 });
    expect(r.ce).toBeGreaterThan(8.5e-17);
    expect(r.fl).toBeGreaterThan(0);
  });

  it('no NaN anywhere for 0 < γ < 1 at p_t → 1, including the gradient', () => {
    for (const gamma of [0.01, 0.25, 0.5, 0.99]) {
      for (const x of [30, 100, 745, 800, 1e300]) {
        for (const y of [0, 1]) {
          const r = evaluateBinary('logit', y === 1 ? x : -x, y, { gamma, alpha: 0.25 });
          for (const v of Object.values(r)) expect(Number.isNaN(v)).toBe(false);
          expect(Math.abs(r.grad)).toBeLessThanOrEqual(Math.abs(r.gradCe));
        }
      }
    }
  });

  it('the gradient matches central finite differences at moderate logits', () => {
    for (const x of [-4, -1.5, -0.2, 0.3, 1, 2.5, 6]) {
      for (const y of [0, 1, 0.3]) {
        for (const gamma of [0, 0.5, 2, 5]) {
          const params = { gamma, alpha: 0.25 };
          const h = 1e-5;
          const fd =
            (evaluateBinary('logit', x + h, y, params).fl - evaluateBinary('logit', x - h, y, params).fl) / (2 * h);
          const g = evaluateBinary('logit', x, y, params).grad;
          expect(Math.abs(fd - g), `x=${x} y=${y} γ=${gamma}`).toBeLessThan(1e-8 * Math.max(1, Math.abs(g)));
        }
      }
    }
  });

  it('dFL/dp and dCE/dp match central finite differences at moderate p', () => {
    for (const p of [0.05, 0.2, 0.5, 0.7, 0.95]) {
      for (const y of [0, 1, 0.3]) {
        for (const gamma of [0, 0.5, 2, 5]) {
          const params = { gamma, alpha: 0.25 };
          const h = 1e-7;
          const at = (v: number) => evaluateBinary('p', v, y, params);
          const fd = (at(p + h).fl - at(p - h).fl) / (2 * h);
          const fdCe = (at(p + h).ce - at(p - h).ce) / (2 * h);
          const r = at(p);
          expect(Math.abs(fd - r.gradP), `p=${p} y=${y} γ=${gamma}`).toBeLessThan(
            1e-6 * Math.max(1, Math.abs(r.gradP)),
          );
          expect(Math.abs(fdCe - r.gradCeP)).toBeLessThan(1e-6 * Math.max(1, Math.abs(r.gradCeP)));
        }
      }
    }
  });

  it('softplus and sigmoid never overflow and keep relative accuracy at the ends', () => {
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-745)).toBe(5e-324);
    expect(softplus(-1000)).toBe(0);
    expect(sigmoid(-745)).toBe(5e-324);
    expect(sigmoid(-40)).toBe(4.248354255291589e-18);
  });

  it('log base 10 divides CE and FL by ln 10 and leaves the ratio alone', () => {
    const e = evaluateBinary('p', 0.9, 1, { gamma: 2, alpha: 0.25 });
    const ten = evaluateBinary('p', 0.9, 1, { gamma: 2, alpha: 0.25, base: '10' });
    expect(ulpDistance(ten.ce, String(e.ce / Math.LN10))).toBeLessThanOrEqual(0.5);
    expect(ten.ratio).toBe(e.ratio);
  });
});

/** ../shared/vectors/binary.jsonl: the team's reference values; present beside every checkout and in CI. */
const SHARED = fileURLToPath(new URL('../../shared/vectors/binary.jsonl', import.meta.url));

const HAVE_SHARED = existsSync(SHARED);

group('the shared reference vectors (../shared/vectors/binary.jsonl)', () => {
  // In CI the vectors are always beside the clone: there a missing file fails the test. Elsewhere
  // a checkout without them skips it visibly (reported as skipped, the reason in its title).
  const title = 'CE, FL, ratio and grad within 16 ulps on every case, nothing wrong';
  it.skipIf(!HAVE_SHARED && !process.env.CI)(HAVE_SHARED ? title : `${title} (skipped: ${SHARED} is missing)`, () => {
    expect(HAVE_SHARED, `${SHARED} is missing`).toBe(true);
    const failures: string[] = [];
    let checked = 0;
    for (const line of readFileSync(SHARED, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const c = JSON.parse(line);
      const r = evaluateBinary(c.kind, c.x, c.y, { gamma: c.gamma, alpha: c.alpha, base: c.base });
      for (const q of ['ce', 'fl', 'ratio', 'grad'] as const) {
        if (!(q in c)) continue;
        checked++;
        if (!(ulpDistance(r[q], c[q]) <= 16)) failures.push(describe(c.id, q, r[q], c[q]));
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(9000);
  });
});
