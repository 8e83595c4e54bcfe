#!/usr/bin/env node
// `focal loss` (the built CLI) on the same N rows as .npz, two .npy files, Parquet and Arrow, beside
// its peers on the same files: numpy's vectorised formula on the .npz (np.load + the formula) and
// DuckDB's SQL on the Parquet file (bench/duckdb-fl.mjs, a process of its own). Wall time and peak
// RSS from /usr/bin/time; the commands run interleaved, --rounds times, medians reported, so the
// ratios come from the same run on the same (possibly loaded) machine. Mean FL is checked against
// the exactly rounded reference (math.fsum of the per-row float64 values) of bench/gen-formats.py.
// Usage:
//   python3 bench/gen-formats.py 10000000 && node bench/formats.mjs && npm install --prefix bench
//   node bench/cli-formats.mjs [--rows N] [--rounds 3] [--python python3]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string', default: 'python3' },
  },
});
const n = values.rows;
const d = `bench/data`;
const files = {
  npz: `${d}/py${n}.npz`,
  p: `${d}/p${n}.npy`,
  y: `${d}/y${n}.npy`,
  parquet: `${d}/py${n}.duckdb.parquet`,
  arrow: `${d}/py${n}.arrow`,
  ref: `${d}/py${n}.ref.json`,
};
if (!existsSync(files.parquet) && existsSync(`${d}/py${n}.parquet`)) {
  // DuckDB's own Parquet (snappy, its row groups and pages): the file its users would have
  const w = spawnSync(process.execPath, ['bench/duckdb-fl.mjs', 'write', `${d}/py${n}.parquet`, files.parquet], {
    stdio: 'inherit',
  });
  if (w.status !== 0) throw new Error('DuckDB could not write the Parquet file: npm install --prefix bench');
}
for (const f of Object.values(files))
  if (!existsSync(f))
    throw new Error(
      `${f} is missing: run python3 bench/gen-formats.py ${n} && node bench/formats.mjs --rows ${n} && npm install --prefix bench`,
    );
const reference = JSON.parse(readFileSync(files.ref, 'utf8')).fl_mean;

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

const focal =
  (...args) =>
  () =>
    timed(process.execPath, ['bin/focal.js', 'loss', ...args, '--json']);
const focalMean = (o) => JSON.parse(o).summary.fl;
const runs = [
  {
    name: 'numpy (np.load + formula), .npz',
    peer: true,
    run: () => timed(values.python, ['-c', NUMPY, files.npz]),
    mean: Number,
  },
  { name: 'focal loss, .npz', run: focal('--input', files.npz), mean: focalMean },
  {
    name: 'focal loss, two .npy',
    run: focal('--input', files.p, '--labels', files.y, '--columns', `p=p${n}`),
    mean: focalMean,
  },
  {
    name: 'DuckDB (SQL avg), Parquet',
    peer: true,
    run: () => timed(process.execPath, ['bench/duckdb-fl.mjs', 'parquet', files.parquet]),
    mean: (out) => Number(out.split(' ')[0]),
  },
  { name: 'focal loss, Parquet (DuckDB-written)', run: focal('--input', files.parquet), mean: focalMean },
  { name: 'focal loss, Arrow IPC file', run: focal('--input', files.arrow), mean: focalMean },
];

const samples = runs.map(() => []);
for (let round = 0; round < Number(values.rounds); round++) runs.forEach((r, i) => samples[i].push(r.run()));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = runs.map((r, i) => ({
  ...r,
  seconds: median(samples[i].map((s) => s.seconds)),
  mib: median(samples[i].map((s) => s.mib)),
  fl: r.mean(samples[i][0].stdout),
}));
const [numpy, , , duckdb] = results;

console.log(
  `${n} rows (p float64, y uint8); medians of ${values.rounds} interleaved rounds; exact mean FL ${reference}`,
);
console.log('');
console.log('| input | wall | peak RSS | time / peer | memory / peer | mean FL | exactly rounded |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const peer = r.name.includes('Parquet') || r.name.includes('Arrow') ? duckdb : numpy;
  const ratio = (a, b) => (r.peer ? '—' : (a / b).toFixed(2));
  console.log(
    `| ${r.name} | ${r.seconds.toFixed(2)} s | ${r.mib.toFixed(0)} MiB | ${ratio(r.seconds, peer.seconds)} | ${ratio(r.mib, peer.mib)} | ${r.fl} | ${r.fl === reference ? 'yes' : 'no'} |`,
  );
}
console.log('');
console.log('time / peer and memory / peer: against numpy for .npz and .npy, against DuckDB for Parquet and Arrow.');
