// Peer for bench/run.mjs: mean focal loss of a p,y CSV with DuckDB (γ = 2, α = 0.25), the naive
// formula in SQL over read_csv, as a user who knows SQL would write it. Prints: <mean FL> <rows>
// Needs the benchmark-only install: npm install --prefix bench (bench/package.json).
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(
  `SELECT avg(CASE WHEN y = 1 THEN 0.25 * pow(1 - p, 2) * -ln(p) ELSE 0.75 * pow(p, 2) * -ln(1 - p) END) AS fl, count(*) AS n
   FROM read_csv(${`'${file.replaceAll("'", "''")}'`}, header = true, columns = {'p': 'DOUBLE', 'y': 'INTEGER'})`,
);
const [fl, n] = reader.getRows()[0];
console.log(`${fl} ${n}`);
