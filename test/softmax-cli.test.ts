import { describe, expect, it } from 'vitest';
import { parseJson, runCli } from './helpers/cli.js';
import { smoothedCategoricalGradients, softmaxVariant } from '../src/core/softmax-family.js';

describe('loss: the family in softmax form', () => {
  it("the issue's command now runs: Poly-1 and FLSD-53 on softmax, per sample and reduced", async () => {
    const r = await runCli(['loss', '--logits', '2,1,0.1;0,0,3', '--target', '0,2', '--loss', 'poly1,flsd', '--json']);
    expect(r.code).toBe(0);
    const doc = parseJson(r.stdout);
    const a = softmaxVariant('poly1', 'logits', [2, 1, 0.1], 0, { gamma: 2, alpha: 0.25 }).loss;
    const b = softmaxVariant('poly1', 'logits', [0, 0, 3], 2, { gamma: 2, alpha: 0.25 }).loss;
    expect(doc.summary.poly1).toBeCloseTo((a + b) / 2, 15);
    expect(doc.summary.flsd_sum).toBeGreaterThan(0);
  });

  it('per-class α for α-balanced CE, with gradients per variant', async () => {
    const r = await runCli([
      'loss',
      '--logits',
      '2,1,0.1',
      '--target',
      '1',
      '--loss',
      'ce-balanced,poly1-fl',
      '--alpha',
      '0.2,0.5,0.3',
      '--grad',
      '--reduction',
      'none',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const row = parseJson(r.stdout).rows[0];
    expect(row.ce_balanced).toBeCloseTo(0.5 * row.ce, 15);
    expect(row.grad_ce_balanced).toEqual(row.grad_ce.map((g: number) => 0.5 * g));
    expect(row.grad_poly1_fl).toHaveLength(3);
  });

  it('--grad with --label-smoothing (refused before): p − y for CE, and the smoothed FL gradient', async () => {
    const r = await runCli([
      'loss',
      '--logits',
      '2,1,0.1',
      '--target',
      '0',
      '--label-smoothing',
      '0.1',
      '--grad',
      '--reduction',
      'none',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const row = parseJson(r.stdout).rows[0];
    const e = [2, 1, 0.1].map(Math.exp);
    const p = e.map((v) => v / (e[0]! + e[1]! + e[2]!));
    const y = [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3];
    row.grad_ce.forEach((g: number, j: number) => expect(g).toBeCloseTo(p[j]! - y[j]!, 14));
    expect(row.grad).toEqual(
      smoothedCategoricalGradients([2, 1, 0.1], 0, { gamma: 2, alpha: 0.25, labelSmoothing: 0.1 }).grad,
    );
    expect(Math.abs(row.grad.reduce((s: number, g: number) => s + g, 0))).toBeLessThan(1e-16);
  });

  it('label smoothing with a softmax variant is refused in one line', async () => {
    const r = await runCli([
      'loss',
      '--logits',
      '2,1,0.1',
      '--target',
      '0',
      '--loss',
      'poly1',
      '--label-smoothing',
      '0.1',
    ]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/hard targets/);
  });
});
