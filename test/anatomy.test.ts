import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, runBin, runCli } from './helpers/cli.js';

// A small file: margins z = logit(p_t) spread evenly over [−8, 8] (a few samples per
// histogram bin), every 10th sample positive.
const N = 2000;
const samples = Array.from({ length: N }, (_, i) => {
  const y = i % 10 === 0 ? 1 : 0;
  const z = -8 + (16 * ((i * 7919) % N)) / N;
  const pt = 1 / (1 + Math.exp(-z));
  return { y, p: y === 1 ? pt : 1 - pt };
});
const dir = mkdtempSync(join(tmpdir(), 'focal-anatomy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'preds.csv');
writeFileSync(file, `p,y\n${samples.map((s) => `${s.p},${s.y}`).join('\n')}\n`);

// The independent computation: plain formulas, sums, and sorting.
const rows = samples.map(({ p, y }) => {
  const pt = y === 1 ? p : 1 - p;
  const ce = -Math.log(pt);
  return { y, pt, ce, fl: (y === 1 ? 0.25 : 0.75) * (1 - pt) ** 2 * ce };
});
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const CE = sum(rows.map((r) => r.ce));
const FL = sum(rows.map((r) => r.fl));

const doc = parseJson(runBin(['anatomy', '--input', file, '--json']).stdout);

describe('focal anatomy against an independent computation', () => {
  it('per class: count, totals, shares and class weights', () => {
    for (const [y, name] of [
      [0, 'negative'],
      [1, 'positive'],
    ] as const) {
      const mine = rows.filter((r) => r.y === y);
      const row = doc.rows.find((r: any) => r.class === name);
      expect(row.count).toBe(mine.length);
      expect(row.ce_total).toBeCloseTo(sum(mine.map((r) => r.ce)), 9);
      expect(row.fl_share).toBeCloseTo(sum(mine.map((r) => r.fl)) / FL, 12);
    }
    const [nNeg, nPos] = [1800, 200];
    expect(doc.summary.alpha_inverse_frequency).toBeCloseTo(nNeg / (nNeg + nPos), 15);
    const w = (n: number) => (1 - 0.9999) / (1 - 0.9999 ** n);
    expect(doc.summary.alpha_effective_number).toBeCloseTo(w(nPos) / (w(nPos) + w(nNeg)), 12);
  });

  it('by p_t bucket and easy/hard: shares of the grand totals', () => {
    for (const b of doc.sections.buckets) {
      const y = b.class === 'positive' ? 1 : 0;
      const inside = rows.filter(
        (r) => r.y === y && r.pt >= b.pt_from && (r.pt < b.pt_to || (b.pt_to === 1 && r.pt <= 1)),
      );
      expect(b.count).toBe(inside.length);
      expect(b.ce_share).toBeCloseTo(sum(inside.map((r) => r.ce)) / CE, 12);
    }
    expect(sum(doc.sections.buckets.map((b: any) => b.fl_share))).toBeCloseTo(1, 12);
    const easyNeg = doc.sections.easy_hard.find((e: any) => e.class === 'negative' && e.split === 'easy');
    expect(easyNeg.fl_share).toBeCloseTo(sum(rows.filter((r) => r.y === 0 && r.pt > 0.5).map((r) => r.fl)) / FL, 12);
  });

  it("the hardest k%'s share of each class's loss: within one histogram bin of the sorted truth", () => {
    for (const [y, name] of [
      [0, 'negative'],
      [1, 'positive'],
    ] as const) {
      const mine = rows.filter((r) => r.y === y).sort((a, b) => a.pt - b.pt); // hardest first
      const classFl = sum(mine.map((r) => r.fl));
      // the largest share of the class's FL that one histogram bin (1/32 in logit p_t) holds
      const bins = new Map<number, number>();
      for (const r of mine) {
        const bin = Math.floor((Math.log(r.pt / (1 - r.pt)) + 64) * 32);
        bins.set(bin, (bins.get(bin) ?? 0) + r.fl / classFl);
      }
      const tolerance = Math.max(...bins.values());
      for (const c of doc.sections.cdf.filter((c: any) => c.class === name)) {
        const k = Math.round(c.hardest * mine.length);
        const truth = sum(mine.slice(0, k).map((r) => r.fl)) / classFl;
        expect(Math.abs(c.fl_share - truth), `${name} hardest ${c.hardest}`).toBeLessThanOrEqual(tolerance);
      }
    }
  });
});

describe('anatomy on two threads', () => {
  it('issue 8 §1.15: --threads 2 and 3 give the bits of --threads 1, cumulative shares included (exact bin sums)', () => {
    const big = join(dir, 'big.csv');
    writeFileSync(
      big,
      `p,y\n${Array.from({ length: 30000 }, (_, i) => `${((i * 7919) % 9973) / 9973},${i % 10 === 0 ? 1 : 0}`).join('\n')}\n`,
    );
    // (600 KB: threadsFor allows one thread per 64 KiB, so 2 and 3 threads do split the file)
    const run = (threads: number) =>
      parseJson(runBin(['anatomy', '--input', big, '--threads', String(threads), '--json']).stdout);
    const one = run(1);
    for (const threads of [2, 3]) expect(run(threads)).toEqual(one);
  });
});

describe('anatomy outputs', () => {
  it('CSV writes the table chosen with --rows', () => {
    const csv = runBin(['anatomy', '--input', file, '--rows', 'cdf', '--format', 'csv']).stdout.split('\n');
    expect(csv[0]).toBe('class,hardest,ce_share,fl_share');
    expect(csv[1]).toMatch(/^negative,0\.01,/);
  });
  it('focal imbalance --input is the same report', () => {
    const viaImbalance = parseJson(runBin(['imbalance', '--input', file, '--json']).stdout);
    expect(viaImbalance.rows).toEqual(doc.rows);
    expect(viaImbalance.sections).toEqual(doc.sections);
  });
  it('--chart draws the cumulative curves in the terminal; --out writes them', () => {
    const chart = runBin(['anatomy', '--input', file, '--chart', '--width', '70']).stdout;
    for (const label of ['negative CE', 'negative FL (γ = 2)', 'positive CE', 'positive FL (γ = 2)'])
      expect(chart).toContain(label);
    const svg = join(dir, 'cdf.svg');
    expect(runBin(['anatomy', '--input', file, '--out', svg]).code).toBe(0);
    expect(readFileSync(svg, 'utf8').match(/class="series"/g)).toHaveLength(4);
  });
  for (const [name, argv, message] of [
    ['no input', ['anatomy'], /anatomy needs predictions/],
    ['a bad bucket count', ['anatomy', '--input', file, '--buckets', '1'], /--buckets.*whole number from 2 to 100/],
    ['a β of 1', ['anatomy', '--input', file, '--beta', '1'], /--beta.*outside \[0, 1\)/],
    [
      '--input with made-up groups',
      ['imbalance', '--input', file, '--neg', '5'],
      /--input' reads real predictions; --neg/,
    ],
  ] as const) {
    it(`bad input: ${name}`, async () => {
      const r = await runCli([...argv]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('LossAnatomy at the edges', () => {
  it('a sample with p_t = 0 (infinite loss) carries all of its class: shares 1 from the hardest on, never NaN', async () => {
    const { LossAnatomy } = await import('../src/core/index.js');
    const a = new LossAnatomy(10);
    a.add(1, 0, Infinity, Infinity);
    for (let i = 1; i < 100; i++) a.add(1, i / 100, -Math.log(i / 100), 0.25 * (1 - i / 100) ** 2 * -Math.log(i / 100));
    expect(a.hardestShare(1, 0.01)).toEqual({ ce: 1, fl: 1 });
    expect(a.hardestShare(1, 0.005)!.ce).toBeGreaterThan(0); // interpolated within the first bin
    const [positive] = a.byClass();
    expect([positive!.ceTotal, positive!.ceShare]).toEqual([Infinity, null]);
    for (const b of a.byBucket()) expect(Number.isNaN(b.ceShare)).toBe(false);
  });
});
