#!/usr/bin/env node
// ns per row of the core on rows in memory: binaryLossBatch('p'), binaryLossBatch('logit') and
// the naive formula in a plain loop (a_t·(1 − p_t)^γ·−log p_t), interleaved, on two
// distributions of p: uniform on (0, 1) with 1% positives (the table) and a skewed
// detector's scores (bench/gen-data.mjs: logits normal, negatives far left). Also counts how
// many rows the fast path of the core leaves to the careful one (binaryLossFast returns false).
// Usage: node bench/core.mjs [path/to/dist/lib/index.js] [--rows 10000000] [--repeat 3] [--gamma 2,1.5]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rows: { type: 'string', default: '10000000' }, repeat: { type: 'string', default: '3' }, gamma: { type: 'string', default: '2,1.5' } },
});
const modulePath = resolve(positionals[0] ?? 'dist/lib/index.js');
const lib = await import(pathToFileURL(modulePath).href);
const n = Number(values.rows);
const repeat = Number(values.repeat);
const gammas = values.gamma.split(',').map(Number);
const alpha = 0.25;

/** mulberry32, as bench/gen-data.mjs */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** p, logit and y columns of one distribution; the logit is computed from p (or p from it) once, before timing. */
function distribution(name) {
  const u = rng(20261129);
  const p = new Float64Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = u() < 0.01 ? 1 : 0;
    if (name === 'uniform') {
      p[i] = (u() * 4294967296 + u()) / 4294967297 || 0.5; // (0, 1), 53 bits
      x[i] = Math.log(p[i]) - Math.log1p(-p[i]);
    } else {
      const z = Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
      x[i] = y[i] === 1 ? 1 + 2 * z : -4.5 + 2 * z;
      p[i] = 1 / (1 + Math.exp(-x[i]));
    }
  }
  return { p, x, y };
}

function naiveP(p, y, gamma, out) {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pt = y[i] === 1 ? p[i] : 1 - p[i];
    const a = y[i] === 1 ? alpha : 1 - alpha;
    const fl = a * (1 - pt) ** gamma * -Math.log(pt);
    out[i] = fl;
    s += fl;
  }
  return s;
}

const median = (a) => [...a].sort((u, v) => u - v)[a.length >> 1];
const ce = new Float64Array(n);
const fl = new Float64Array(n);
const naiveOut = new Float64Array(n);
let sink = 0;

console.log(`${modulePath}: ${n.toLocaleString('en-US')} rows in memory, α = ${alpha}, median of ${repeat} interleaved runs, node ${process.version}`);
console.log('| distribution | γ | naive ns/row | p ns/row | ×naive | logit ns/row | ×naive | careful path (p) | careful path (logit) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const name of ['uniform', 'skewed']) {
  const d = distribution(name);
  for (const gamma of gammas) {
    const options = { gamma, alpha };
    const cases = {
      naive: () => naiveP(d.p, d.y, gamma, naiveOut),
      p: () => lib.binaryLossBatch('p', d.p, d.y, options, { ce, fl }).fl[n - 1],
      logit: () => lib.binaryLossBatch('logit', d.x, d.y, options, { ce, fl }).fl[n - 1],
    };
    const times = { naive: [], p: [], logit: [] };
    for (let r = 0; r < repeat; r++) {
      for (const [k, f] of Object.entries(cases)) {
        const t = process.hrtime.bigint();
        sink += f();
        times[k].push(Number(process.hrtime.bigint() - t) / n);
      }
    }
    const careful = (kind, v) => {
      if (typeof lib.binaryLossFast !== 'function') return 'n/a';
      const pair = { ce: 0, fl: 0 };
      let c = 0;
      for (let i = 0; i < n; i++) if (!lib.binaryLossFast(pair, kind, v[i], d.y[i], gamma, d.y[i] === 1 ? alpha : 1 - alpha)) c++;
      return `${((100 * c) / n).toPrecision(2)}%`;
    };
    const [tn, tp, tl] = ['naive', 'p', 'logit'].map((k) => median(times[k]));
    console.log(`| ${name} | ${gamma} | ${tn.toFixed(1)} | ${tp.toFixed(1)} | ${(tp / tn).toFixed(2)} | ${tl.toFixed(1)} | ${(tl / tn).toFixed(2)} | ${careful('p', d.p)} | ${careful('logit', d.x)} |`);
  }
}
if (Number.isNaN(sink)) console.log('(sink)');
