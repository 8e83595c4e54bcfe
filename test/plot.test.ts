import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, runBin, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'focal-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GAMMAS = [0, 0.5, 1, 2, 5];
/** Figure 1's curves, written out independently: FL = (1 − p_t)^γ · (−ln p_t). */
const fl = (pt: number, gamma: number) => (1 - pt) ** gamma * -Math.log(pt);

describe('focal plot in the terminal', () => {
  it('draws the five-γ figure with axes, ticks, one glyph per curve and a legend, within the width', () => {
    const r = runBin(['plot', '--width', '72', '--height', '22']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Focal loss against p_t (α = none)');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(72);
    expect(lines).toHaveLength(22);
    expect(r.stdout).toMatch(/^5 ┤/m);
    expect(r.stdout).toMatch(/^0 ┤/m);
    expect(r.stdout).toMatch(/└┬─+┬/);
    GAMMAS.forEach((g, i) => expect(lines[lines.length - 5 + i]).toMatch(new RegExp(`^\\s+(\\S)\\1\\1 γ = ${g}$`)));
    const glyphs = lines.slice(-5).map((l) => l.trim()[0]);
    expect(new Set(glyphs).size).toBe(5);
    for (const g of glyphs) expect(r.stdout.split(g!).length - 1).toBeGreaterThan(20); // each curve is drawn
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });
  it('colours the curves on a terminal, not with NO_COLOR', async () => {
    expect((await runCli(['plot'], { isTTY: true })).stdout).toMatch(/\x1b\[3\dm/);
    expect((await runCli(['plot'], { isTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(/\x1b\[/);
  });
});

describe('focal plot --out FILE.svg', () => {
  const path = join(dir, 'fig1.svg');
  const r = runBin(['plot', '--out', path]);
  it('writes a standalone SVG and says so on stderr, nothing on stdout', () => {
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toBe(`focal: wrote ${path} (SVG, 800×500)\n`);
    const svg = readFileSync(path, 'utf8');
    expect(svg).not.toMatch(/href=|@import|url\((?!#)/); // no external resources
  });
  it('parses, and holds one series per γ with the right values at sample points', () => {
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(path, 'utf8'));
    const svg = doc.svg;
    expect([svg.width, svg.height]).toEqual(['800', '500']);
    const clip = svg.defs.clipPath.rect;
    const [x0, y0, w, h] = [clip.x, clip.y, clip.width, clip.height].map(Number) as [number, number, number, number];
    const groups = [svg.g]
      .flat()
      .flatMap((g: any) => [g.g ?? []].flat())
      .filter((g: any) => g.class === 'series');
    expect(groups.map((g: any) => g['data-label'])).toEqual(GAMMAS.map((g) => `γ = ${g}`));
    groups.forEach((g: any, i: number) => {
      const points = [g.polyline]
        .flat()
        .flatMap((pl: any) => pl.points.split(' ').map((p: string) => p.split(',').map(Number)));
      expect(points.length).toBeGreaterThan(100);
      let checked = 0;
      for (const [px, py] of points) {
        const pt = (px - x0) / w; // x domain [0, 1]
        const value = ((y0 + h - py) / h) * 5; // y domain [0, 5]
        if (pt < 0.05 || pt > 1 || value > 5) continue; // clipped at the top, as in the paper
        // pixel coordinates are rounded to 0.01 px: 0.01/w in p_t, 0.05/h in value
        const slope = Math.abs(fl(pt - 1e-6, GAMMAS[i]!) - fl(pt, GAMMAS[i]!)) / 1e-6;
        expect(Math.abs(value - fl(pt, GAMMAS[i]!))).toBeLessThan(0.05 / h + (slope * 0.01) / w + 1e-9);
        checked++;
      }
      expect(checked).toBeGreaterThan(50);
    });
    expect(svg.title).toBe('Focal loss against p_t (α = none)');
    const legend = [svg.g].flat().find((g: any) => g.class === 'legend');
    expect([legend.text].flat().map((t: any) => t['#text'])).toEqual(GAMMAS.map((g) => `γ = ${g}`));
  });
  it('refuses to overwrite without --force, and replaces with it', () => {
    const again = runBin(['plot', '--out', path]);
    expect([again.code, again.stdout]).toEqual([2, '']);
    expect(again.stderr).toMatch(/--out.*exists; add --force/);
    expect(runBin(['plot', '--out', path, '--force', '--kind', 'weight']).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/FL \/ CE/);
  });
});

describe('focal plot --out FILE.png', () => {
  it('decodes to an image of the requested size with drawn pixels', () => {
    const path = join(dir, 'fig1.png');
    const r = runBin(['plot', '--out', path, '--width', '640', '--height', '400']);
    expect(r.code).toBe(0);
    const png = PNG.sync.read(readFileSync(path));
    expect([png.width, png.height]).toEqual([640, 400]);
    let coloured = 0;
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [red, green, blue] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (Math.max(red, green, blue) - Math.min(red, green, blue) > 60) coloured++; // the curves
      if (red + green + blue < 200) dark++; // axes and text
    }
    expect(coloured).toBeGreaterThan(1000);
    expect(dark).toBeGreaterThan(500);
  });
});

describe('focal plot as data, and its bad input', () => {
  it('--format csv: the sampled curves, equal to the formula', () => {
    const csv = runBin(['plot', '--format', 'csv', '--samples', '11', '--x', '0.5:1']).stdout.trim().split('\n');
    expect(csv[0]).toBe('gamma,pt,value');
    expect(csv).toHaveLength(1 + 5 * 11);
    for (const line of csv.slice(1)) {
      const [g, pt, v] = line.split(',').map(Number) as [number, number, number];
      expect(v).toBeCloseTo(fl(pt, g), 14);
    }
  });
  it('--json carries the parameters', () => {
    const doc = parseJson(
      runBin(['plot', '--json', '--samples', '3', '--gamma', '2', '--kind', 'ratio', '--alpha', '0.25']).stdout,
    );
    expect(doc.params).toMatchObject({ kind: 'ratio', gammas: [2], alpha: 0.25 });
    expect(doc.rows.map((r: any) => r.value)).toEqual([expect.any(Number), expect.any(Number), Infinity]);
  });
  for (const [name, argv, message] of [
    ['a bad extension', ['plot', '--out', join(dir, 'x.jpg')], /must end in \.svg or \.png/],
    ['--out with a data format', ['plot', '--out', join(dir, 'y.svg'), '--format', 'csv'], /--out' writes a picture/],
    ['a bad kind', ['plot', '--kind', 'area'], /--kind.*"area" is not a curve kind/],
    ['a backwards x range', ['plot', '--x', '0.9:0.1'], /--x.*0 ≤ FROM < TO ≤ 1/],
    ['a tiny width', ['plot', '--width', '5'], /--width.*whole number from 20/],
    ['two α', ['plot', '--alpha', '0.25,0.5'], /--alpha' takes one value/],
  ] as const) {
    it(name, async () => {
      const r = await runCli([...argv]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, 'y.svg'))).toBe(false);
    });
  }
});
