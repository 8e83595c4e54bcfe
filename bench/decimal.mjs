#!/usr/bin/env node
// ns per field of the decimal parser (src/input/decimal.ts) against Number(text), on the p column
// of the benchmark CSV (16–17 significant digits mostly, as numpy writes them).
// Usage: node bench/decimal.mjs [--file bench/data/p10m.csv] [--lines 2000000]
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({
  options: { file: { type: 'string', default: 'bench/data/p10m.csv' }, lines: { type: 'string', default: '2000000' } },
});
const dir = mkdtempSync(join(tmpdir(), 'focal-decimal-'));
await build({
  entryPoints: ['src/input/decimal.ts'],
  outfile: join(dir, 'decimal.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  logLevel: 'warning',
});
const { parseDecimal } = await import(join(dir, 'decimal.mjs'));
rmSync(dir, { recursive: true });

// the byte ranges of the first field of each line, built before timing
const want = Number(values.lines);
const bytes = readFileSync(values.file).subarray(0, want * 40);
const starts = [];
const ends = [];
for (let i = bytes.indexOf(10) + 1; starts.length < want;) {
  const nl = bytes.indexOf(10, i);
  if (nl < 0) break;
  starts.push(i);
  ends.push(bytes.indexOf(44, i));
  i = nl + 1;
}
const n = starts.length;

function time(name, parse) {
  let best = Infinity;
  let sum = 0;
  for (let round = 0; round < 5; round++) {
    const t = process.hrtime.bigint();
    for (let k = 0; k < n; k++) sum += parse(bytes, starts[k], ends[k]);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / n);
  }
  console.log(`${name.padEnd(24)} ${best.toFixed(1)} ns/field (checksum ${sum})`);
}
time('parseDecimal', parseDecimal);
time('Number(latin1Slice)', (b, s, e) => Number(b.latin1Slice(s, e)));
