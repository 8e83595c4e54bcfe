import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNumberSeq } from '../src/cli/values.js';
import { parseJson, runBin, runCli } from './helpers/cli.js';

/**
 * Issue 8 §1: the numeric defects as a user met them, one named regression each, through the
 * CLI (the core's accuracy in those regions is tested against mpmath in core, variants,
 * categorical and prior tests).
 */

const dir = mkdtempSync(join(tmpdir(), 'focal-issue8-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rows of a CSV document as objects of strings. */
function csvRows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const keys = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

describe('issue 8 §1.1–2: (1 − p)^−γ beyond the double range', () => {
  it('issue 8 §1.1: compare --p 0.3 --y 1 --gamma 2000 shows CE/FL ∞, not NaN', async () => {
    const r = await runCli(['compare', '--p', '0.3', '--y', '1', '--gamma', '2000']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/NaN/);
    expect(r.stdout).toMatch(/│\s+∞ │\n/);
  });
  const file = join(dir, 'row.csv');
  writeFileSync(file, 'p,y\n0.3,1\n0.01,1\n1e-10,1\n0.1,1\n0.9,1\n');
  for (const [name, argv, column] of [
    [
      'compare --format csv, p where 1 − p rounds up or down',
      ['compare', '--p', '0.3,0.01,1e-10,0.1,0.9', '--y', '1', '--gamma', '2000,1e5', '--format', 'csv'],
      'ratio',
    ],
    ['compare --pt', ['compare', '--pt', '0.3', '--gamma', '2000', '--format', 'csv'], 'ratio'],
    [
      'imbalance --format csv',
      [
        'imbalance',
        '--neg',
        '10',
        '--neg-p',
        '0.3',
        '--pos',
        '5',
        '--pos-p',
        '0.3',
        '--gamma',
        '2000',
        '--format',
        'csv',
      ],
      'ratio',
    ],
    [
      'plot --kind ratio --gamma 1100 --format csv',
      ['plot', '--kind', 'ratio', '--gamma', '1100', '--format', 'csv'],
      null,
    ],
    [
      'a file row with --reduction none',
      ['loss', '--input', file, '--reduction', 'none', '--gamma', '2000', '--format', 'csv'],
      'ratio',
    ],
    [
      'every variant of the family',
      [
        'compare',
        '--p',
        '0.3',
        '--y',
        '0,1',
        '--gamma',
        '2000',
        '--loss',
        'fl,poly1-fl,fl-reduced,flsd,fl-star',
        '--format',
        'csv',
      ],
      null,
    ],
  ] as const) {
    it(`issue 8 §1.2: ${name}: exit 0, Infinity, no NaN`, () => {
      const r = runBin([...argv]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).not.toMatch(/NaN/);
      if (column) expect(csvRows(r.stdout).map((row) => row[column])).toContain('Infinity');
    });
  }
});

describe('issue 8 §1.8–11: extreme inputs through the CLI', () => {
  it('issue 8 §1.8: loss --logits 9e307,-9e307 --target 1: CE = Infinity, FL = 4.5e307', () => {
    const r = runBin(['loss', '--logits', '9e307,-9e307', '--target', '1', '--reduction', 'none', '--format', 'csv']);
    expect(r.code).toBe(0);
    const [row] = csvRows(r.stdout);
    expect([row!.ce, row!.fl, row!.pt]).toEqual(['Infinity', '4.5e+307', '0']);
  });
  it('issue 8 §1.9: loss --probs 1e308,1e308 --target 0: p_t = 0.5', () => {
    const r = runBin(['loss', '--probs', '1e308,1e308', '--target', '0', '--reduction', 'none', '--format', 'csv']);
    expect(r.code).toBe(0);
    const [row] = csvRows(r.stdout);
    expect([row!.pt, row!.ce, row!.ratio]).toEqual(['0.5', String(Math.LN2), '16']);
  });
  it('issue 8 §1.10: compare --logit=-1e308 --y 1 --loss fl-star: 2.5e307', () => {
    const r = runBin(['compare', '--logit=-1e308', '--y', '1', '--loss', 'fl-star', '--format', 'csv']);
    expect(csvRows(r.stdout)[0]!.fl_star).toBe('2.5e+307');
  });
  it('issue 8 §1.11: compare --logit 40 … --loss poly1,poly1-fl --epsilon -1: positive, ≈ 9.02e-36 and 1.63e-70', () => {
    const r = runBin([
      'compare',
      '--logit',
      '40',
      '--y',
      '1',
      '--alpha',
      'none',
      '--loss',
      'poly1,poly1-fl',
      '--epsilon',
      '-1',
      '--format',
      'csv',
    ]);
    const row = csvRows(r.stdout)[0]!;
    // (σ(−40)²/2 + σ(−40)³/3 …; the exact values are in test/fixtures/variants.json)
    expect(Number(row.poly1)).toBeCloseTo(9.024256939227e-36, 47);
    expect(Number(row.poly1_fl)).toBeCloseTo(1.6287442661e-70, 79);
  });
});

describe('issue 8 §1.13: counts above 2^53 are refused', () => {
  for (const argv of [
    ['imbalance', '--neg', '9007199254740993', '--neg-pt', '.5', '--pos', '1', '--pos-pt', '.5'],
    ['imbalance', '--neg', '1', '--neg-pt', '.5', '--pos', '9007199254740993', '--pos-pt', '.5'],
    ['imbalance', '--neg', '1e16', '--neg-pt', '.5', '--pos', '1', '--pos-pt', '.5'],
    ['prior', '--anchors', '9007199254740993'],
  ]) {
    it(`issue 8 §1.13: ${argv.join(' ')}: exit 2, one line`, async () => {
      const r = await runCli(argv);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/above 2\^53/);
    });
  }
  it('issue 8 §1.13: 2^53 itself is exact and accepted', () => {
    const r = runBin([
      'imbalance',
      '--neg',
      '9007199254740992',
      '--neg-pt',
      '.5',
      '--pos',
      '1',
      '--pos-pt',
      '.5',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout).rows[0].count).toBe(2 ** 53);
  });
  it('issue 8 §1.13: a whole number is judged as written: 2.0000000000000001 is not one', async () => {
    for (const argv of [
      ['prior', '--anchors', '2.0000000000000001'],
      ['plot', '--samples', '2.0000000000000001'],
    ]) {
      const r = await runCli(argv);
      expect([r.code, r.stdout], argv.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(/not a whole number/);
    }
  });
});

describe('issue 8 §1.14: a range yields the doubles nearest the exact decimals start + k·step', () => {
  /** start + k·step for k = 0 … n, as exact decimal text (digits and a power of ten), read by Number(). */
  const expected = (startUnits: number, stepUnits: number, n: number, exponent: number) =>
    Array.from({ length: n + 1 }, (_, k) => Number(`${startUnits + k * stepUnits}e${exponent}`));
  for (const [range, want] of [
    ['0:1e-5:1e-6', expected(0, 1, 10, -6)],
    ['0:1:0.1', expected(0, 1, 10, -1)],
    ['-1e-6:1e-6:2.5e-7', expected(-100, 25, 8, -8)],
    ['-3:-1:0.7', expected(-30, 7, 2, -1)],
    ['0.1:0.3:0.1', expected(1, 1, 2, -1)],
    ['1e300:1e301:1e300', expected(1, 1, 9, 300)],
    ['1.5e-310:3e-310:5e-311', expected(15, 5, 3, -311)],
    ['0.000001:0.000003:1e-6', expected(1, 1, 2, -6)],
    ['7:7:0.5', [7]],
  ] as const) {
    it(`issue 8 §1.14: ${range}`, () => expect(parseNumberSeq(range, 'test').toArray()).toEqual(want));
  }
  it('issue 8 §1.14: compare --p 0:1e-5:1e-6 writes 1e-5 as its last row, and 5e-6 exactly', () => {
    const ps = csvRows(runBin(['compare', '--p', '0:1e-5:1e-6', '--y', '1', '--format', 'csv']).stdout).map((r) =>
      Number(r.p),
    );
    expect(ps).toEqual(expected(0, 1, 10, -6));
  });
});

describe("the fuzzers' NaNs, as a user meets them (test/properties.test.ts has the properties)", () => {
  it("compare --logit 1.7976931214684583e308 --gamma 5e-324: (1 − p_t)^γ = 1 − 8.9e-16, not NaN (twoProduct's split overflowed)", () => {
    const r = runBin([
      'compare',
      '--logit',
      '1.7976931214684583e308',
      '--y',
      '1',
      '--gamma',
      '5e-324',
      '--alpha',
      'none',
      '--format',
      'csv',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(csvRows(r.stdout)[0]!.modulating).toBe(String(Math.exp(-5e-324 * 1.7976931214684583e308)));
  });
  it('compare --loss asl,fl-reduced at that logit, γ₊ = 5e-324, γ = 9992: 0 and 0, not NaN', () => {
    const r = runBin([
      'compare',
      '--logit',
      '1.7976931214684583e308',
      '--y',
      '1',
      '--loss',
      'asl,fl-reduced',
      '--gamma',
      '9992',
      '--gamma-pos',
      '5e-324',
      '--threshold',
      '2.793613008519262e-56',
      '--format',
      'csv',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).not.toMatch(/NaN/);
  });
  it('loss --logits 0,0,0.5140485308273681,0 --target 2 --gamma 9988: FL 0 and CE/FL Infinity, not NaN (e^(γM)·e^(γc) = 0·∞)', () => {
    const r = runBin([
      'loss',
      '--logits',
      '0,0,0.5140485308273681,0',
      '--target',
      '2',
      '--gamma',
      '9988',
      '--reduction',
      'none',
      '--format',
      'csv',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [row] = csvRows(r.stdout);
    expect([row!.fl, row!.ratio]).toEqual(['0', 'Infinity']);
  });
});
