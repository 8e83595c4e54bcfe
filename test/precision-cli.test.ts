import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, runCli } from './helpers/cli.js';
import { emulate } from '../src/precision/frameworks.js';
import { nextDown, nextUp, toBfloat16, type DType } from '../src/precision/dtype.js';
import { measureSample } from '../src/precision/measure.js';

describe('compare --as --dtype', () => {
  it('shows torchvision float16 at logit 9.39, γ = 0.5: CE and FL 0, gradient NaN, flagged', async () => {
    const r = await runCli([
      'compare',
      '--logit',
      '9.39',
      '--y',
      '1',
      '--gamma',
      '0.5',
      '--as',
      'torchvision',
      '--dtype',
      'float16',
      '--grad',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const row = parseJson(r.stdout).rows[0];
    expect(row.input).toBe(9.390625);
    expect(row.torchvision_fl).toBe(0);
    expect(row.torchvision_grad).toBe('NaN');
    expect(row.torchvision_flag).toContain('grad NaN');
    expect(row.exact_fl).toBeGreaterThan(0);
  });

  it('puts several frameworks side by side, each with its ulps and flag', async () => {
    const r = await runCli([
      'compare',
      '--p',
      '0.97',
      '--y',
      '1',
      '--as',
      'tfa,keras,naive',
      '--dtype',
      'float32',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const row = parseJson(r.stdout).rows[0];
    expect(row.tfa_fl).toBe(Math.fround(6.8532745e-6));
    for (const fw of ['tfa', 'keras', 'naive']) {
      expect(typeof row[`${fw}_fl_ulps`]).toBe('number');
      expect(row[`${fw}_flag`]).toBe('');
    }
  });

  it('--dtype alone is the exact value rounded once, within half an ulp', async () => {
    const r = await runCli(['compare', '--logit', '0.3,-40', '--y', '1', '--dtype', 'bfloat16', '--json']);
    expect(r.code).toBe(0);
    for (const row of parseJson(r.stdout).rows) {
      expect(row.exact_bfloat16_fl).toBe(toBfloat16(row.exact_fl));
      expect(row.exact_bfloat16_fl_ulps).toBeLessThanOrEqual(0.5);
      expect(row.exact_bfloat16_flag).toBe('');
    }
  });

  it.each([
    [['compare', '--p', '0.9', '--as', 'torchvision'], /torchvision's focal loss takes logits only/],
    [['compare', '--logit', '1', '--as', 'mmcv', '--dtype', 'bfloat16'], /float16 only/],
    [['compare', '--logit', '1', '--as', 'pytorch'], /"pytorch" is not a framework/],
    [['compare', '--logit', '1', '--as', 'keras', '--log-base', '2'], /natural-log/],
    [['compare', '--pt', '0.9', '--y', '1', '--as', 'keras'], /--logit or --p/],
  ])('refuses %j in one line, exit 2', async (argv, message) => {
    const r = await runCli(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('stability', () => {
  const scan = async (fw: string, dtype: DType, gamma: number, y: number, range = '-30:30') => {
    const r = await runCli([
      'stability',
      '--as',
      fw,
      '--dtype',
      dtype,
      '--gamma',
      String(gamma),
      '--y',
      String(y),
      `--logit=${range}`,
      '--json',
    ]);
    expect(r.code).toBe(0);
    return parseJson(r.stdout).rows as { quantity: string; problem: string; from: number; to: number; share: number }[];
  };

  it.each([
    ['torchvision', 'float16', 0.5],
    ['torchvision', 'bfloat16', 0.5],
    ['torchvision', 'float32', 0.5],
    ['keras', 'float32', 0.5],
  ] as const)(
    '%s %s γ = %s: the gradient NaN region starts exactly where the emulation first gives NaN',
    async (fw, dtype, gamma) => {
      const rows = await scan(fw, dtype, gamma, 1);
      const nan = rows.find((r) => r.quantity === 'grad' && r.problem === 'NaN');
      expect(nan).toBeDefined();
      const grad = (x: number) => emulate(fw, dtype, { kind: 'logit', value: x, y: 1, gamma, alpha: 0.25 }).grad;
      expect(grad(nan!.from)).toBeNaN();
      expect(grad(nextDown(dtype, nan!.from))).not.toBeNaN();
      expect(nan!.to).toBe(30);
      expect(nan!.share).toBe(1);
    },
  );

  it('every reported boundary is between two adjacent values of the dtype with different verdicts (float32, probed and bisected)', async () => {
    const rows = await scan('naive', 'float32', 2, 0, '-100:100');
    const problems = rows.filter((r) => r.problem !== 'none');
    expect(problems.length).toBeGreaterThan(0);
    const verdict = (x: number, quantity: string) => {
      const m = measureSample('naive', 'float32', { kind: 'logit', value: x, y: 0, gamma: 2, alpha: 0.25 });
      return (quantity === 'loss' ? m.fl : m.grad).problem;
    };
    for (const r of problems) {
      const name = r.problem === '0' ? 'zero' : r.problem === 'off' ? 'off' : r.problem;
      expect(verdict(r.from, r.quantity)).toBe(name);
      expect(verdict(r.to, r.quantity)).toBe(name);
      if (r.from > -100) expect(verdict(nextDown('float32', r.from), r.quantity)).not.toBe(name);
      if (r.to < 100) expect(verdict(nextUp('float32', r.to), r.quantity)).not.toBe(name);
    }
  });

  it('mmcv float16 (mmcv#1488): NaN loss for saturated positives, +Inf below logit −17.3', async () => {
    const rows = await scan('mmcv', 'float16', 2, 1);
    expect(rows.some((r) => r.quantity === 'loss' && r.problem === 'NaN' && r.to === 30)).toBe(true);
    expect(rows.some((r) => r.quantity === 'loss' && r.problem === '+Inf' && r.from === -30)).toBe(true);
  });

  it('draws a heatmap to SVG with the classes it found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'focal-heatmap-'));
    const out = join(dir, 'map.svg');
    const r = await runCli([
      'stability',
      '--as',
      'torchvision',
      '--dtype',
      'bfloat16',
      '--y',
      '1',
      '--heatmap',
      'grad',
      '--logit=-20:20',
      '--gamma',
      '0,0.5,2',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('data-class="NaN"');
    expect(svg).toContain('γ = 0.5');
  });

  it('refuses a heatmap of two dtypes, in one line', async () => {
    const r = await runCli([
      'stability',
      '--as',
      'torchvision',
      '--dtype',
      'float16,bfloat16',
      '--y',
      '1',
      '--heatmap',
      'loss',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/one framework, one dtype/);
  });
});

describe('loss --as --dtype', () => {
  it('reduces each framework in its dtype beside the exact reduction', async () => {
    const r = await runCli([
      'loss',
      '--logit',
      '2.5,-1,0.3,12',
      '--y',
      '1,0,0,1',
      '--as',
      'torchvision,keras',
      '--dtype',
      'bfloat16',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const doc = parseJson(r.stdout);
    expect(doc.summary.exact_fl).toBeCloseTo(
      doc.rows.reduce((s: number, row: { exact_fl: number }) => s + row.exact_fl, 0) / 4,
      15,
    );
    expect(doc.summary.torchvision_fl).toBe(toBfloat16(doc.summary.torchvision_fl));
    expect(doc.rows[3].torchvision_flag).toBe('CE 0, FL 0');
  });

  it("Keras' CategoricalFocalCrossentropy docstring through the CLI: [3.2058331e-05, 0.46627346], mean 0.23315276", async () => {
    const r = await runCli([
      'loss',
      '--probs',
      '0.05,0.95,0;0.1,0.8,0.1',
      '--target',
      '1,2',
      '--as',
      'keras',
      '--dtype',
      'float32',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const doc = parseJson(r.stdout);
    expect(doc.rows.map((row: { keras_fl: number }) => row.keras_fl)).toEqual(
      [3.2058331e-5, 0.46627346].map(Math.fround),
    );
    expect(doc.summary.keras_fl).toBe(Math.fround(0.23315276));
  });

  it('refuses --as with --input, in one line', async () => {
    const r = await runCli(['loss', '--input', 'x.csv', '--as', 'keras']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/from the command line/);
  });
});
