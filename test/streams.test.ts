import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { NonFiniteOutputError, render, type Format, type Report, type Row } from '../src/output/index.js';
import { writeChunks } from '../src/output/write.js';
import { BIN, parseJson } from './helpers/cli.js';

/**
 * Per-sample output streams, so a run that fails midway cannot take its rows back. What it
 * leaves must still be readable: CSV, TSV and NDJSON end at a record boundary, and JSON is one
 * valid document whose "error" member replaces the summary. Before any output is written, a
 * failure leaves stdout empty, as every other bad input does.
 */

const dir = mkdtempSync(join(tmpdir(), 'focal-streams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `rows` data rows of which row good + 1 is `abc,1` (its file line is good + 2 under the header). */
function badCsv(good: number, rows: number): string {
  return `p,y\n${Array.from({ length: rows }, (_, i) => (i === good ? 'abc,1' : `${(i % 999) / 1000},${i % 2}`)).join('\n')}\n`;
}
function badNdjson(good: number, rows: number): string {
  return `${Array.from({ length: rows }, (_, i) => (i === good ? '{"p":"abc","y":1}' : `{"p":${(i % 999) / 1000},"y":${i % 2}}`)).join('\n')}\n`;
}
function file(name: string, content: string | Buffer): string {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

function focal(argv: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', input: input ?? '', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The reproduction fails at data row 150,001; the other sources at row 50,001, also
// past the first read of input (256 KiB, ~36,000 rows, scanned before anything is printed) and
// far past the first write to stdout (64 KiB, ~330 rows), in a third of the run time.
const GOOD = 50_000;
const small = badCsv(GOOD, 60_000);
const SOURCES: { name: string; args: string[]; input?: string; good: number; at: string; shown: string }[] = [
  {
    name: 'a CSV file, row 150,001 (the issue)',
    args: ['--input', file('bad150k.csv', badCsv(150_000, 200_000))],
    good: 150_000,
    at: `${150_002}: column p: "abc"`,
    shown: join(dir, 'bad150k.csv'),
  },
  {
    name: 'an NDJSON file',
    args: ['--input', file('bad.ndjson', badNdjson(GOOD, 60_000))],
    good: GOOD,
    at: `${GOOD + 1}: column p: "\\"abc\\""`,
    shown: join(dir, 'bad.ndjson'),
  },
  { name: 'stdin', args: [], input: small, good: GOOD, at: `${GOOD + 2}: column p: "abc"`, shown: 'stdin' },
  {
    name: 'a gzip file',
    args: ['--input', file('bad.csv.gz', gzipSync(small))],
    good: GOOD,
    at: `${GOOD + 2}: column p: "abc"`,
    shown: join(dir, 'bad.csv.gz'),
  },
  {
    name: 'a file with --threads 2',
    args: ['--input', file('bad.csv', small), '--threads', '2'],
    good: GOOD,
    at: `${GOOD + 2}: column p: "abc"`,
    shown: join(dir, 'bad.csv'),
  },
];

describe('loss --reduction none --json failing midway: one valid document, exit 2', () => {
  for (const { name, args, input, good, at, shown } of SOURCES) {
    it(name, () => {
      const r = focal(['loss', ...args, '--reduction', 'none', '--json'], input);
      expect(r.code).toBe(2);
      const message = `${shown}:${at} is not a number`;
      expect(r.stderr).toBe(`focal: error: ${message}\n`);
      const doc = parseJson(r.stdout);
      expect(Object.keys(doc)).toEqual(['command', 'params', 'rows', 'error']);
      expect(doc.error).toBe(message);
      // every row before the bad one, in order, and nothing after it
      expect(doc.rows).toHaveLength(good);
      expect(doc.rows[good - 1].index).toBe(good - 1);
      expect(doc.rows[good - 1].p).toBe(((good - 1) % 999) / 1000);
    });
  }
});

describe('the same failure in CSV, TSV and NDJSON ends at a record boundary', () => {
  const path = join(dir, 'bad.csv');
  for (const format of ['csv', 'tsv', 'ndjson'] as const) {
    it(format, () => {
      const r = focal(['loss', '--input', path, '--reduction', 'none', '--format', format]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`focal: error: ${path}:${GOOD + 2}: column p: "abc" is not a number\n`);
      expect(r.stdout.endsWith('\n')).toBe(true);
      const lines = r.stdout.slice(0, -1).split('\n');
      if (format === 'ndjson') {
        expect(lines).toHaveLength(GOOD);
        for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
        expect(JSON.parse(lines.at(-1)!).index).toBe(GOOD - 1);
      } else {
        const sep = format === 'csv' ? ',' : '\t';
        const width = lines[0]!.split(sep).length;
        expect(lines).toHaveLength(GOOD + 1);
        expect(lines.filter((l) => l.split(sep).length !== width)).toEqual([]);
        expect(lines.at(-1)!.split(sep)[0]).toBe(String(GOOD - 1));
      }
    });
  }
});

describe('a failure before anything was written leaves stdout empty', () => {
  for (const format of ['json', 'csv', 'ndjson']) {
    it(format, () => {
      const r = focal(['loss', '--reduction', 'none', '--format', format], 'p,y\n0.5,1\n0.25,0\nabc,1\n');
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'focal: error: stdin:4: column p: "abc" is not a number\n']);
    });
  }
});

describe('a NaN caught at the output midway: the same guarantees (exit 1 comes from the error)', () => {
  /** 5,000 good rows (well past the first 64 KiB write), then one whose ce is NaN, then more. */
  function report(): Report {
    function* rows(): Generator<Row> {
      for (let i = 0; i < 6000; i++) yield { index: i, ce: i === 5000 ? NaN : i / 7, label: 'a,"b"' };
    }
    return {
      command: 'test',
      params: { n: 6000 },
      caption: '',
      columns: [
        { key: 'index', label: '#' },
        { key: 'ce', label: 'CE' },
        { key: 'label', label: 'label', kind: 'text' },
      ],
      rows: rows(),
      summary: () => ({ n: 6000 }),
    };
  }
  async function output(format: Format): Promise<{ text: string; error: unknown }> {
    let text = '';
    let error: unknown = null;
    try {
      await writeChunks(await render(report(), { format, precision: 5, color: false }), {
        write: (s: string) => ((text += s), true),
      });
    } catch (err) {
      error = err;
    }
    return { text, error };
  }
  it('JSON: the rows before it, then "error" instead of "summary"', async () => {
    const { text, error } = await output('json');
    expect(error).toBeInstanceOf(NonFiniteOutputError);
    const doc = JSON.parse(text);
    expect(doc.error).toBe('a NaN reached the output (field ce)');
    expect(doc.summary).toBeUndefined();
    expect(doc.rows).toHaveLength(5000);
    expect(doc.rows[4999]).toEqual({ index: 4999, ce: 4999 / 7, label: 'a,"b"' });
  });
  for (const format of ['csv', 'tsv', 'ndjson'] as const) {
    it(`${format}: whole records, the last one before the NaN`, async () => {
      const { text, error } = await output(format);
      expect(error).toBeInstanceOf(NonFiniteOutputError);
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(format === 'ndjson' ? 5000 : 5001);
      expect(lines.at(-1)!.startsWith(format === 'ndjson' ? '{"index":4999,' : '4999')).toBe(true);
    });
  }
  it('a NaN in the first rows, before any write: nothing at all', async () => {
    const early: Report = { ...report(), rows: [{ index: 0, ce: NaN, label: '' }] };
    let text = '';
    await expect(
      writeChunks(await render(early, { format: 'json', precision: 5, color: false }), {
        write: (s: string) => ((text += s), true),
      }),
    ).rejects.toBeInstanceOf(NonFiniteOutputError);
    expect(text).toBe('');
  });
});
