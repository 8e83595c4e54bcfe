import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseJson, runBin } from './helpers/cli.js';
import { browserOnce, watch } from './helpers/browser.js';

/**
 * `focal anatomy --out report.html` in a real browser (Debian's Chromium via playwright-core):
 * the tables and the chart are there, the numbers are the CLI's JSON (both computed by the CLI,
 * so bit for bit), and hostile column and file names stay text.
 */

const dir = mkdtempSync(join(tmpdir(), 'focal-report-'));
const P_NAME = '<script>alert(1)</script>';
const Y_NAME = '</script><script>alert(2)</script>';
const input = join(dir, '<img src=x onerror=alert(3)>.csv');
const columns = `p=${P_NAME},y=${Y_NAME}`;
const reportPath = join(dir, 'report.html');
const browser = browserOnce();

beforeAll(async () => {
  const rows = ['0.9,1', '0.2,0', '0.7,0', '0.99,1', '0.01,0', '0.4,1', '0.05,0', '0.6,1', '0.3,0', '0.999,0'];
  writeFileSync(input, `"${P_NAME}","${Y_NAME}"\n${rows.join('\n')}\n`);
  mkdirSync(join(process.cwd(), '.cache', 'screenshots'), { recursive: true });
});

afterAll(async () => {
  await (await browser().catch(() => null))?.close();
});

/** Opens a written page from file:// at `width` px, watching what it does besides rendering. */
async function openPage(path: string, width: number): Promise<{ page: Page; seen: ReturnType<typeof watch> }> {
  const page = await (await browser()).newPage();
  await page.setViewportSize({ width, height: 900 });
  const url = pathToFileURL(path).href;
  const seen = watch(page, url);
  await page.goto(url);
  await page.locator('table').first().waitFor();
  return { page, seen };
}

type PageRow = Record<string, unknown>;
/**
 * Every table's rows as the page holds them: a cell's data-value (a number, or a vector's JSON
 * array), else its text (an empty numeric cell is null, as in the JSON).
 */
const pageTables = (page: Page): Promise<PageRow[][]> =>
  page.$$eval('table', (ts) =>
    ts.map((t) =>
      [...t.querySelectorAll('tbody tr')].map((tr) =>
        Object.fromEntries(
          [...tr.querySelectorAll('td')].map((td) => {
            const v = td.getAttribute('data-value');
            const value =
              v !== null
                ? v.startsWith('[')
                  ? JSON.parse(v)
                  : Number(v)
                : td.classList.contains('text')
                  ? td.textContent
                  : td.textContent === ''
                    ? null
                    : td.textContent;
            return [td.getAttribute('data-key'), value];
          }),
        ),
      ),
    ),
  );
const keysOf = (rows: PageRow[]) => Object.keys(rows[0] ?? {});
/** The JSON rows cut to the columns a page's table shows (the checks above name those columns). */
const pick = (rows: PageRow[], keys: string[]) => rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
const series = (page: Page) => page.$$eval('svg g.series', (gs) => gs.map((g) => g.getAttribute('data-label')));
/** Nothing the names carry became markup: the page's own script is the one element of those kinds. */
const injected = (page: Page) =>
  page.evaluate(() => document.querySelectorAll('img, iframe, object, embed, svg[onload], script:not([type])').length);
const NOTHING = { errors: [], requests: [], dialogs: [] };

describe('focal anatomy --out report.html', () => {
  it('writes one page and says so on stderr, nothing on stdout; refuses other extensions and an existing file', () => {
    const r = runBin(['anatomy', '--input', input, '--columns', columns, '--out', reportPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^focal: wrote .*report\.html \(report page, \d+ KiB\)\n$/);
    const html = readFileSync(reportPath, 'utf8');
    expect(html).not.toContain(P_NAME); // the names travel as JSON with < escaped
    expect(html).toContain('\\u003cscript>alert(1)\\u003c/script>');
    const again = runBin(['anatomy', '--input', input, '--columns', columns, '--out', reportPath]);
    expect([again.code, again.stdout]).toEqual([2, '']);
    expect(again.stderr).toMatch(/exists; add --force/);
    const bad = runBin(['anatomy', '--input', input, '--columns', columns, '--out', join(dir, 'r.htm')]);
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toMatch(/must end in \.svg, \.png or \.html/);
    expect(existsSync(join(dir, 'r.htm'))).toBe(false);
  });

  const open = (width: number) => openPage(reportPath, width);

  it('opens offline and shows its tables, with the numbers of `focal anatomy --json`', async () => {
    const { page, seen } = await open(1280);
    const captions = await page.$$eval('table caption', (cs) => cs.map((c) => c.textContent));
    expect(captions.length).toBe(4);
    expect(captions.slice(1)).toEqual([
      'by p_t bucket (shares of the total CE and FL)',
      'easy and hard samples (shares of the total CE and FL)',
      "the hardest samples' share of their class's loss (the paper's Figure 4)",
    ]);
    const json = parseJson(runBin(['anatomy', '--input', input, '--columns', columns, '--json']).stdout);
    const tables = await page.$$eval('table', (ts) =>
      ts.map((t) =>
        [...t.querySelectorAll('tbody tr')].map((tr) =>
          Object.fromEntries(
            [...tr.querySelectorAll('td')].map((td) => [
              td.getAttribute('data-key'),
              td.hasAttribute('data-value') ? Number(td.getAttribute('data-value')) : td.textContent,
            ]),
          ),
        ),
      ),
    );
    expect(tables[0]).toEqual(json.rows);
    expect(tables[1]).toEqual(json.sections.buckets);
    expect(tables[2]).toEqual(json.sections.easy_hard);
    expect(tables[3]).toEqual(json.sections.cdf);
    // the chart: one CE and one FL curve per class, with a cursor the keyboard moves
    expect(await page.$$eval('svg g.series', (gs) => gs.map((g) => g.getAttribute('data-label')))).toEqual([
      'negative CE',
      'negative FL (γ = 2)',
      'positive CE',
      'positive FL (γ = 2)',
    ]);
    await page.locator('svg').focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('.readout .at')?.getAttribute('data-value') === '1');
    expect(
      await page.$$eval('.readout .item', (items) => items.map((i) => Number(i.getAttribute('data-value')))),
    ).toEqual([1, 1, 1, 1]);
    await page.screenshot({ path: join(process.cwd(), '.cache', 'screenshots', 'anatomy-report.png'), fullPage: true });
    expect(seen).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });

  it('hostile column and file names are text: no script runs, nothing is injected', async () => {
    const { page, seen } = await open(1280);
    const params = await page.$$eval('dl.params dd', (dds) => dds.map((d) => d.textContent));
    expect(params).toContain(`${P_NAME}, ${Y_NAME}`);
    expect(params).toContain(input);
    expect(await injected(page)).toBe(1);
    expect(await page.title()).toBe('focal anatomy');
    expect(seen).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });

  it('at 375 px wide has no horizontal scroll', async () => {
    const { page, seen } = await open(375);
    const [scrollWidth, clientWidth] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(seen).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });
});

describe('focal sweep --out sweep.html', () => {
  const sweepPath = join(dir, 'sweep.html');
  const multiPath = join(dir, 'sweep-multiclass.html');
  const args = ['sweep', '--input', input, '--columns', columns, '--gamma', '0,0.5,1,2', '--alpha', '0.25,0.5,0.75'];
  const multiArgs = ['sweep', '--input', join(process.cwd(), 'examples', 'multiclass.csv')];

  it('writes one page and says so on stderr, nothing on stdout; the names travel escaped', () => {
    const r = runBin([...args, '--out', sweepPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^focal: wrote .*sweep\.html \(report page, \d+ KiB\)\n$/);
    const html = readFileSync(sweepPath, 'utf8');
    expect(html).not.toContain(P_NAME);
    expect(html).toContain('\\u003cscript>alert(1)\\u003c/script>');
  });

  it('opens offline: the grid and the α* table hold the numbers of `focal sweep --json`, and the α*(γ) curves', async () => {
    const { page, seen } = await openPage(sweepPath, 1280);
    expect(await page.$$eval('table caption', (cs) => cs.map((c) => c.textContent))).toEqual([
      expect.any(String),
      'per γ: the α that gives the positive class exactly half',
    ]);
    const json = parseJson(runBin([...args, '--json']).stdout);
    const tables = await pageTables(page);
    expect(keysOf(tables[0]!)).toEqual([
      'gamma',
      'alpha',
      'positive_fl_share',
      'positive_grad_share',
      'easy_fl_share',
      'concentration',
    ]);
    expect(json.rows).toHaveLength(12);
    expect(tables[0]).toEqual(pick(json.rows, keysOf(tables[0]!)));
    expect(keysOf(tables[1]!)).toEqual(['gamma', 'alpha_loss', 'alpha_grad']);
    expect(tables[1]).toEqual(json.sections.alpha);
    expect(await series(page)).toEqual(['α*: positive half of FL', 'α: positive half of grad mass']);
    expect(seen).toEqual(NOTHING);
    await page.close();
  });

  it('draws the heatmap of the positive share over (γ, α) with the α*(γ) curves: the picture of `--out FILE.svg`', async () => {
    const { page, seen } = await openPage(sweepPath, 1280);
    const figure = page.locator('figure.heatmap svg');
    await figure.waitFor();
    const size = await figure.evaluate((svg) => [svg.getAttribute('width'), svg.getAttribute('height')]);
    // the same drawing as the CLI's SVG at that size: every cell's band, every point of both curves
    const out = join(dir, 'sweep-heatmap.svg');
    const r = runBin([...args, '--out', out, '--force', '--width', size[0]!, '--height', size[1]!]);
    expect(r.code, r.stderr).toBe(0);
    const file = readFileSync(out, 'utf8');
    const cells = await page.$$eval('figure.heatmap g.cells rect', (rs) =>
      rs.map((e) => ['x', 'y', 'width', 'data-class'].map((a) => e.getAttribute(a)).join(' ')),
    );
    const fileCells = [
      ...file.matchAll(
        /<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="[^"]+" fill="[^"]+" data-class="([^"]+)"/g,
      ),
    ].map((m) => m.slice(1).join(' '));
    expect(cells.length).toBeGreaterThan(4);
    expect(cells).toEqual(fileCells);
    const points = await page.$$eval('figure.heatmap g.overlay', (gs) =>
      gs.map((g) => [g.getAttribute('data-label'), g.querySelector('polyline')?.getAttribute('points')]),
    );
    expect(points.map((p) => p[0])).toEqual(['α*: positive half of FL', 'α: positive half of grad mass']);
    for (const [, line] of points) expect(file).toContain(`points="${line}"`);
    // one row per γ, the largest on top
    expect(await page.$$eval('figure.heatmap g.y-labels text', (ts) => ts.map((t) => t.textContent))).toEqual([
      'γ = 2',
      'γ = 1',
      'γ = 0.5',
      'γ = 0',
    ]);
    await page.screenshot({ path: join(process.cwd(), '.cache', 'screenshots', 'sweep-page.png'), fullPage: true });
    expect(seen).toEqual(NOTHING);
    await page.close();
  });

  it('hostile column and file names are text: no script runs, nothing is injected', async () => {
    const { page, seen } = await openPage(sweepPath, 1280);
    const params = await page.$$eval('dl.params dd', (dds) => dds.map((d) => d.textContent));
    expect(params).toContain(`${P_NAME}, ${Y_NAME}`);
    expect(params).toContain(input);
    expect(await injected(page)).toBe(1);
    expect(await page.title()).toBe('focal sweep');
    expect(seen).toEqual(NOTHING);
    await page.close();
  });

  it('multiclass input: a page of the tables (the α vectors exact), without curves', async () => {
    const r = runBin([...multiArgs, '--out', multiPath]);
    expect(r.code, r.stderr).toBe(0);
    const { page, seen } = await openPage(multiPath, 1280);
    const json = parseJson(runBin([...multiArgs, '--json']).stdout);
    const tables = await pageTables(page);
    const keys = keysOf(tables[0]!);
    expect(keys.slice(0, 3)).toEqual(['gamma', 'easy_fl_share', 'concentration']);
    expect(keys.slice(3).length).toBeGreaterThanOrEqual(3);
    for (const k of keys.slice(3)) expect(k).toMatch(/_fl_share$/);
    expect(tables[0]).toEqual(pick(json.rows, keys));
    expect(tables[1]).toEqual(json.sections.alpha);
    expect(Array.isArray(json.sections.alpha[0].alpha_vector_loss)).toBe(true);
    expect(await page.locator('svg').count()).toBe(0);
    expect(seen).toEqual(NOTHING);
    await page.close();
  });
});

describe('focal calibration --out calibration.html', () => {
  const second = join(dir, '"><svg onload=alert(4)>.csv');
  const calibrationPath = join(dir, 'calibration.html');
  const args = () => ['calibration', '--input', input, '--input', second, '--columns', columns, '--bins', '5'];

  beforeAll(() => {
    const rows = ['0.8,1', '0.3,0', '0.6,1', '0.95,1', '0.1,0', '0.45,0', '0.55,0', '0.7,1', '0.2,1', '0.9,0'];
    writeFileSync(second, `"${P_NAME}","${Y_NAME}"\n${rows.join('\n')}\n`);
  });

  it('writes one page and says so on stderr, nothing on stdout; refuses to replace it', () => {
    const r = runBin([...args(), '--out', calibrationPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^focal: wrote .*calibration\.html \(report page, \d+ KiB\)\n$/);
    expect(readFileSync(calibrationPath, 'utf8')).not.toContain('<svg onload');
    const again = runBin([...args(), '--out', calibrationPath]);
    expect([again.code, again.stdout]).toEqual([2, '']);
    expect(again.stderr).toMatch(/exists; add --force/);
  });

  it('opens offline: per model and the reliability bins hold the numbers of `focal calibration --json`, and the diagram', async () => {
    const { page, seen } = await openPage(calibrationPath, 1280);
    const json = parseJson(runBin([...args(), '--json']).stdout);
    const tables = await pageTables(page);
    expect(keysOf(tables[0]!)).toEqual([
      'model',
      'n',
      'accuracy',
      'ece',
      'ada_ece',
      'mce',
      'classwise_ece',
      'brier',
      'nll',
      'temperature',
      'ece_scaled',
      'nll_scaled',
    ]);
    expect(tables[0]).toEqual(pick(json.rows, keysOf(tables[0]!)));
    expect(keysOf(tables[1]!)).toEqual(['model', 'from', 'to', 'count', 'confidence', 'accuracy', 'gap']);
    expect(json.sections.reliability).toHaveLength(12); // 5 bins and the bin of confidence 1, per model
    expect(json.sections.reliability.some((b: { gap: unknown }) => b.gap === null)).toBe(true); // empty bins: null in both
    expect(tables[1]).toEqual(pick(json.sections.reliability, keysOf(tables[1]!)));
    // the diagram's count bars and gap shades: one each per non-empty bin, the JSON's numbers
    const filled = json.sections.reliability.filter((b: { count: number }) => b.count > 0);
    const attribute = (selector: string, name: string) =>
      page.$$eval(selector, (els, n) => els.map((e) => Number(e.getAttribute(n))), name);
    expect(await attribute('figure.chart svg .count-bar', 'data-count')).toEqual(filled.map((b: any) => b.count));
    expect(await attribute('figure.chart svg .gap', 'data-gap')).toEqual(filled.map((b: any) => b.gap));
    const labels = await series(page);
    expect(labels[0]).toBe('perfect calibration');
    expect(labels.slice(1)).toEqual(
      json.rows.map((m: { model: string; ece: number }) => `${m.model} (ECE ${m.ece.toPrecision(3)})`),
    );
    expect(seen).toEqual(NOTHING);
    await page.close();
  });

  it('hostile file and column names are text: no script runs, nothing is injected', async () => {
    const { page, seen } = await openPage(calibrationPath, 1280);
    expect((await pageTables(page))[0]!.map((m) => m.model)).toEqual([input, second]);
    const params = await page.$$eval('dl.params dd', (dds) => dds.map((d) => d.textContent));
    expect(params).toContain(`${input}, ${second}`);
    expect(await injected(page)).toBe(1);
    expect(await page.title()).toBe('focal calibration');
    expect(seen).toEqual(NOTHING);
    await page.close();
  });
});
