#!/usr/bin/env node
// Writes the small prediction files in examples/ from fixed seeds, so that every example in the
// README and docs/ runs as written on a fresh clone. Usage: node examples/generate.mjs [DIR]
// (DIR defaults to examples/; test/examples.test.ts regenerates into a temporary folder and
// checks that the committed files are what this script writes).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? fileURLToPath(new URL('.', import.meta.url));
mkdirSync(dir, { recursive: true });

/** mulberry32: a small seeded generator (the same files on every machine). */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate (Box–Muller). */
const normal = (u) => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
/** n significant digits, shortest form: the files stay small and read like a model's output. */
const digits = (x, n) => String(Number(x.toPrecision(n)));

// preds.*: 1,000 binary predictions of a fair classifier, 10% positives; the same rows as CSV,
// gzip-compressed CSV and NDJSON (they give the same answers).
const u = rng(8);
const preds = [];
const logits = [];
for (let i = 0; i < 1000; i++) {
  const y = u() < 0.1 ? 1 : 0;
  const logit = y === 1 ? 1.5 + 1.5 * normal(u) : -2.5 + 1.5 * normal(u);
  preds.push([digits(sigmoid(logit), 6), y]);
  logits.push([logit, y]);
}
const csv = `p,y\n${preds.map(([p, y]) => `${p},${y}\n`).join('')}`;
writeFileSync(join(dir, 'preds.csv'), csv);
// mtime 0 and a fixed level: the same bytes for the same zlib
writeFileSync(join(dir, 'preds.csv.gz'), gzipSync(csv, { level: 9 }));
// model-ce.csv, model-fl.csv: two models' logits on the same samples, for `focal calibration`:
// one sharper (the logits × 2) and one softer (× 1); temperature scaling brings both to one answer.
for (const [name, scale] of [['model-ce.csv', 2], ['model-fl.csv', 1]]) {
  writeFileSync(join(dir, name), `logit,y\n${logits.map(([x, y]) => `${digits(scale * x, 6)},${y}\n`).join('')}`);
}
writeFileSync(join(dir, 'preds.ndjson'), preds.map(([p, y]) => `{"p":${p},"y":${y}}\n`).join(''));

// dets.tsv: a detector's anchors, 1 positive per 1,000 negatives (4,000 + 4), scores as logits
// far left for the background; columns named as a detector would name them (score, label).
const d = rng(1000);
const dets = [];
for (let i = 0; i < 4004; i++) {
  const y = i % 1001 === 500 ? 1 : 0;
  const logit = y === 1 ? 0.5 + 2 * normal(d) : -6 + 1.5 * normal(d);
  dets.push(`${digits(sigmoid(logit), 4)}\t${y}\n`);
}
writeFileSync(join(dir, 'dets.tsv'), `score\tlabel\n${dets.join('')}`);

// multiclass.csv: 300 softmax outputs over 3 classes (p_0, p_1, p_2) with the target class.
const m = rng(3);
const rows = [];
for (let i = 0; i < 300; i++) {
  const target = Math.floor(m() * 3);
  const logits = [0, 1, 2].map((k) => (k === target ? 1.2 : 0) + normal(m));
  const max = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - max));
  const sum = e[0] + e[1] + e[2];
  rows.push(`${e.map((x) => digits(x / sum, 5)).join(',')},${target}\n`);
}
writeFileSync(join(dir, 'multiclass.csv'), `p_0,p_1,p_2,target\n${rows.join('')}`);

// bad.csv: three rows, the second not a number: shows the error and --skip-invalid.
writeFileSync(join(dir, 'bad.csv'), 'p,y\n0.9,1\nabc,1\n0.2,0\n');
