#!/usr/bin/env node
// Time and peak RSS of the new pipeline's decoders on 10^7 rows (p float64, y uint8), mean FL.
// Usage: python3 bench/gen-formats.py 10000000 && node bench/formats.mjs [--rows 10000000]
// Writes bench/data/py<N>.parquet (hyparquet-writer, snappy, DuckDB's row groups of 122,880)
// and .arrow (apache-arrow) from the .npy files on first use.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000000' } } });
const n = values.rows;
const npz = `bench/data/py${n}.npz`;
const parquet = `bench/data/py${n}.parquet`;
const arrow = `bench/data/py${n}.arrow`;

function npyData(file) {
  const b = readFileSync(file);
  const offset = 10 + b.readUInt16LE(8);
  return b.subarray(offset);
}
if (!existsSync(parquet) || !existsSync(arrow)) {
  const pb = npyData(`bench/data/p${n}.npy`);
  const p = new Float64Array(pb.buffer.slice(pb.byteOffset, pb.byteOffset + pb.byteLength));
  const y = Uint8Array.from(npyData(`bench/data/y${n}.npy`));
  const { parquetWriteFile } = await import('hyparquet-writer');
  parquetWriteFile({
    filename: parquet,
    columnData: [
      { name: 'p', data: p, type: 'DOUBLE' },
      { name: 'y', data: Int32Array.from(y), type: 'INT32' },
    ],
    rowGroupSize: 122880,
  });
  const { tableFromArrays, tableToIPC } = await import('apache-arrow');
  writeFileSync(arrow, tableToIPC(tableFromArrays({ p, y }), 'file'));
}

await build({
  entryPoints: ['bench/formats-entry.ts'],
  outfile: 'bench/data/formats-entry.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
});

for (const [format, file] of [
  ['npz', npz],
  ['parquet', parquet],
  ['arrow', arrow],
]) {
  for (const mode of ['decode', 'full']) {
    const r = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, 'bench/data/formats-entry.mjs', format, file, mode],
      { encoding: 'utf8' },
    );
    const out = JSON.parse(r.stdout);
    const rssMiB = Number(r.stderr.trim().split('\n').pop()) / 1024;
    console.log(
      `${format.padEnd(8)} ${mode.padEnd(7)} ${out.seconds.toFixed(2)} s  ${rssMiB.toFixed(0)} MiB  rows ${out.rows}  mean FL ${out.fl_mean}`,
    );
  }
}
