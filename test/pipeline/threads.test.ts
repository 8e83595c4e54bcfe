import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli.js';
import { mulberry32 as random } from '../helpers/seeded.js';
import { npyBytes } from '../helpers/npy.js';

/**
 * The pipeline on worker threads, run from the sources (the in-process CLI hands the pipeline a
 * worker built from src/pipeline/worker.ts, test/helpers/worker.ts): every format split across
 * threads gives the report of one thread, bit for bit (the collectors' sums are exact).
 */

const dir = mkdtempSync(join(tmpdir(), 'focal-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

// 300,000 rows: the .npy decoder cuts float64 arrays into batches of 131,072 rows, so three
// threads each get work; probabilities over many magnitudes, so that a plain or compensated sum
// would depend on the split.
const N = 300_000;
const rand = random(2024);
const p = Float64Array.from({ length: N }, () =>
  rand() < 0.2 ? 10 ** (-300 * rand()) : rand() < 0.1 ? 1 - 2 ** -52 * Math.floor(1 + 100 * rand()) : rand(),
);
const y = Float64Array.from({ length: N }, () => (rand() < 0.3 ? 1 : 0));

const npy = (values: Float64Array): Buffer => npyBytes(values);

const csv = file('all.csv', `p,y\n${Array.from(p, (v, i) => `${v},${y[i]}`).join('\n')}\n`);
const pNpy = file('p.npy', npy(p));
const yNpy = file('y.npy', npy(y));
const parquet = file(
  'all.parquet',
  new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'p', data: p, type: 'DOUBLE' },
        { name: 'y', data: Int32Array.from(y), type: 'INT32' },
      ],
      rowGroupSize: 40_000,
    }),
  ),
);
// an Arrow file of several record batches
const chunk = 50_000;
const batches = Array.from(
  { length: Math.ceil(N / chunk) },
  (_, k) =>
    tableFromArrays({
      p: p.slice(k * chunk, (k + 1) * chunk),
      y: Int32Array.from(y.subarray(k * chunk, (k + 1) * chunk)),
    }).batches,
).flat();
const arrow = file('all.arrow', tableToIPC(new Table(batches), 'file'));

const INPUTS: [string, string[]][] = [
  ['CSV', ['--input', csv]],
  ['two .npy', ['--input', pNpy, '--labels', yNpy]],
  ['Parquet (row groups)', ['--input', parquet]],
  ['Arrow (record batches)', ['--input', arrow]],
];

async function json(argv: string[]): Promise<any> {
  const r = await runCli([...argv, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseJson(r.stdout);
}

describe('threads from the sources: the report of one thread, bit for bit', () => {
  it.each(INPUTS)(
    'loss, %s: --threads 3 = --threads 1',
    async (_name, input) => {
      const one = await json(['loss', ...input, '--threads', '1']);
      const three = await json(['loss', ...input, '--threads', '3']);
      expect(one.params.threads).toBe(1);
      expect(three.params.threads).toBe(3);
      expect(three.summary).toEqual(one.summary);
      expect(one.summary.n).toBe(N);
    },
    60_000,
  );

  it('every format gives the same totals as the CSV', async () => {
    const summaries = await Promise.all(
      INPUTS.map(([, input]) => json(['loss', ...input, '--threads', '2', '--reduction', 'sum'])),
    );
    for (const s of summaries.slice(1))
      expect({ ...s.summary, skipped: 0 }).toEqual({ ...summaries[0].summary, skipped: 0 });
  }, 60_000);

  it.each(INPUTS.slice(0, 3))(
    'anatomy, %s: --threads 2 = --threads 1 (every table)',
    async (_name, input) => {
      const one = await json(['anatomy', ...input, '--threads', '1']);
      const two = await json(['anatomy', ...input, '--threads', '2']);
      expect(two).toEqual(one);
    },
    60_000,
  );

  // the sweep's collector takes the raw predictions (no loss evaluated by the pipeline): its exact
  // sums merge across workers, so the whole report (every grid cell and α*) keeps its bits
  it.each([INPUTS[0]!, INPUTS[1]!])(
    'sweep, %s: --threads 3 = --threads 1, byte for byte',
    async (_name, input) => {
      const argv = ['sweep', ...input, '--gamma', '0:5:0.5', '--json'];
      const [one, three] = [await runCli([...argv, '--threads', '1']), await runCli([...argv, '--threads', '3'])];
      expect(one.stderr).toBe('');
      expect(one.code).toBe(0);
      expect(parseJson(one.stdout).summary.n).toBe(N);
      expect(parseJson(one.stdout).rows).toHaveLength(11 * 19);
      expect(three).toEqual(one);
    },
    60_000,
  );

  it('sweep: a soft label found by a later thread is named as one thread names it', async () => {
    const soft = Float64Array.from(y);
    soft[250_000] = 0.5;
    const labels = file('soft-y.npy', npy(soft));
    const argv = ['sweep', '--input', pNpy, '--labels', labels, '--json'];
    const one = await runCli([...argv, '--threads', '1']);
    const three = await runCli([...argv, '--threads', '3']);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(
      /^focal: error: .*soft-y\.npy: row 250001: label 0\.5: sweep needs hard labels 0 or 1, but the label is 0\.5\n$/,
    );
    expect(three).toEqual(one);
  }, 60_000);

  it('a bad value found by a later thread is the error one thread gives', async () => {
    const bad = Float64Array.from(p);
    bad[250_000] = 1.5;
    const path = file('bad.npy', npy(bad));
    const one = await runCli(['loss', '--input', path, '--labels', yNpy, '--columns', 'p=bad', '--threads', '1']);
    const three = await runCli(['loss', '--input', path, '--labels', yNpy, '--columns', 'p=bad', '--threads', '3']);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/row 250001: p = 1\.5 is not in \[0, 1\]/);
    expect(three).toEqual(one);
  }, 60_000);
});

describe('anatomy --partial and merge: the report of one run, bit for bit', () => {
  const rows = Array.from({ length: 3000 }, (_, i) => ({ p: p[i]!, y: y[i]! }));
  const csvOf = (part: typeof rows) => `p,y\n${part.map((r) => `${r.p},${r.y}`).join('\n')}\n`;
  const whole = file('anatomy-all.csv', csvOf(rows));

  it.each([1, 2, 3])(
    'random split %i into CSV and .npy shards',
    async (seed) => {
      const r = random(seed * 104729);
      const cuts = [
        ...new Set(Array.from({ length: 2 + Math.floor(r() * 4) }, () => 1 + Math.floor(r() * (rows.length - 1)))),
      ].sort((a, b) => a - b);
      const bounds = [0, ...cuts, rows.length];
      const partials: string[] = [];
      for (let k = 0; k + 1 < bounds.length; k++) {
        const part = rows.slice(bounds[k], bounds[k + 1]);
        const input =
          r() < 0.5
            ? ['--input', file(`a${seed}-${k}.csv`, csvOf(part))]
            : [
                '--input',
                file(`ap${seed}-${k}.npy`, npy(Float64Array.from(part, (x) => x.p))),
                '--labels',
                file(`ay${seed}-${k}.npy`, npy(Float64Array.from(part, (x) => x.y))),
                '--columns',
                `p=ap${seed}-${k}`,
              ];
        const out = join(dir, `anatomy-${seed}-${k}.json`);
        const w = await runCli(['anatomy', ...input, '--buckets', '7', '--partial', out]);
        expect(w.stderr).toBe('');
        expect(w.code).toBe(0);
        partials.push(out);
      }
      const merged = await json(['merge', ...partials]);
      const single = await json(['anatomy', '--input', whole, '--buckets', '7']);
      expect(merged.params.shards).toBe(partials.length);
      const { params: _a, ...mergedReport } = merged;
      const { params: _b, ...singleReport } = single;
      expect(mergedReport).toEqual(singleReport);
    },
    60_000,
  );

  it('shards of different parameters do not merge', async () => {
    const a = join(dir, 'b4.json');
    const b = join(dir, 'b5.json');
    await runCli(['anatomy', '--input', whole, '--buckets', '4', '--partial', a]);
    await runCli(['anatomy', '--input', whole, '--buckets', '5', '--partial', b]);
    const r = await runCli(['merge', a, b]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/buckets = 5.*buckets = 4: partial results merge only when every parameter agrees/);
  });
});
