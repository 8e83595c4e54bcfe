#!/usr/bin/env node
// DuckDB, the peer of `focal loss` in bench/run.mjs (CSV) and bench/cli-formats.mjs (Parquet): the
// naive formula in SQL (γ = 2, α = 0.25) with avg, as a user who knows SQL would write it; run as
// a process of its own so that its time and peak memory are measured alone.
// Needs the benchmark-only install: npm install --prefix bench (bench/package.json).
//   node bench/duckdb-fl.mjs csv FILE.csv             prints: <mean FL> <rows>
//   node bench/duckdb-fl.mjs parquet FILE.parquet     prints: <mean FL> <rows>
//   node bench/duckdb-fl.mjs write SRC DST [CODEC]    SRC (any file DuckDB reads, or a query in
//                                                      parentheses) as DuckDB's own Parquet
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, file, out, codec = 'snappy'] = process.argv.slice(2);
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const connection = await (await DuckDBInstance.create(':memory:')).connect();
const FL =
  'avg(CASE WHEN y = 1 THEN 0.25 * pow(1 - p, 2) * -ln(p) ELSE 0.75 * pow(p, 2) * -ln(1 - p) END) AS fl, count(*) AS n';
const tables = {
  csv: () => `read_csv(${quote(file)}, header = true, columns = {'p': 'DOUBLE', 'y': 'INTEGER'})`,
  parquet: () => `read_parquet(${quote(file)})`,
};
if (mode in tables) {
  const reader = await connection.runAndReadAll(`SELECT ${FL} FROM ${tables[mode]()}`);
  const [fl, n] = reader.getRows()[0];
  console.log(`${fl} ${n}`);
} else if (mode === 'write') {
  const from = file.startsWith('(') ? file : quote(file);
  await connection.run(`COPY (SELECT p, y FROM ${from}) TO ${quote(out)} (FORMAT parquet, COMPRESSION ${codec})`);
} else {
  console.error('usage: node bench/duckdb-fl.mjs csv FILE | parquet FILE | write SRC DST [CODEC]');
  process.exit(2);
}
