import { describe, expect, it } from 'vitest';
import { priorBias } from '../src/core/index.js';
import { parseJson, runBin, runCli } from './helpers/cli.js';
import { priorRegions } from './helpers/fixtures.js';
import { describe as describeUlp, ulpDistance } from './helpers/ulp.js';

/** logit(π) is atanh or two logarithms and one subtraction: a few ulps. */
const PRIOR_BOUND = 4;

describe('focal prior', () => {
  it('prints b = −4.59512 for π = 0.01', () => {
    const r = runBin(['prior', '--pi', '0.01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bias b = −log\(\(1 − π\)\/π\)\s+-4\.59512\n/);
    expect(runBin(['prior', '--pi', '0.01', '--precision', '9']).stdout).toMatch(/-4\.59511985\n/);
  });

  // test/fixtures/prior.json (mpmath): log(π/(1 − π)) at the exact double π, by region
  for (const [region, cases] of Object.entries(priorRegions())) {
    it(`priorBias within ${PRIOR_BOUND} ulps of mpmath, region ${region} (${cases.length} cases)`, () => {
      const failures = cases
        .filter((c) => !(ulpDistance(priorBias(c.pi), c.bias) <= PRIOR_BOUND))
        .map((c) => describeUlp(`π=${c.pi}`, 'bias', priorBias(c.pi), c.bias));
      expect(failures).toEqual([]);
    });
  }

  it('issue 8 §1.12: the bias at π = 0.500002055 is within a few ulps (was 38,000 ulps off)', () => {
    const c = priorRegions()['near-half']!.find((k) => k.pi === 0.500002055)!;
    expect(ulpDistance(priorBias(c.pi), c.bias)).toBeLessThanOrEqual(PRIOR_BOUND);
    const doc = parseJson(runBin(['prior', '--pi', '0.500002055', '--json']).stdout);
    expect(ulpDistance(doc.summary.bias, c.bias)).toBeLessThanOrEqual(PRIOR_BOUND);
  });

  it('start-of-training totals with b = 0 and with the prior, per class (100,000 anchors, 1:1000)', () => {
    const doc = parseJson(runBin(['prior', '--pi', '0.01', '--json']).stdout);
    const [n, p] = [99900, 100];
    const s = doc.summary;
    expect([s.negatives, s.positives, s.anchors]).toEqual([n, p, 100000]);
    expect(s.zero_ce_total).toBeCloseTo(100000 * Math.LN2, 9);
    expect(s.zero_fl_total).toBeCloseTo(n * 0.75 * 0.25 * Math.LN2 + p * 0.25 * 0.25 * Math.LN2, 9);
    const ceNeg = -Math.log(0.99);
    const cePos = -Math.log(0.01);
    expect(s.prior_ce_total).toBeCloseTo(n * ceNeg + p * cePos, 9);
    expect(s.prior_fl_total).toBeCloseTo(n * 0.75 * 1e-4 * ceNeg + p * 0.25 * 0.99 ** 2 * cePos, 9);
    expect(s.zero_negative_ce_share).toBeCloseTo(n / 100000, 15);
    expect(s.prior_negative_fl_share).toBeCloseTo((n * 0.75 * 1e-4 * ceNeg) / s.prior_fl_total, 14);
    expect(doc.rows.map((r: any) => `${r.init}/${r.class}`)).toEqual([
      'b = 0/negative',
      'b = 0/positive',
      'prior/negative',
      'prior/positive',
    ]);
  });

  it('--foreground takes a fraction or a ratio', () => {
    const a = parseJson(runBin(['prior', '--foreground', '1:100', '--anchors', '1000', '--json']).stdout).summary;
    const b = parseJson(runBin(['prior', '--foreground', '0.01', '--anchors', '1000', '--json']).stdout).summary;
    expect(a).toEqual(b);
    expect(a.positives).toBe(10);
  });

  for (const [name, argv, message] of [
    ['π of 0', ['prior', '--pi', '0'], /--pi.*'0'.*0 is outside \(0, 1\)/],
    ['π of 1', ['prior', '--pi', '1'], /--pi.*'1'.*1 is outside \(0, 1\)/],
    ['a foreground of 2:1', ['prior', '--foreground', '2:1'], /--foreground.*not a fraction/],
    ['no anchors', ['prior', '--anchors', '0'], /--anchors' must be at least 1/],
  ] as const) {
    it(`bad input: ${name}`, async () => {
      const r = await runCli([...argv]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    });
  }
});
