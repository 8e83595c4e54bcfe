#!/usr/bin/env node
// ns per ExactSum.add on 10^7 per-row losses (CE and FL at γ = 2 of p uniform in (0, 1): terms
// over ~25 binades, FL's down to 1e-16), and the same for CompensatedSum as the floor.
// Usage: node bench/exact-sum.mjs [path/to/dist/lib/core/sum.js] [--n 10000000] [--repeat 5]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { n: { type: 'string', default: '10000000' }, repeat: { type: 'string', default: '5' } },
});
const modulePath = resolve(positionals[0] ?? 'dist/lib/core/sum.js');
const { ExactSum, CompensatedSum } = await import(pathToFileURL(modulePath).href);
const n = Number(values.n);
const repeat = Number(values.repeat);

let seed = 12345;
const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const ce = new Float64Array(n);
const fl = new Float64Array(n);
for (let i = 0; i < n; i++) {
  const p = next();
  ce[i] = -Math.log(p);
  fl[i] = (1 - p) * (1 - p) * ce[i];
}

function time(make, xs) {
  const t = process.hrtime.bigint();
  const s = make();
  for (let i = 0; i < xs.length; i++) s.add(xs[i]);
  const v = s.value;
  return [Number(process.hrtime.bigint() - t) / xs.length, v];
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows = {
  'ExactSum, CE': [() => new ExactSum(), ce],
  'ExactSum, FL': [() => new ExactSum(), fl],
  'CompensatedSum, FL': [() => new CompensatedSum(), fl],
};
const results = Object.fromEntries(Object.keys(rows).map((k) => [k, []]));
const sums = {};
for (let r = 0; r < repeat; r++)
  for (const [name, [make, xs]] of Object.entries(rows)) {
    const [ns, v] = time(make, xs);
    results[name].push(ns);
    sums[name] = v;
  }
console.log(`${modulePath}: ${n.toLocaleString('en-US')} terms, median of ${repeat}, node ${process.version}`);
for (const [name, ns] of Object.entries(results))
  console.log(`${name.padEnd(20)} ${median(ns).toFixed(1).padStart(7)} ns/add   sum ${sums[name]}`);
