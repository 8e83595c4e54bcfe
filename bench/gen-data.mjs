#!/usr/bin/env node
// Writes the benchmark inputs: N rows of predictions with 1% positives, from a fixed seed.
// Usage: node bench/gen-data.mjs [--rows N] [--out DIR] [--dist detector|uniform]
// --dist detector (the default): a skewed model's scores (logits roughly normal, negatives far
//   left); files p<N>.csv (p,y), logit<N>.csv (logit,y), p<N>.ndjson ({"p":…,"y":…}), p<N>.csv.gz.
// --dist uniform: p uniform on (0, 1) whatever the label (issue 10's first table); u<N>.csv (p,y).
// p has the shortest round-trip form of a double (up to 17 digits), as numpy/pandas write it.
import { createWriteStream, mkdirSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    out: { type: 'string', default: 'bench/data' },
    dist: { type: 'string', default: 'detector' },
  },
});
if (!['detector', 'uniform'].includes(values.dist)) throw new Error(`--dist: detector or uniform, not ${values.dist}`);
const rows = Number(values.rows);
const dir = values.out;
mkdirSync(dir, { recursive: true });
const label = rows % 1_000_000 === 0 ? `${rows / 1_000_000}m` : String(rows);

/** mulberry32: a small, fast, seeded generator (the files are the same on every machine). */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function* samples() {
  const u = rng(20261129);
  for (let i = 0; i < rows; i++) {
    const y = u() < 0.01 ? 1 : 0;
    if (values.dist === 'uniform') {
      const p = u() || 2 ** -32; // (0, 1): never 0
      yield [Math.log(p) - Math.log1p(-p), y, p];
      continue;
    }
    // A detector's scores: logits roughly normal, negatives far left, positives right of 0.
    const z = Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
    const logit = y === 1 ? 1 + 2 * z : -4.5 + 2 * z;
    yield [logit, y, 1 / (1 + Math.exp(-logit))];
  }
}

function lines(format) {
  return Readable.from(
    (function* () {
      let batch = format === 'csv-p' ? 'p,y\n' : format === 'csv-logit' ? 'logit,y\n' : '';
      for (const [logit, y, p] of samples()) {
        if (format === 'csv-p') batch += `${p},${y}\n`;
        else if (format === 'csv-logit') batch += `${logit},${y}\n`;
        else batch += `{"p":${p},"y":${y}}\n`;
        if (batch.length > 1 << 16) {
          yield batch;
          batch = '';
        }
      }
      if (batch) yield batch;
    })(),
  );
}

if (values.dist === 'uniform') {
  await pipeline(lines('csv-p'), createWriteStream(`${dir}/u${label}.csv`));
  console.error(`wrote ${dir}/u${label}.csv`);
} else {
  await pipeline(lines('csv-p'), createWriteStream(`${dir}/p${label}.csv`));
  await pipeline(lines('csv-logit'), createWriteStream(`${dir}/logit${label}.csv`));
  await pipeline(lines('ndjson'), createWriteStream(`${dir}/p${label}.ndjson`));
  await pipeline(lines('csv-p'), createGzip({ level: 6 }), createWriteStream(`${dir}/p${label}.csv.gz`));
  console.error(`wrote ${dir}/{p${label}.csv, logit${label}.csv, p${label}.ndjson, p${label}.csv.gz}`);
}
