#!/usr/bin/env node
// Peak RSS (all threads of the process, from GNU time) and wall time of the built CLI on N rows
// in every input format and for the grid and calibration commands, on two threads and on one:
// issue 9 asks for ≤ 100 MiB at any size. Prints a markdown table; a row over the bound is marked.
// Usage: npm run build && node bench/memory.mjs [--rows 100000000] [--dir /tmp/focal-mem]
//        [--only csv,gzip,…] [--threads 2,1] [--focal bin/focal.js] [--clean]
// The inputs are written to --dir on first use (10^8 rows: ~13 GB, several minutes; --clean
// deletes them at the end): the text files by bench/gen-data.mjs, the binary ones (p float64,
// y uint8) by numpy (.npy, .npz), hyparquet-writer (Parquet) and apache-arrow (Arrow).
import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  readFileSync,
  rmSync,
  fstatSync,
} from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    dir: { type: 'string', default: '/tmp/focal-mem' },
    only: { type: 'string' },
    threads: { type: 'string', default: '2,1' },
    focal: { type: 'string', default: 'bin/focal.js' },
    python: { type: 'string', default: 'python3' },
    clean: { type: 'boolean', default: false },
  },
});
const n = Number(values.rows);
const dir = values.dir;
const label = n % 1_000_000 === 0 ? `${n / 1_000_000}m` : String(n);
const BOUND_MIB = 100;
const BASE_ROWS = 10_000_000;

const f = {
  csv: `${dir}/p${label}.csv`,
  gzip: `${dir}/p${label}.csv.gz`,
  ndjson: `${dir}/p${label}.ndjson`,
  p: `${dir}/p${n}.npy`,
  y: `${dir}/y${n}.npy`,
  npz: `${dir}/py${n}.npz`,
  parquet: `${dir}/py${n}.parquet`,
  arrow: `${dir}/py${n}.arrow`,
};

/**
 * The text files of k × 10^7 rows: bench/gen-data.mjs's 10^7 rows (from bench/data, else written
 * to --dir) k times over, the header once (gen-data writes 10^8 rows in ~30 min; memory does not
 * depend on the values repeating). The gzip file is one gzip member, as gzip writes it.
 */
async function repeatText(k) {
  const base = existsSync('bench/data/p10m.csv') ? 'bench/data' : dir;
  if (!existsSync(`${base}/p10m.csv`) || !existsSync(`${base}/p10m.ndjson`))
    run(process.execPath, ['bench/gen-data.mjs', '--rows', String(BASE_ROWS), '--out', base]);
  const csvBody = () => {
    const first = readFileSync(`${base}/p10m.csv`);
    return { header: first.subarray(0, first.indexOf(10) + 1), body: first.subarray(first.indexOf(10) + 1) };
  };
  const { header, body } = csvBody();
  const copies = function* (head, part) {
    if (head) yield head;
    for (let i = 0; i < k; i++)
      for (let at = 0; at < part.length; at += 1 << 20) yield part.subarray(at, at + (1 << 20));
  };
  await pipeline(Readable.from(copies(header, body)), createWriteStream(f.csv));
  await pipeline(Readable.from(copies(header, body)), createGzip({ level: 1 }), createWriteStream(f.gzip));
  await pipeline(Readable.from(copies(null, readFileSync(`${base}/p10m.ndjson`))), createWriteStream(f.ndjson));
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

mkdirSync(dir, { recursive: true });
if (!existsSync(f.csv) || !existsSync(f.gzip) || !existsSync(f.ndjson)) {
  if (n > BASE_ROWS && n % BASE_ROWS === 0) await repeatText(n / BASE_ROWS);
  else run(process.execPath, ['bench/gen-data.mjs', '--rows', String(n), '--out', dir]);
}
if (!existsSync(f.p) || !existsSync(f.y) || !existsSync(f.npz))
  run(values.python, [
    '-c',
    `import numpy as np
rng = np.random.default_rng(1)
n = ${n}
p = rng.random(n)
y = (rng.random(n) < 0.25).astype(np.uint8)
np.save('${f.p}', p)
np.save('${f.y}', y)
np.savez('${f.npz}', p=p, y=y)`,
  ]);

/** The data of a little-endian .npy file, read into memory (10^8 doubles: 800 MB). */
function npyData(file) {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(10);
    readSync(fd, head, 0, 10, 0);
    const offset = 10 + head.readUInt16LE(8);
    const data = Buffer.alloc(fstatSync(fd).size - offset);
    readSync(fd, data, 0, data.length, offset);
    return data;
  } finally {
    closeSync(fd);
  }
}
if (!existsSync(f.parquet) || !existsSync(f.arrow)) {
  const pb = npyData(f.p);
  const p = new Float64Array(pb.buffer, pb.byteOffset, pb.byteLength / 8);
  const y = new Uint8Array(npyData(f.y));
  if (!existsSync(f.parquet)) {
    const { parquetWriteFile } = await import('hyparquet-writer');
    parquetWriteFile({
      filename: f.parquet,
      columnData: [
        { name: 'p', data: p, type: 'DOUBLE' },
        { name: 'y', data: Int32Array.from(y), type: 'INT32' },
      ],
      rowGroupSize: 122880,
    });
  }
  if (!existsSync(f.arrow)) {
    const { tableFromArrays, RecordBatchFileWriter } = await import('apache-arrow');
    // batches of 2^20 rows, written as they are made (tableToIPC would hold the whole file)
    const writer = RecordBatchFileWriter.throughNode();
    const done = pipeline(writer, createWriteStream(f.arrow));
    for (let at = 0; at < n; at += 1 << 20) {
      const end = Math.min(n, at + (1 << 20));
      for (const batch of tableFromArrays({ p: p.slice(at, end), y: y.slice(at, end) }).batches) writer.write(batch);
    }
    writer.end();
    await done;
  }
}

const focal = (command, ...args) => [process.execPath, values.focal, command, ...args];
const threaded = (t) => ['--threads', String(t)];
const grid = ['--gamma', '0:5:0.5', '--alpha', '0.05:0.95:0.05', '--format', 'json'];
/** name → the command for t threads (a string: run by sh, for the pipe) */
const cases = {
  csv: (t) => focal('loss', '--input', f.csv, ...threaded(t), '--json'),
  gzip: (t) => focal('loss', '--input', f.gzip, ...threaded(t), '--json'),
  ndjson: (t) => focal('loss', '--input', f.ndjson, ...threaded(t), '--json'),
  stdin: (t) => `cat ${f.csv} | ${focal('loss', '--input', '-', ...threaded(t), '--json').join(' ')}`,
  npy: (t) => focal('loss', '--input', f.p, '--labels', f.y, '--columns', `p=p${n}`, ...threaded(t), '--json'),
  npz: (t) => focal('loss', '--input', f.npz, ...threaded(t), '--json'),
  parquet: (t) => focal('loss', '--input', f.parquet, ...threaded(t), '--json'),
  arrow: (t) => focal('loss', '--input', f.arrow, ...threaded(t), '--json'),
  sweep: (t) => focal('sweep', '--input', f.csv, ...grid, ...threaded(t)),
  'sweep gzip': (t) => focal('sweep', '--input', f.gzip, ...grid, ...threaded(t)),
  anatomy: (t) => focal('anatomy', '--input', f.csv, ...threaded(t), '--json'),
  // calibration runs on one thread (it has no --threads)
  calibration: (t) => (t === 1 ? focal('calibration', '--input', f.csv, '--format', 'json') : null),
};
const only = values.only === undefined ? Object.keys(cases) : values.only.split(',').filter((c) => c !== '');
for (const name of only)
  if (!(name in cases)) throw new Error(`--only: no case ${name} (${Object.keys(cases).join(', ')})`);
const threads = values.threads.split(',').map(Number);

/** Runs one command under GNU time: wall seconds, peak RSS in MiB (the process that ran node). */
function measure(command) {
  const time = ['/usr/bin/time', '-f', 'focal-mem %e %M'];
  const r =
    typeof command === 'string'
      ? spawnSync(
          'sh',
          ['-c', command.replace(process.execPath, `${time[0]} ${time[1]} '${time[2]}' ${process.execPath}`)],
          {
            encoding: 'utf8',
            maxBuffer: 1 << 26,
          },
        )
      : spawnSync(time[0], [...time.slice(1), ...command], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('focal-mem '));
  if (r.status !== 0 || !line) throw new Error(`${[command].flat().join(' ')}: ${r.stderr}`);
  const [, seconds, kb] = line.split(' ');
  return { seconds: Number(seconds), mib: Number(kb) / 1024 };
}

console.log(`| ${n.toExponential(0)} rows | threads | wall s | peak RSS MiB |`);
console.log('| --- | --- | --- | --- |');
for (const name of only) {
  for (const t of threads) {
    const command = cases[name](t);
    if (command === null) continue;
    const { seconds, mib } = measure(command);
    const over = mib > BOUND_MIB ? ` **> ${BOUND_MIB}**` : '';
    console.log(`| ${name} | ${t} | ${seconds.toFixed(2)} | ${mib.toFixed(0)}${over} |`);
  }
}
if (values.clean) rmSync(dir, { recursive: true, force: true });
