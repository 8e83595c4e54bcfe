import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

/**
 * Random, partly broken input files (CSV, TSV, NDJSON: stray quotes, CRLF, blank lines,
 * missing fields, bad numbers, unicode): `focal loss --input` must answer with status 0 and a
 * NaN-free summary, or status 2 with one line naming the file and line — never anything else.
 */
let seed = 7;
const rand = () => ((seed = (seed * 48271) % 2147483647), seed / 2147483647);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const dir = mkdtempSync(join(tmpdir(), 'focal-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALUES = [
  '0.5',
  '0',
  '1',
  '1e-300',
  '0.9999999999999999',
  '"0.25"',
  ' 0.75 ',
  '',
  'x',
  '1,5',
  '-0',
  '2',
  '0.1\r',
  'é',
  '1e999',
];
const LABELS = ['0', '1', '0.5', '', '2', 'true', '"1"'];

function csvLine(sep: string): string {
  const fields = [pick(VALUES), pick(LABELS)];
  if (rand() < 0.1) fields.pop();
  if (rand() < 0.1) fields.push('extra');
  return fields.join(sep);
}

function ndjsonLine(): string {
  const r = rand();
  if (r < 0.05) return '{"p":0.5,"y":1';
  if (r < 0.1) return '[1,2]';
  const p = pick(['0.5', '0', '1', '1e-300', '"0.5"', '.5', 'null', 'true', '1e999']);
  const y = pick(['0', '1', '0.5', 'false', '"1"', '2']);
  return rand() < 0.5 ? `{"p":${p},"y":${y}}` : `{ "y" : ${y}, "p" : ${p}, "note": "a\\"b" }`;
}

describe('random input files', () => {
  it('always end in status 0 (no NaN) or 2 (one line naming file and line)', async () => {
    const failures: string[] = [];
    for (let run = 0; run < 300; run++) {
      const format = pick(['csv', 'tsv', 'ndjson'] as const);
      const sep = format === 'tsv' ? '\t' : ',';
      const eol = rand() < 0.3 ? '\r\n' : '\n';
      const lines = format === 'ndjson' ? [] : [`p${sep}y`];
      for (let k = Math.floor(rand() * 6); k > 0; k--)
        lines.push(rand() < 0.1 ? '' : format === 'ndjson' ? ndjsonLine() : csvLine(sep));
      const path = join(dir, `f${run}.${format}`);
      writeFileSync(path, lines.join(eol) + (rand() < 0.5 ? eol : ''));
      const argv = ['loss', '--input', path, '--json', ...(rand() < 0.3 ? ['--skip-invalid'] : [])];
      const r = await runCli(argv);
      const ok =
        r.code === 0
          ? !/NaN/.test(r.stdout) && JSON.parse(r.stdout).summary.n > 0
          : r.code === 2 && r.stdout === '' && /^focal: error: .+\n$/.test(r.stderr) && r.stderr.includes(path);
      if (!ok)
        failures.push(`${argv.join(' ')} [${JSON.stringify(lines.join(eol))}] → ${r.code}: ${r.stderr.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
