#!/usr/bin/env node
// `focal loss` (the built CLI) on the same 10^7 rows as .npz, Parquet and two .npy files, beside
// numpy's vectorised formula on the .npz (np.load + the formula) — wall time and peak RSS from
// /usr/bin/time, ratios from the same run. Mean FL is compared with the exactly rounded reference
// (math.fsum of numpy's per-row values) that bench/gen-formats.py prints.
// Usage: python3 bench/gen-formats.py 10000000 && node bench/formats.mjs && node bench/cli-formats.mjs [--rows N] [--python /usr/bin/python3]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000000' }, python: { type: 'string', default: '/usr/bin/python3' } } });
const n = values.rows;
const files = { npz: `bench/data/py${n}.npz`, parquet: `bench/data/py${n}.parquet`, p: `bench/data/p${n}.npy`, y: `bench/data/y${n}.npy` };
for (const f of Object.values(files)) if (!existsSync(f)) throw new Error(`${f} is missing: run python3 bench/gen-formats.py ${n} && node bench/formats.mjs --rows ${n}`);

const NUMPY = `
import sys, numpy as np
d = np.load(sys.argv[1]); p = d['p']; y = d['y']
fl = np.where(y == 1, 0.25 * (1 - p) ** 2 * -np.log(p), 0.75 * p ** 2 * -np.log1p(-p))
print(repr(float(fl.mean())))
`;

/** Runs a command under /usr/bin/time: its stdout, wall seconds and peak RSS in MiB. */
function timed(command, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  const [seconds, kib] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { stdout: r.stdout, seconds, mib: kib / 1024 };
}

const runs = [
  ['numpy (np.load + formula), .npz', () => timed(values.python, ['-c', NUMPY, files.npz]), (o) => Number(o)],
  ['focal loss, .npz', () => timed(process.execPath, ['bin/focal.js', 'loss', '--input', files.npz, '--json']), (o) => JSON.parse(o).summary.fl],
  ['focal loss, two .npy', () => timed(process.execPath, ['bin/focal.js', 'loss', '--input', files.p, '--labels', files.y, '--columns', `p=p${n}`, '--json']), (o) => JSON.parse(o).summary.fl],
  ['focal loss, Parquet', () => timed(process.execPath, ['bin/focal.js', 'loss', '--input', files.parquet, '--json']), (o) => JSON.parse(o).summary.fl],
];
const results = [];
for (const [name, run, mean] of runs) {
  const r = run();
  results.push({ name, ...r, fl: mean(r.stdout) });
}
const base = results[0];
console.log(`| ${n} rows | wall | peak RSS | time / numpy | memory / numpy | mean FL |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) console.log(`| ${r.name} | ${r.seconds.toFixed(2)} s | ${r.mib.toFixed(0)} MiB | ${(r.seconds / base.seconds).toFixed(2)} | ${(r.mib / base.mib).toFixed(2)} | ${r.fl} |`);
