#!/usr/bin/env node
// Writes the DuckDB-made Parquet fixtures of test/fixtures/formats/ from binary.csv, with DuckDB
// itself (a benchmark-only dependency: npm install --prefix bench):
//   node bench/gen-duckdb-fixtures.mjs
// binary_duckdb.parquet: DuckDB's defaults (snappy, data pages v1, dictionary-encoded labels,
// optional columns), row groups of 16 rows; binary_duckdb_v2.parquet: zstd and data pages v2;
// binary_duckdb_null.parquet: the same with p null in row 7; binary_duckdb_{gzip,zstd,none}.parquet:
// DuckDB's defaults under each other codec (gzip, zstd, uncompressed), row groups of 16 rows.
import { DuckDBInstance } from '@duckdb/node-api';

const dir = new URL('../test/fixtures/formats/', import.meta.url).pathname;
const connection = await (await DuckDBInstance.create(':memory:')).connect();
await connection.run(`CREATE TABLE t AS SELECT p::DOUBLE AS p, y::INTEGER AS y FROM read_csv('${dir}binary.csv')`);
await connection.run(`COPY t TO '${dir}binary_duckdb.parquet' (FORMAT parquet, ROW_GROUP_SIZE 16)`);
await connection.run(
  `COPY t TO '${dir}binary_duckdb_v2.parquet' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2)`,
);
await connection.run(
  `COPY (SELECT CASE WHEN rowid = 6 THEN NULL ELSE p END AS p, y FROM t) TO '${dir}binary_duckdb_null.parquet' (FORMAT parquet)`,
);
for (const codec of ['gzip', 'zstd', 'uncompressed'])
  await connection.run(
    `COPY t TO '${dir}binary_duckdb_${codec === 'uncompressed' ? 'none' : codec}.parquet' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 16)`,
  );
