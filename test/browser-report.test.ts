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

  async function open(width: number): Promise<{ page: Page; seen: ReturnType<typeof watch> }> {
    const page = await (await browser()).newPage();
    await page.setViewportSize({ width, height: 900 });
    const url = pathToFileURL(reportPath).href;
    const seen = watch(page, url);
    await page.goto(url);
    await page.locator('table').first().waitFor();
    return { page, seen };
  }

  it('opens offline and shows its tables, with the numbers of `focal anatomy --json`', async () => {
    const { page, seen } = await open(1280);
    const captions = await page.$$eval('table caption', (cs) => cs.map((c) => c.textContent));
    expect(captions.length).toBe(4);
    expect(captions.slice(1)).toEqual(['by p_t bucket (shares of the total CE and FL)', 'easy and hard samples (shares of the total CE and FL)', "the hardest samples' share of their class's loss (the paper's Figure 4)"]);
    const json = parseJson(runBin(['anatomy', '--input', input, '--columns', columns, '--json']).stdout);
    const tables = await page.$$eval('table', (ts) =>
      ts.map((t) => [...t.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.getAttribute('data-key'), td.hasAttribute('data-value') ? Number(td.getAttribute('data-value')) : td.textContent])))),
    );
    expect(tables[0]).toEqual(json.rows);
    expect(tables[1]).toEqual(json.sections.buckets);
    expect(tables[2]).toEqual(json.sections.easy_hard);
    expect(tables[3]).toEqual(json.sections.cdf);
    // the chart: one CE and one FL curve per class, with a cursor the keyboard moves
    expect(await page.$$eval('svg g.series', (gs) => gs.map((g) => g.getAttribute('data-label')))).toEqual(['negative CE', 'negative FL (γ = 2)', 'positive CE', 'positive FL (γ = 2)']);
    await page.locator('svg').focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('.readout .at')?.getAttribute('data-value') === '1');
    expect(await page.$$eval('.readout .item', (items) => items.map((i) => Number(i.getAttribute('data-value'))))).toEqual([1, 1, 1, 1]);
    await page.screenshot({ path: join(process.cwd(), '.cache', 'screenshots', 'anatomy-report.png'), fullPage: true });
    expect(seen).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });

  it('hostile column and file names are text: no script runs, nothing is injected', async () => {
    const { page, seen } = await open(1280);
    const params = await page.$$eval('dl.params dd', (dds) => dds.map((d) => d.textContent));
    expect(params).toContain(`${P_NAME}, ${Y_NAME}`);
    expect(params).toContain(input);
    expect(await page.evaluate(() => document.querySelectorAll('img, iframe, object, embed, script:not([type])').length)).toBe(1);
    expect(await page.title()).toBe('focal anatomy');
    expect(seen).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });

  it('at 375 px wide has no horizontal scroll', async () => {
    const { page, seen } = await open(375);
    const [scrollWidth, clientWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(seen).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });
});
