import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK_BYTES } from '../../src/pipeline/threads.js';
import { parseJson, runBin, runCli } from '../helpers/cli.js';
import { mulberry32 as random } from '../helpers/seeded.js';

/**
 * A text stream (gzip, stdin) on worker threads, run from the sources (the in-process CLI hands
 * the pipeline a worker built from src/pipeline/worker.ts): this thread cuts the inflated text
 * into blocks of whole lines for the workers, and the report, the first bad line and the notes of
 * --skip-invalid are those of one thread, bit for bit.
 */

const dir = mkdtempSync(join(tmpdir(), 'focal-stream-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

// probabilities over many magnitudes (a plain or compensated sum would depend on the split);
// each row has a long text id beside them (cheap to scan), so that few rows make several
// blocks: every one of three threads gets work
const N = 120_000;
const rand = random(77);
const p = Array.from({ length: N }, () =>
  rand() < 0.2 ? 10 ** (-300 * rand()) : rand() < 0.1 ? 1 - 2 ** -52 * Math.floor(1 + 100 * rand()) : rand(),
);
const y = Array.from({ length: N }, () => (rand() < 0.3 ? 1 : 0));

const id = (i: number) => `sample-${i}-${'x'.repeat(120)}`;
const csvText = `id,p,y\n${p.map((v, i) => `${id(i)},${v},${y[i]}`).join('\n')}\n`;
const ndjsonText = `${p.map((v, i) => JSON.stringify({ id: id(i), p: v, y: y[i] })).join('\n')}\n`;
const csvGz = file('all.csv.gz', gzipSync(csvText, { level: 1 }));
const ndjsonGz = file('all.ndjson.gz', gzipSync(ndjsonText, { level: 1 }));
const csvPlain = file('all.csv', csvText);

/** The lines as written, with `edit` applied to some of them (index 0: the first data row). */
function edited(text: string, header: boolean, edit: Map<number, string>): string {
  const lines = text.split('\n');
  const offset = header ? 1 : 0;
  for (const [row, line] of edit) lines[row + offset] = line;
  return lines.join('\n');
}

async function json(argv: string[]): Promise<any> {
  const r = await runCli([...argv, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseJson(r.stdout);
}

describe('a text stream on threads: the report of one thread, bit for bit', () => {
  it('the inputs are several blocks long', () => {
    expect(csvText.length).toBeGreaterThan(3 * BLOCK_BYTES);
    expect(ndjsonText.length).toBeGreaterThan(3 * BLOCK_BYTES);
  });

  it.each([
    ['gzip CSV', csvGz],
    ['gzip NDJSON', ndjsonGz],
  ])(
    'loss, %s: --threads 2 and 3 = --threads 1 = the plain CSV',
    async (_name, path) => {
      const one = await json(['loss', '--input', path, '--threads', '1']);
      const two = await json(['loss', '--input', path, '--threads', '2']);
      const three = await json(['loss', '--input', path, '--threads', '3']);
      const plain = await json(['loss', '--input', csvPlain, '--threads', '1']);
      expect(three.params.threads).toBe(3);
      expect(one.summary.n).toBe(N);
      expect(two.summary).toEqual(one.summary);
      expect(three.summary).toEqual(one.summary);
      expect(one.summary).toEqual(plain.summary);
    },
    120_000,
  );

  it('anatomy, gzip CSV: --threads 3 = --threads 1 (every table)', async () => {
    const one = await json(['anatomy', '--input', csvGz, '--threads', '1']);
    const three = await json(['anatomy', '--input', csvGz, '--threads', '3']);
    expect(three).toEqual(one);
  }, 120_000);

  it.each([
    ['CSV', csvText, true, 'csv.gz'],
    ['NDJSON', ndjsonText, false, 'ndjson.gz'],
  ])(
    'gzip %s: the first bad line, whichever thread reads it, is the error of one thread',
    async (name, text, header, ext) => {
      // a bad value late in the stream (a later block), and an earlier one in another block
      const late = N - 10;
      const early = Math.floor(N / 3);
      const bad = (row: number) =>
        name === 'CSV' ? `${id(row)},1.5,${y[row]}` : JSON.stringify({ id: id(row), p: 1.5, y: y[row] });
      const lateOnly = file(`late.${ext}`, gzipSync(edited(text, header, new Map([[late, bad(late)]])), { level: 1 }));
      const both = file(
        `both.${ext}`,
        gzipSync(
          edited(
            text,
            header,
            new Map([
              [early, bad(early)],
              [late, bad(late)],
            ]),
          ),
          { level: 1 },
        ),
      );
      const lineOf = (row: number) => row + (header ? 2 : 1);
      for (const [path, row] of [
        [lateOnly, late],
        [both, early],
      ] as const) {
        const one = await runCli(['loss', '--input', path, '--threads', '1']);
        const three = await runCli(['loss', '--input', path, '--threads', '3']);
        expect(one.code).toBe(2);
        expect(one.stdout).toBe('');
        expect(one.stderr).toContain(`${path}:${lineOf(row)}: `);
        expect(one.stderr).toMatch(/column p: 1\.5 is outside \[0, 1\]/);
        expect(three).toEqual(one);
      }
    },
    120_000,
  );

  it('gzip CSV, --skip-invalid: the same notes and totals on 3 threads as on 1', async () => {
    const rows = [5, 40_000, 40_001, 70_000, 100_000, N - 1];
    // a byte order mark and blank lines before the header count in the line numbers
    const text = `\ufeff\n\n${edited(csvText, true, new Map(rows.map((r) => [r, r % 2 ? `${id(r)},x${r},1` : `${id(r)},${p[r]},`])))}`;
    const path = file('skip.csv.gz', gzipSync(text, { level: 1 }));
    const one = await runCli(['loss', '--input', path, '--skip-invalid', '--threads', '1', '--json']);
    const three = await runCli(['loss', '--input', path, '--skip-invalid', '--threads', '3', '--json']);
    expect(one.code).toBe(0);
    expect(one.stderr).toContain(`skipped ${rows.length} invalid rows`);
    for (const r of rows.slice(0, 5)) expect(one.stderr).toContain(`line ${r + 4}: `);
    expect(three.stderr).toBe(one.stderr);
    expect(parseJson(three.stdout).summary).toEqual(parseJson(one.stdout).summary);
  }, 120_000);

  it('gzip CSV with quoted fields that hold newlines: records are lines, on any number of threads', async () => {
    // a text column beside the numbers; some of its quoted values span lines, in every block
    const lines = ['note,p,y'];
    for (let i = 0; i < N; i++)
      lines.push(
        i % 10_000 === 7 ? `"first line\nsecond, with a comma",${p[i]},${y[i]}` : `"${id(i)}",${p[i]},${y[i]}`,
      );
    const text = `${lines.join('\n')}\n`;
    expect(text.length).toBeGreaterThan(3 * BLOCK_BYTES);
    const path = file('quoted.csv.gz', gzipSync(text, { level: 1 }));
    for (const extra of [[], ['--skip-invalid']]) {
      const one = await runCli(['loss', '--input', path, '--threads', '1', '--json', ...extra]);
      const three = await runCli(['loss', '--input', path, '--threads', '3', '--json', ...extra]);
      expect(one.code).toBe(extra.length ? 0 : 2);
      // the quoted value's first line (line 9) is a record without its p
      expect(one.stderr).toContain(extra.length ? 'line 9: column p: missing' : `${path}:9: column p: missing`);
      expect(three.code).toBe(one.code);
      expect(three.stderr).toBe(one.stderr);
      if (one.code === 0) expect(parseJson(three.stdout).summary).toEqual(parseJson(one.stdout).summary);
      else expect(three.stdout).toBe('');
    }
  }, 120_000);
});

describe('stdin on threads (the built CLI)', () => {
  it('--threads 2 on a piped CSV = --threads 1', () => {
    const one = runBin(['loss', '--input', '-', '--threads', '1', '--json'], { input: csvText });
    const two = runBin(['loss', '--input', '-', '--threads', '2', '--json'], { input: csvText });
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(two).toEqual({ ...one, stdout: one.stdout.replace('"threads":1', '"threads":2') });
  }, 120_000);
});
