#!/usr/bin/env node
// Rows per second of a streaming `focal compare` sweep, in CSV, NDJSON and JSON, to /dev/null.
// With --old DIR (another checkout, built), both are run interleaved and their ratio printed:
// on a shared machine only ratios from one interleaved run mean anything.
// Usage: node bench/compare.mjs [--runs N] [--old /tmp/focal-old]   (after npm run build)
//   an old build: mkdir /tmp/focal-old && git archive main | tar -x -C /tmp/focal-old &&
//   (cd /tmp/focal-old && npm ci && npm run build)
import { spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, old: { type: 'string' } } });
const runs = Number(values.runs);
const sweep = ['compare', '--p', '0.0001:0.9999:0.0001', '--gamma', '0:5:0.5'];
const rows = 9999 * 11 * 2;
const builds = { new: 'bin/focal.js', ...(values.old ? { old: join(values.old, 'bin/focal.js') } : {}) };
const devNull = openSync('/dev/null', 'w');
// CPU time (user + system, from GNU time) as well as wall time: on a busy machine the wall
// time mostly measures the others
const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const wall = {};
const cpu = {};
for (let i = 0; i < runs; i++) {
  for (const format of ['csv', 'ndjson', 'json']) {
    for (const [build, bin] of Object.entries(builds)) {
      const command = [process.execPath, bin, ...sweep, '--format', format];
      const t = process.hrtime.bigint();
      const r = time
        ? spawnSync(time, ['-f', '%U %S', ...command], { stdio: ['ignore', devNull, 'pipe'] })
        : spawnSync(command[0], command.slice(1), { stdio: ['ignore', devNull, 'pipe'] });
      if (r.status !== 0) throw new Error(`${build} ${format} exited ${r.status}: ${r.stderr}`);
      const key = `${format} ${build}`;
      (wall[key] ??= []).push(Number(process.hrtime.bigint() - t) / 1e9);
      if (time)
        (cpu[key] ??= []).push(
          String(r.stderr)
            .trim()
            .split('\n')
            .pop()
            .split(' ')
            .reduce((s, x) => s + Number(x), 0),
        );
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(
  `focal ${sweep.join(' ')} --format F > /dev/null: ${rows.toLocaleString('en-US')} rows, median of ${runs} interleaved runs`,
);
for (const [what, times] of Object.entries({ wall, cpu })) {
  if (Object.keys(times).length === 0) continue;
  for (const format of ['csv', 'ndjson', 'json']) {
    const line = Object.keys(builds).map((build) => {
      const t = median(times[`${format} ${build}`]);
      return `${build} ${t.toFixed(2)} s, ${Math.round(rows / t).toLocaleString('en-US')} rows/s`;
    });
    const ratio = values.old
      ? `  (${(median(times[`${format} old`]) / median(times[`${format} new`])).toFixed(2)}× old's rows/s)`
      : '';
    console.log(`${what.padEnd(4)} ${format.padEnd(7)} ${line.join(';  ')}${ratio}`);
  }
}
