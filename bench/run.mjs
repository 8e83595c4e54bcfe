#!/usr/bin/env node
// Throughput and memory of `focal loss --input FILE --reduction mean` against the peers that
// are installed (DuckDB from `npm install --prefix bench`, mawk/awk, Python with pandas + numpy),
// on the same file in the same run, interleaved; each peer is a process of its own, timed with
// its peak RSS. See docs/performance.md for installing the peers.
// Usage: node bench/run.mjs [--rows 10000000] [--repeat 3] [--baseline DIR] [--dist detector|uniform]
// --dist: the distribution of p (bench/gen-data.mjs): a skewed detector's scores (the default,
// with the logit, NDJSON and gzip forms too) or p uniform on (0, 1) (the CSV alone).
// --baseline DIR adds a row for another focal build (DIR/bin/focal.js, e.g. a checkout of main),
// timed in the same run, for before/after figures.
// Needs a build (npm run build); generates bench/data/p<rows>.csv on first use.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    repeat: { type: 'string', default: '3' },
    baseline: { type: 'string' },
    dist: { type: 'string', default: 'detector' },
  },
});
if (!['detector', 'uniform'].includes(values.dist)) throw new Error(`--dist: detector or uniform, not ${values.dist}`);
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const label = rows % 1_000_000 === 0 ? `${rows / 1_000_000}m` : String(rows);
const file = `bench/data/${values.dist === 'uniform' ? 'u' : 'p'}${label}.csv`;
if (!existsSync(file))
  execFileSync(process.execPath, ['bench/gen-data.mjs', '--rows', String(rows), '--dist', values.dist], {
    stdio: 'inherit',
  });

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const pythonWithPandas = ['/usr/bin/python3', 'python3'].find(
  (py) => spawnSync(py, ['-c', 'import pandas, numpy']).status === 0,
);

/** name → [command, args, parse(stdout) → mean FL] */
const tools = {
  focal: [
    process.execPath,
    ['bin/focal.js', 'loss', '--input', file, '--reduction', 'mean', '--json'],
    (out) => JSON.parse(out).summary.fl,
  ],
  'focal (1 thread)': [
    process.execPath,
    ['bin/focal.js', 'loss', '--input', file, '--reduction', 'mean', '--json', '--threads', '1'],
    (out) => JSON.parse(out).summary.fl,
  ],
};
if (values.baseline)
  tools['focal, baseline build'] = [
    process.execPath,
    [`${values.baseline}/bin/focal.js`, 'loss', '--input', file, '--reduction', 'mean', '--json'],
    (out) => JSON.parse(out).summary.fl,
  ];
// the other inputs the generator writes: focal alone (the peers above read the p CSV)
for (const [name, input] of values.dist === 'uniform'
  ? []
  : [
      ['focal, logit CSV', `bench/data/logit${label}.csv`],
      ['focal, NDJSON', `bench/data/p${label}.ndjson`],
      ['focal, gzip CSV', `bench/data/p${label}.csv.gz`],
    ]) {
  if (existsSync(input))
    tools[name] = [
      process.execPath,
      ['bin/focal.js', 'loss', '--input', input, '--reduction', 'mean', '--json'],
      (out) => JSON.parse(out).summary.fl,
    ];
}
if (existsSync('bench/node_modules/@duckdb/node-api/package.json'))
  tools['DuckDB (read_csv + SQL)'] = [
    process.execPath,
    ['bench/duckdb-fl.mjs', 'csv', file],
    (out) => Number(out.split(' ')[0]),
  ];
if (has('mawk')) tools.mawk = ['mawk', ['-F,', '-f', 'bench/fl.awk', file], (out) => Number(out.split(' ')[0])];
else if (has('awk')) tools.awk = ['awk', ['-F,', '-f', 'bench/fl.awk', file], (out) => Number(out.split(' ')[0])];
if (pythonWithPandas)
  tools['pandas + numpy'] = [pythonWithPandas, ['bench/fl_pandas.py', file], (out) => Number(out.split(' ')[0])];

function run(name) {
  const [cmd, args, parse] = tools[name];
  const argv = timeBin ? [timeBin, ['-f', '%M', cmd, ...args]] : [cmd, args];
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv[1], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  const rssKiB = timeBin ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { seconds, rssMiB: rssKiB / 1024, fl: parse(r.stdout.trim()) };
}

// Reference: the exactly rounded sum (math.fsum) of per-row values, when pandas is there.
let reference = NaN;
if (pythonWithPandas) {
  const out = execFileSync(pythonWithPandas, ['bench/fl_pandas.py', file, '--reference'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  reference = Number(out.trim().split(' ')[1]);
}

const results = Object.fromEntries(Object.keys(tools).map((n) => [n, []]));
for (let i = 0; i < repeat; i++) for (const name of Object.keys(tools)) results[name].push(run(name));

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const focalRate = rows / median(results.focal.map((r) => r.seconds));
console.log(
  `${rows.toLocaleString('en-US')} rows (${file}), median of ${repeat} interleaved runs, ${process.platform} ${process.arch}, node ${process.version}`,
);
console.log('| tool | wall s | rows/s | peak RSS MiB | focal is … × faster | mean FL | rel. diff. from reference |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, rs] of Object.entries(results)) {
  const s = median(rs.map((r) => r.seconds));
  const rate = rows / s;
  const rss = Math.max(...rs.map((r) => r.rssMiB));
  const fl = rs[0].fl;
  // the logit file holds other numbers (logits of the p's, rounded), so no reference for it
  const diff =
    Number.isNaN(reference) || name.includes('logit') ? 'n/a' : (Math.abs(fl - reference) / reference).toExponential(1);
  console.log(
    `| ${name} | ${s.toFixed(2)} | ${(rate / 1e6).toFixed(2)} M | ${Number.isNaN(rss) ? 'n/a' : rss.toFixed(0)} | ${(focalRate / rate).toFixed(2)} | ${fl} | ${diff} |`,
  );
}
if (!Number.isNaN(reference)) console.log(`reference mean FL (math.fsum of per-row float64 values): ${reference}`);
