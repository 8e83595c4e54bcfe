#!/usr/bin/env node
// Start-up cost of focal against Node's own: the median wall time of interleaved runs, and the
// median CPU time (user + system, all threads): on a busy machine the wall time mostly measures
// the others. CPU time from `perf stat` (task-clock, to the microsecond) where perf works, else
// from GNU time (/usr/bin/time, to 10 ms). With --old DIR (another checkout, built), its
// bin/focal.js runs interleaved with this one's: only ratios from one run mean anything.
// Usage: node bench/startup.mjs [--runs N] [--old /tmp/focal-old]   (from the project root, after npm run build)
//   an old build: mkdir /tmp/focal-old && git archive main | tar -x -C /tmp/focal-old &&
//   (cd /tmp/focal-old && npm ci)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' }, old: { type: 'string' } } });
const runs = Number(values.runs);
const node = process.execPath;
const builds = { '': 'bin/focal.js', ...(values.old ? { 'old ': join(values.old, 'bin/focal.js') } : {}) };
const commands = { 'node -e 0': ['-e', '0'] };
for (const [build, bin] of Object.entries(builds)) {
  commands[`${build}focal compare --p 0.9 --gamma 2 --format json`] = [
    bin,
    ...['compare', '--p', '0.9', '--gamma', '2', '--format', 'json'],
  ];
  commands[`${build}focal compare --p 0.9 --gamma 2 (table)`] = [bin, 'compare', '--p', '0.9', '--gamma', '2'];
}
const perf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', node, '-e', '0'], { stdio: 'pipe' }).status === 0;
const time = !perf && existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
/** [command, args, CPU ms from its stderr] for one run of node ARGS */
const timed = (args) =>
  perf
    ? ['perf', ['stat', '-x,', '-e', 'task-clock', node, ...args], (err) => Number(err.split(',')[0])]
    : time
      ? [time, ['-f', '%U %S', node, ...args], (err) => 1000 * err.split(' ').reduce((s, x) => s + Number(x), 0)]
      : [node, args, null];
const wall = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(commands)) {
    const [cmd, cmdArgs, cpuOf] = timed(args);
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    wall[name].push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    if (cpuOf) cpu[name].push(cpuOf(r.stderr.toString().trim().split('\n').pop()));
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`median of ${runs} interleaved runs${values.old ? `; old: ${values.old}` : ''}`);
for (const [what, times] of Object.entries({ wall, cpu })) {
  if (times['node -e 0'].length === 0) continue;
  const base = median(times['node -e 0']);
  for (const [name, t] of Object.entries(times)) {
    console.log(`${what.padEnd(4)} ${median(t).toFixed(1).padStart(7)} ms  ${(median(t) / base).toFixed(2)}×  ${name}`);
  }
}
