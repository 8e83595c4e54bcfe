#!/usr/bin/env node
// Start-up cost of focal against Node's own: the median wall time of interleaved runs.
// Usage: node bench/startup.mjs [--runs N]   (from the project root, after npm run build)
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' } } });
const runs = Number(values.runs);
const node = process.execPath;
const commands = {
  'node -e 0': [node, ['-e', '0']],
  'focal compare --p 0.9 --gamma 2 --format json': [
    node,
    ['bin/focal.js', 'compare', '--p', '0.9', '--gamma', '2', '--format', 'json'],
  ],
  'focal compare --p 0.9 --gamma 2 (table)': [node, ['bin/focal.js', 'compare', '--p', '0.9', '--gamma', '2']],
};
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, [cmd, args]] of Object.entries(commands)) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = median(times['node -e 0']);
console.log(`median of ${runs} interleaved runs`);
for (const [name, t] of Object.entries(times)) {
  console.log(`${median(t).toFixed(1).padStart(7)} ms  ${(median(t) / base).toFixed(2)}×  ${name}`);
}
