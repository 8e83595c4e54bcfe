import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  domainOf,
  doublesBetween,
  MAX_SERIES,
  MIN_AXIS_DOUBLES,
  ticks,
  type Scale,
} from '../src/output/chart/index.js';
import { parseJson, runCli } from './helpers/cli.js';
import { mulberry32 as random } from './helpers/seeded.js';

/**
 * Issue 8 §1 items 4–7: degenerate and extreme ranges, and many curves. Each used to hang, eat
 * memory or crash (the commands are in the test names); now each gives a chart in every
 * output, or exit 2 with one line naming the option and the limit.
 */

const dir = mkdtempSync(join(tmpdir(), 'focal-plot-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The double `n` steps above x ≥ 0 (an independent walk through the bit patterns). */
function doublesAbove(x: number, n: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(n));
  return view.getFloat64(0);
}

let files = 0;

/** Every output of one plot: the terminal chart, SVG, PNG and a data format. */
async function everyOutput(argv: string[], name: string) {
  name = `${name}-${++files}`;
  const terminal = await runCli(['plot', ...argv, '--width', '80']);
  const svgPath = join(dir, `${name}.svg`);
  const svg = await runCli(['plot', ...argv, '--out', svgPath]);
  const pngPath = join(dir, `${name}.png`);
  const png = await runCli(['plot', ...argv, '--out', pngPath, '--width', '400', '--height', '250']);
  const csv = await runCli(['plot', ...argv, '--format', 'csv', '--samples', '5']);
  return { terminal, svg, svgPath, png, pngPath, csv };
}

function expectUsageError(r: { code: number; stdout: string; stderr: string }, message: RegExp) {
  expect([r.code, r.stdout]).toEqual([2, '']);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

/** The y tick labels of a terminal chart, top to bottom. */
const yLabels = (chart: string) => [...chart.matchAll(/^\s*(\S+) ┤/gm)].map((m) => m[1]!);

describe('item 4: an x range a few doubles wide (focal plot --x 0.3:0.30000000000000004 hung and ate memory)', () => {
  for (const range of [
    '0.3:0.30000000000000004',
    '0.9999999999999999:1',
    `0.5:${doublesAbove(0.5, MIN_AXIS_DOUBLES - 1)}`,
    `0:${5e-324 * 100}`,
  ]) {
    it(`--x ${range} is refused in every output, naming --x and the limit`, async () => {
      const o = await everyOutput(['--x', range], 'narrow');
      for (const r of [o.terminal, o.svg, o.png, o.csv])
        expectUsageError(r, new RegExp(`--x.*${range.replace(/[.]/g, '\\.')}.*at least ${MIN_AXIS_DOUBLES}`));
    });
  }
  it(`a range of exactly ${MIN_AXIS_DOUBLES} doubles gives a chart in every output, with distinct exact tick labels`, async () => {
    const to = doublesAbove(0.3, MIN_AXIS_DOUBLES);
    const o = await everyOutput(['--x', `0.3:${to}`, '--kind', 'weight'], 'just-wide-enough');
    for (const r of [o.terminal, o.svg, o.png, o.csv]) expect(r.code, r.stderr).toBe(0);
    const svg = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false }).parse(
      readFileSync(o.svgPath, 'utf8'),
    ).svg;
    const xLabels = [svg.g]
      .flat()
      .find((g: any) => g.class === 'x-ticks')
      .text.map((t: any) => String(t['#text']));
    expect(xLabels.length).toBeGreaterThanOrEqual(3);
    expect(new Set(xLabels).size).toBe(xLabels.length);
    for (const label of xLabels) expect(Number(label)).toBeGreaterThanOrEqual(0.3);
    const rows = o.csv.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    expect(rows.filter((r) => r[0] === 0).map((r) => r[1])).toEqual([
      0.3,
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      to,
    ]);
  });
});

describe('item 5: a tiny --y-max on the terminal chart (focal plot --y-max 1e-8 hung)', () => {
  for (const yMax of ['1e-8', '1e-30', '1e-99', '3e-308']) {
    it(`--y-max ${yMax}: a chart of the asked height, topped by ${yMax}`, async () => {
      const r = await runCli(['plot', '--y-max', yMax, '--width', '80', '--height', '24']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trimEnd().split('\n')).toHaveLength(24);
      const labels = yLabels(r.stdout);
      expect(Number(labels[0])).toBe(Number(yMax));
      expect(labels[labels.length - 1]).toBe('0');
      // the γ = 5 curve reaches 0 inside the axis: drawn, not lost to the clipping
      expect(r.stdout.split('\n').slice(2, -8).join('')).toContain('#');
    });
  }
  it('a --y-max below the smallest normal double is refused with the limit', async () => {
    expectUsageError(await runCli(['plot', '--y-max', '1e-310']), /--y-max.*1e-310.*2\.2250738585072014e-308/);
  });
});

describe('item 6: axes whose labels toFixed could not write (focal plot --y-max 1e-100, --x 0:1e-99 gave exit 1)', () => {
  for (const [argv, axis, first, last] of [
    [['--y-max', '1e-100'], 'y', '0', '1e-100'],
    [['--y-max', '1e300'], 'y', '0', '1e300'],
    [['--x', '0:1e-99'], 'x', '0', '1e-99'],
    [['--x', '0:1e-300', '--kind', 'ratio'], 'x', '0', '1e-300'],
  ] as const) {
    it(`plot ${argv.join(' ')}: every output, ${axis} ticks from ${first} to ${last}`, async () => {
      const o = await everyOutput([...argv], `extreme-${axis}`);
      for (const r of [o.terminal, o.svg, o.png, o.csv])
        expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/error/)]);
      const svg = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false }).parse(
        readFileSync(o.svgPath, 'utf8'),
      ).svg;
      const labels = [svg.g]
        .flat()
        .find((g: any) => g.class === `${axis}-ticks`)
        .text.map((t: any) => String(t['#text']));
      expect([labels[0], labels[labels.length - 1]]).toEqual([first, last]);
      const png = PNG.sync.read(readFileSync(o.pngPath));
      expect([png.width, png.height]).toEqual([400, 250]);
      expect(o.terminal.stdout).toContain(last);
    });
  }
  it('a log axis shorter than two decades gets linear ticks (focal plot --kind ratio --y-max 0.5 gave "Invalid array length")', async () => {
    const r = await runCli(['plot', '--kind', 'ratio', '--y-max', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    expect(yLabels(r.stdout)).toEqual(['0.50', '0.45', '0.40', '0.35', '0.30', '0.25']);
  });
  it('a log axis down to the subnormals keeps its decades (focal plot --kind weight --y-scale log --gamma 200)', async () => {
    const r = await runCli(['plot', '--kind', 'weight', '--y-scale', 'log', '--gamma', '200', '--height', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(yLabels(r.stdout)).toEqual(['1', '1e-100', '1e-200', '1e-300']);
  });
  it('a log axis with nothing positive to draw gets a chart, not an endless loop (focal plot --kind weight --y-scale log --gamma 2000 --x 0.9:1 hung)', async () => {
    const o = await everyOutput(
      ['--kind', 'weight', '--y-scale', 'log', '--gamma', '2000', '--x', '0.9:1'],
      'underflow',
    );
    for (const r of [o.terminal, o.svg, o.png, o.csv]) expect(r.code, r.stderr).toBe(0);
    expect(yLabels(o.terminal.stdout)).toEqual(['10', '1']);
  });
  it('a nearly constant curve gets a y axis of its own width (focal plot --kind weight --gamma 1e-10 --x 0.5:0.5000001 hung)', async () => {
    const r = await runCli(['plot', '--kind', 'weight', '--gamma', '1e-10', '--x', '0.5:0.5000001']);
    expect(r.code, r.stderr).toBe(0);
    const labels = yLabels(r.stdout).map(Number);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(new Set(labels).size).toBe(labels.length);
    const value = (1 - 0.5) ** 1e-10;
    expect(Math.min(...labels)).toBeLessThan(value);
    expect(Math.max(...labels)).toBeGreaterThan(value);
  });
});

describe(`item 7: many curves (focal plot --gamma 0:5:0.007 overflowed the stack)`, () => {
  it(`--gamma 0:5:0.007 (715 curves) as a chart: exit 2 naming --gamma and the limit of ${MAX_SERIES}, in every picture output`, async () => {
    const o = await everyOutput(['--gamma', '0:5:0.007'], 'many');
    for (const r of [o.terminal, o.svg, o.png])
      expectUsageError(r, new RegExp(`--gamma' gives 715 curves; a chart draws at most ${MAX_SERIES}`));
  });
  it('--gamma 0:5:0.007 as data: every curve, streamed', async () => {
    const r = await runCli(['plot', '--gamma', '0:5:0.007', '--format', 'ndjson', '--samples', '3']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(715 * 3);
    expect(rows[rows.length - 1]).toEqual({ gamma: 4.998, pt: 1, value: 0 });
    const doc = parseJson((await runCli(['plot', '--gamma', '0:5:0.007', '--json', '--samples', '2'])).stdout);
    expect(doc.summary).toEqual({ curves: 715, points: 1430 });
  });
  it(`${MAX_SERIES} curves: a chart in which every curve has its own glyph, and in SVG its own colour and dash`, async () => {
    const gammas = `0:${MAX_SERIES - 1}:1`;
    const o = await everyOutput(['--gamma', gammas, '--kind', 'weight'], 'sixteen');
    for (const r of [o.terminal, o.svg, o.png, o.csv]) expect(r.code, r.stderr).toBe(0);
    const legend = o.terminal.stdout.trimEnd().split('\n').slice(-MAX_SERIES);
    expect(new Set(legend.map((l) => l.trim().slice(0, 3))).size).toBe(MAX_SERIES);
    // the plot keeps its 14 lines: the default height grows with the legend
    expect(o.terminal.stdout.trimEnd().split('\n')).toHaveLength(14 + 5 + MAX_SERIES);
    const styles = [
      ...readFileSync(o.svgPath, 'utf8').matchAll(
        /class="series" data-label="[^"]*" (stroke="[^"]*"(?: stroke-dasharray="[^"]*")?)/g,
      ),
    ].map((m) => m[1]);
    expect(styles).toHaveLength(MAX_SERIES);
    expect(new Set(styles).size).toBe(MAX_SERIES);
  });
  it('a chart of more than a million points is refused before any is computed (16 curves of 10^6 took 3.5 GB)', async () => {
    for (const out of [[], ['--out', join(dir, 'huge.svg')]]) {
      expectUsageError(
        await runCli(['plot', '--samples', '1000000', '--gamma', '0:15:1', ...out]),
        /--samples' 1000000 × 16 curves is 16,000,000 points; a chart holds at most 1,000,000 \(--samples 62500 here\)/,
      );
    }
  });
  it('domainOf reads a million values without spreading them into Math.min', () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => i / 1000);
    expect(domainOf(values, 'linear')).toEqual([0, 999.999]);
  });
});

describe('ticks and domains of any finite axis', () => {
  /** What is wrong with the ticks of a domain, or null: inside it, increasing, 2 to target + 1 of them, each label exactly its value. */
  function tickProblem(domain: [number, number], scale: Scale, target: number): string | null {
    const t = ticks(domain, scale, target);
    const ok =
      t.length >= 2 &&
      t.length <= target + 1 &&
      t.every(
        ({ value, label }, i) =>
          value >= domain[0] && value <= domain[1] && (i === 0 || value > t[i - 1]!.value) && Number(label) === value,
      ) &&
      new Set(t.map((x) => x.label)).size === t.length;
    return ok ? null : `${scale} ticks of [${domain}] (target ${target}): ${JSON.stringify(t)}`;
  }
  function expectGoodTicks(domain: [number, number], scale: Scale, target: number) {
    expect(tickProblem(domain, scale, target)).toBeNull();
  }
  it('linear domains from subnormal to the top of the double range, down to MIN_AXIS_DOUBLES wide', () => {
    const next = random(8);
    let checked = 0;
    const problems: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const magnitude = 10 ** (next() * 632 - 324);
      const lo = next() < 0.2 ? 0 : magnitude * (next() < 0.2 ? -1 : 1);
      // a span anywhere from a few thousand doubles to many times |lo|
      const narrowest = Math.max(Math.abs(lo) * 2 ** -40, 4 * MIN_AXIS_DOUBLES * Number.MIN_VALUE);
      const hi = Math.min(lo + narrowest * 10 ** (next() * 20), Number.MAX_VALUE);
      if (!(doublesBetween(lo, hi) >= MIN_AXIS_DOUBLES)) continue; // at the very top of the range
      const problem = tickProblem([lo, hi], 'linear', 4 + Math.floor(next() * 20));
      if (problem) problems.push(problem);
      checked++;
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(2900);
  });
  it('doublesBetween counts the doubles of a range', () => {
    for (const [x, n] of [
      [0, 1],
      [0.3, 1],
      [0.3, 1024],
      [1, 3],
      [5e-324, 7],
      [1e300, 12345],
    ] as const)
      expect(doublesBetween(x, doublesAbove(x, n))).toBe(n);
    expect(doublesBetween(-5e-324, 5e-324)).toBe(2);
  });
  it('log domains from data anywhere in (0, MAX_VALUE]', () => {
    const next = random(9);
    const problems: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = 10 ** (next() * 632 - 324);
      const b = Math.min(a * 10 ** (next() * 40), Number.MAX_VALUE);
      const domain = domainOf([a, b], 'log');
      if (!(domain[0] > 0 && domain[1] > domain[0] && Number.isFinite(domain[1])))
        problems.push(`${a}, ${b} → ${domain}`);
      const problem = tickProblem(domain, 'log', 4 + Math.floor(next() * 10));
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
  });
  it('a linear domain from data is never narrower than MIN_AXIS_DOUBLES, and covers the data', () => {
    expect(domainOf([0, -1, NaN, Infinity], 'log')).toEqual([1, 10]);
    for (const values of [
      [0.3, 0.30000000000000004],
      [1e300, 1e300],
      [-2, -2],
      [5e-324, 1e-323],
      [Number.MAX_VALUE],
      [-Number.MAX_VALUE, -Number.MAX_VALUE],
    ]) {
      const [lo, hi] = domainOf(values, 'linear');
      expect(doublesBetween(lo, hi), `${values} → [${lo}, ${hi}]`).toBeGreaterThanOrEqual(MIN_AXIS_DOUBLES);
      expect(
        lo <= Math.min(...values) && hi >= Math.max(...values) && Number.isFinite(lo) && Number.isFinite(hi),
        `${values} → [${lo}, ${hi}]`,
      ).toBe(true);
      expectGoodTicks([lo, hi], 'linear', 6);
    }
  });
  it('keeps the labels people know: 0, 0.2, …, 1.0 and 0, 0.25, …, 1.00', () => {
    expect(ticks([0, 1], 'linear', 6).map((t) => t.label)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(ticks([0, 1], 'linear', 4).map((t) => t.label)).toEqual(['0', '0.25', '0.50', '0.75', '1.00']);
    expect(ticks([0, 5], 'linear', 6).map((t) => t.label)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(ticks([0, 1e-8], 'linear', 5).map((t) => t.label)).toEqual(['0', '2e-9', '4e-9', '6e-9', '8e-9', '1e-8']);
  });
});
