// Writes the Parquet and Arrow fixtures of test/fixtures/formats/ from the CSVs that
// scripts/gen_format_fixtures.py wrote, with the writers those formats' users have:
//   node scripts/gen_format_fixtures.mjs
// Parquet: hyparquet-writer (snappy, several row groups; one file uncompressed with float/boolean
// columns; list<double> vectors). Arrow: apache-arrow, IPC file and stream, two record batches each.
import { readFileSync, writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import {
  Field,
  FixedSizeList,
  Float32,
  Int64,
  Table,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';

const dir = new URL('../test/fixtures/formats/', import.meta.url);
const write = (name, bytes) => writeFileSync(new URL(name, dir), bytes);

function readCsv(name) {
  const [header, ...lines] = readFileSync(new URL(name, dir), 'utf8').trim().split('\n');
  const names = header.split(',');
  const cols = Object.fromEntries(names.map((n) => [n, []]));
  for (const line of lines) line.split(',').forEach((v, j) => cols[names[j]].push(Number(v)));
  return cols;
}

const binary = readCsv('binary.csv');
const p = Float64Array.from(binary.p);
const y = Uint8Array.from(binary.y);
const vectors = readCsv('vectors.csv');
const K = 4;
const rows = vectors.target.length;
const logits = vectors.target.map((_, r) => Array.from({ length: K }, (_, j) => vectors[`x${j}`][r]));

// --- Parquet ---
write(
  'binary.parquet',
  new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'p', data: p, type: 'DOUBLE' },
        { name: 'y', data: Int32Array.from(y), type: 'INT32' },
        { name: 'unused', data: Array.from(y, (v) => `label ${v}`), type: 'STRING' },
      ],
      rowGroupSize: 16,
    }),
  ),
);
write(
  'binary_plain.parquet',
  new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'p', data: Float32Array.from(p), type: 'FLOAT' },
        { name: 'y', data: Array.from(y, (v) => v === 1), type: 'BOOLEAN' },
      ],
      codec: 'UNCOMPRESSED',
    }),
  ),
);
write(
  'vectors.parquet',
  new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'logits', data: logits },
        { name: 'target', data: BigInt64Array.from(vectors.target, BigInt) },
      ],
      // the 3-level LIST that pandas/pyarrow, polars and DuckDB write for a list of doubles
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'logits', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 'target', type: 'INT64', repetition_type: 'REQUIRED' },
      ],
      rowGroupSize: 5,
    }),
  ),
);

// --- Arrow: two record batches, so readers must handle more than one ---
const half = 24;
const binaryTable = tableFromArrays({ p: p.subarray(0, half), y: y.subarray(0, half) }).concat(
  tableFromArrays({ p: p.subarray(half), y: y.subarray(half) }),
);
write('binary.arrow', tableToIPC(binaryTable, 'file'));
write('binary.arrows', tableToIPC(binaryTable, 'stream'));

const listType = new FixedSizeList(K, new Field('item', new Float32(), false));
const vectorsTable = new Table({
  logits: vectorFromArray(logits, listType),
  target: vectorFromArray(BigInt64Array.from(vectors.target, BigInt), new Int64()),
});
write('vectors.arrow', tableToIPC(vectorsTable, 'file'));
console.log('wrote Parquet and Arrow fixtures in', dir.pathname);
