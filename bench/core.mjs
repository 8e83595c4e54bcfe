#!/usr/bin/env node
// ns per row of the core on rows in memory: binaryLossBatch('p'), binaryLossBatch('logit') and
// the naive formula in a plain loop (a_t·(1 − p_t)^γ·−log p_t), interleaved, on two
// distributions of p: uniform on (0, 1) with 1% positives (the table) and a skewed
// detector's scores (bench/gen-data.mjs: logits normal, negatives far left). Also counts how
// many rows the fast path of the core leaves to the careful one (binaryLossFast returns false).
// Times are CPU time of the process (the machine is shared: wall time counts other processes'
// turns); a second library path (e.g. a build of main) is timed in the same interleaved runs.
// Usage: node bench/core.mjs [dist/lib/index.js [other/dist/lib/index.js]] [--rows 10000000] [--repeat 3] [--gamma 2,1.5]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rows: { type: 'string', default: '10000000' },
    repeat: { type: 'string', default: '3' },
    gamma: { type: 'string', default: '2,1.5' },
  },
});
const modulePaths = (positionals.length ? positionals : ['dist/lib/index.js']).map((p) => resolve(p));
const libs = await Promise.all(modulePaths.map((p) => import(pathToFileURL(p).href)));
const lib = libs[0];
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

/** The naive loop, with the literal square at γ = 2 (faster than a pow). */
function naive2(p, y, out) {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pt = y[i] === 1 ? p[i] : 1 - p[i];
    const a = y[i] === 1 ? alpha : 1 - alpha;
    const fl = a * (1 - pt) ** 2 * -Math.log(pt);
    out[i] = fl;
    s += fl;
  }
  return s;
}

function naiveP(p, y, gamma, out) {
  if (gamma === 2) return naive2(p, y, out);
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

console.log(
  `${n.toLocaleString('en-US')} rows in memory, α = ${alpha}, CPU ns/row, median of ${repeat} interleaved runs, node ${process.version}`,
);
modulePaths.forEach((p, k) => console.log(`library ${k === 0 ? 'A' : 'B'}: ${p}`));
console.log(
  '| distribution | γ | library | naive ns/row | p ns/row | ×naive | logit ns/row | ×naive | careful path (p) | careful path (logit) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const name of ['uniform', 'skewed']) {
  const d = distribution(name);
  for (const gamma of gammas) {
    const options = { gamma, alpha };
    const cases = { naive: () => naiveP(d.p, d.y, gamma, naiveOut) };
    libs.forEach((l, k) => {
      cases[`p${k}`] = () => l.binaryLossBatch('p', d.p, d.y, options, { ce, fl }).fl[n - 1];
      cases[`logit${k}`] = () => l.binaryLossBatch('logit', d.x, d.y, options, { ce, fl }).fl[n - 1];
    });
    const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    const cpu = () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    for (let r = 0; r < repeat; r++) {
      for (const [k, f] of Object.entries(cases)) {
        const t = cpu();
        sink += f();
        times[k].push(((cpu() - t) * 1000) / n);
      }
    }
    const careful = (kind, v) => {
      if (typeof lib.binaryLossFast !== 'function') return 'n/a';
      const one = new Float64Array(1);
      let c = 0;
      for (let i = 0; i < n; i++)
        if (!lib.binaryLossFast(one, one, 0, kind, v[i], d.y[i], gamma, d.y[i] === 1 ? alpha : 1 - alpha)) c++;
      return `${c} (${((100 * c) / n).toPrecision(2)}%)`;
    };
    const tn = median(times.naive);
    libs.forEach((_, k) => {
      const [tp, tl] = [median(times[`p${k}`]), median(times[`logit${k}`])];
      const share = k === 0 ? [careful('p', d.p), careful('logit', d.x)] : ['', ''];
      console.log(
        `| ${name} | ${gamma} | ${k === 0 ? 'A' : 'B'} | ${tn.toFixed(1)} | ${tp.toFixed(1)} | ${(tp / tn).toFixed(2)} | ${tl.toFixed(1)} | ${(tl / tn).toFixed(2)} | ${share[0]} | ${share[1]} |`,
      );
    });
  }
}
if (Number.isNaN(sink)) console.log('(sink)');
