#!/usr/bin/env node
// DuckDB, the peer of `focal loss` on Parquet in bench/cli-formats.mjs (a process of its own, so
// that its time and peak memory are measured alone). Needs `npm install --prefix bench`.
//   node bench/duckdb-fl.mjs fl FILE.parquet          mean FL (γ = 2, α = 0.25) in SQL, printed
//   node bench/duckdb-fl.mjs write SRC DST [CODEC]    SRC (any file DuckDB reads, or a query in
//                                                      parentheses) as DuckDB's own Parquet
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, file, out, codec = 'snappy'] = process.argv.slice(2);
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const connection = await (await DuckDBInstance.create(':memory:')).connect();
if (mode === 'fl') {
  const reader = await connection.runAndReadAll(
    `SELECT avg(CASE WHEN y = 1 THEN 0.25*pow(1-p,2)*-ln(p) ELSE 0.75*pow(p,2)*-ln(1-p) END) FROM read_parquet(${quote(file)})`,
  );
  console.log(String(reader.getRows()[0][0]));
} else if (mode === 'write') {
  // SRC: a file, or a query in parentheses (e.g. generated rows)
  const from = file.startsWith('(') ? file : quote(file);
  await connection.run(`COPY (SELECT p, y FROM ${from}) TO ${quote(out)} (FORMAT parquet, COMPRESSION ${codec})`);
} else {
  console.error('usage: node bench/duckdb-fl.mjs fl FILE | write SRC DST [CODEC]');
  process.exit(2);
}
