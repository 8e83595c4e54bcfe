/**
 * A worker's part of a binary input (parts.ts): each decoder reads only its part — .npy rows as
 * a byte range (a stored .npz member too; a deflated one inflates the rows before and drops
 * them), Parquet row groups, Arrow slices of record batches — and the parts, in order, are the
 * whole input. Then on threads from the sources: the report and the errors of one thread, with
 * uneven parts and with fewer row groups, slices or rows than workers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Field, Float64, List, Table, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import type { ColumnBatch } from '../../src/pipeline/columns.js';
import { arrowAtOffsets } from '../../src/pipeline/decode/arrow-ipc.js';
import { decodeNpy } from '../../src/pipeline/decode/npy.js';
import { listNpz, npzArray } from '../../src/pipeline/decode/npz.js';
import { decodeParquet } from '../../src/pipeline/decode/parquet.js';
import { columnarBatches, type ColumnarFile } from '../../src/pipeline/open.js';
import { inPart, rowRange, type Part } from '../../src/pipeline/parts.js';
import { openRandomAccess, rangeReader, type RandomAccess } from '../../src/pipeline/source.js';
import { parseJson, runCli } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';
import { npzBytes } from '../helpers/npz.js';
import { mulberry32 as random } from '../helpers/seeded.js';

const dir = mkdtempSync(join(tmpdir(), 'focal-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: Uint8Array): string => {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
};

// 300,000 rows: more than two of the .npy decoder's batches (131,072 float64 rows) and of the
// Arrow reader's slices; probabilities over many magnitudes, so that a sum that is not exact
// would depend on the split
const N = 300_000;
const rand = random(99);
const p = Float64Array.from({ length: N }, () => (rand() < 0.2 ? 10 ** (-300 * rand()) : rand()));
const y = Float64Array.from({ length: N }, () => (rand() < 0.3 ? 1 : 0));

const pNpy = file('p.npy', npyBytes(p));
const yNpy = file('y.npy', npyBytes(y));
const stored = file('stored.npz', npzBytes({ p: npyBytes(p), y: npyBytes(y) }, 'stored'));
const deflated = file('deflated.npz', npzBytes({ p: npyBytes(p), y: npyBytes(y) }, 'deflated'));
const parquetOf = (rowGroupSize: number, name: string): string =>
  file(
    name,
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'p', data: p, type: 'DOUBLE' },
          { name: 'y', data: Int32Array.from(y), type: 'INT32' },
        ],
        rowGroupSize,
      }),
    ),
  );
/** 5 row groups, the last of 19,996 rows */
const parquetUneven = parquetOf(70_001, 'uneven.parquet');
/** 2 row groups: fewer than 3 workers */
const parquetTwo = parquetOf(200_000, 'two.parquet');
/** one record batch of all the rows (3 slices) */
const arrowOne = file('one.arrow', tableToIPC(tableFromArrays({ p, y: Int32Array.from(y) }), 'file'));
/** record batches of uneven lengths (the first of one row), in the stream format */
const cuts = [0, 1, 70_000, 250_000, N];
const arrowUneven = file(
  'uneven.arrows',
  tableToIPC(
    new Table(
      cuts
        .slice(1)
        .flatMap(
          (end, k) =>
            tableFromArrays({ p: p.slice(cuts[k], end), y: Int32Array.from(y.subarray(cuts[k], end)) }).batches,
        ),
    ),
    'stream',
  ),
);

const columnar = (path: string, format: ColumnarFile['format']): ColumnarFile => ({
  name: path,
  format,
  path,
  stream: null,
});

/** Every batch's columns joined (copied: a batch's values are valid until the next one), checking that the rows tile from `first`. */
async function collect(
  batches: AsyncIterable<ColumnBatch>,
  first: number,
): Promise<{ rows: number; end: number; columns: Record<string, number[]> }> {
  const columns: Record<string, number[]> = {};
  let at = first;
  for await (const b of batches) {
    expect(b.rowStart).toBe(at);
    at += b.rows;
    for (const [name, c] of Object.entries(b.columns)) append((columns[name] ??= []), c.values);
  }
  return { rows: at - first, end: at, columns };
}

function append(to: number[], values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) to.push(values[i]!);
}

/** The bits of columns of numbers, compared at once (300,000 values one by one are slow to compare). */
function bits(columns: Record<string, number[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(columns).map(([name, v]) => [name, Buffer.from(Float64Array.from(v).buffer).toString('base64')]),
  );
}

/** A RandomAccess that counts the bytes read through it. */
function counting(source: RandomAccess): RandomAccess & { bytes: number } {
  const counted = {
    ...source,
    bytes: 0,
    async read(offset: number, length: number) {
      const b = await source.read(offset, length);
      counted.bytes += b.byteLength;
      return b;
    },
    async readInto(offset: number, target: Uint8Array) {
      const n = await source.readInto(offset, target);
      counted.bytes += n;
      return n;
    },
  };
  return counted;
}

describe('parts.ts: every row in exactly one part, in order', () => {
  it('rowRange tiles the rows; inPart gives each unit one part, parts in order', () => {
    for (const total of [0, 1, 2, 7, 300_000])
      for (const count of [1, 2, 3, 5, 8]) {
        const ranges = Array.from({ length: count }, (_, index) => rowRange(total, { index, count }));
        expect(ranges[0]!.start).toBe(0);
        expect(ranges[count - 1]!.end).toBe(total);
        ranges.slice(1).forEach((r, k) => expect(r.start).toBe(ranges[k]!.end));
        // units of uneven sizes: the parts they fall in never decrease
        const units = [0, 1, 3, 3, 10].filter((u) => u <= total);
        let last = 0;
        for (let k = 0; k < units.length; k++) {
          const start = units[k]!;
          const rows = (units[k + 1] ?? total) - start;
          const owners = Array.from({ length: count }, (_, index) => index).filter((index) =>
            inPart(start, rows, total, { index, count }),
          );
          expect(owners).toHaveLength(1);
          expect(owners[0]!).toBeGreaterThanOrEqual(last);
          last = owners[0]!;
        }
      }
  });
});

describe('each format: the parts, read one by one, are the whole input', () => {
  const FORMATS: [string, ColumnarFile, ColumnarFile | null][] = [
    ['two .npy', columnar(pNpy, 'npy'), columnar(yNpy, 'npy')],
    ['.npz stored', columnar(stored, 'npz'), null],
    ['.npz deflated', columnar(deflated, 'npz'), null],
    ['Parquet, uneven row groups', columnar(parquetUneven, 'parquet'), null],
    ['Parquet, 2 row groups', columnar(parquetTwo, 'parquet'), null],
    ['Arrow, one record batch', columnar(arrowOne, 'arrow'), null],
    ['Arrow stream, uneven record batches', columnar(arrowUneven, 'arrow'), null],
  ];
  const all = (names: string[]): string[] => names;

  it.each(FORMATS)(
    '%s: 1, 2, 3, 5 and 8 parts',
    async (_name, input, labels) => {
      const whole = await collect(columnarBatches(input, all, labels, null), 0);
      expect(whole.rows).toBe(N);
      expect(bits({ p: whole.columns.p! })).toEqual(bits({ p: Array.from(p) }));
      for (const count of [1, 2, 3, 5, 8]) {
        const joined: Record<string, number[]> = {};
        let at = 0;
        for (let index = 0; index < count; index++) {
          const got = await collect(columnarBatches(input, all, labels, { index, count }), at);
          at = got.end;
          for (const [name, values] of Object.entries(got.columns)) append((joined[name] ??= []), values);
        }
        expect(at).toBe(N);
        expect(bits(joined)).toEqual(bits(whole.columns));
      }
    },
    60_000,
  );

  it('fewer rows than parts: the parts still tile the rows (some read none)', async () => {
    const small = [0.25, 0.5];
    const sp = file('small-p.npy', npyBytes(small));
    const sy = file('small-y.npy', npyBytes([1, 0]));
    const sz = file('small.npz', npzBytes({ p: npyBytes(small), y: npyBytes([1, 0]) }, 'deflated'));
    const sq = file(
      'small.parquet',
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'p', data: Float64Array.from(small), type: 'DOUBLE' },
            { name: 'y', data: Int32Array.of(1, 0), type: 'INT32' },
          ],
          rowGroupSize: 1,
        }),
      ),
    );
    const sa = file(
      'small.arrow',
      tableToIPC(tableFromArrays({ p: Float64Array.from(small), y: Int32Array.of(1, 0) }), 'file'),
    );
    const inputs: [ColumnarFile, ColumnarFile | null][] = [
      [columnar(sp, 'npy'), columnar(sy, 'npy')],
      [columnar(sz, 'npz'), null],
      [columnar(sq, 'parquet'), null],
      [columnar(sa, 'arrow'), null],
    ];
    for (const [input, labels] of inputs) {
      const rows: number[] = [];
      const values: number[] = [];
      for (let index = 0; index < 5; index++) {
        const got = await collect(
          columnarBatches(input, (names) => names, labels, { index, count: 5 }),
          values.length,
        );
        rows.push(got.rows);
        append(values, got.columns.p ?? got.columns['small-p'] ?? []);
      }
      expect(rows.reduce((a, b) => a + b)).toBe(2);
      expect(rows.filter((r) => r === 0).length).toBeGreaterThanOrEqual(3);
      expect(values).toEqual(small);
    }
  });
});

describe('a part reads its own bytes, not the others’', () => {
  const share = (bytes: number, count: number): number => bytes / count;

  it('.npy: a byte range (the header and its rows)', async () => {
    for (const index of [0, 1, 2]) {
      const source = counting(await openRandomAccess(pNpy));
      const range = rowRange(N, { index, count: 3 });
      let rows = 0;
      for await (const b of decodeNpy(rangeReader(source, 0, source.size), pNpy, undefined, undefined, range))
        rows += b.rows;
      await source.close();
      expect(rows).toBe(range.end - range.start);
      expect(source.bytes).toBeLessThan(share(N * 8, 3) + 4096);
    }
  });

  it('.npz: a stored member at its offset; a deflated one is inflated up to the part, not past it', async () => {
    for (const [path, index] of [
      [stored, 1],
      [stored, 2],
      [deflated, 0],
    ] as const) {
      const source = counting(await openRandomAccess(path));
      const entry = (await listNpz(source)).find((e) => e.name === 'p')!;
      const before = source.bytes;
      let rows = 0;
      for await (const b of npzArray(source, entry, undefined, rowRange(N, { index, count: 3 }))) rows += b.rows;
      await source.close();
      expect(rows).toBe(100_000);
      // a deflated member: its first third, and what the inflater reads ahead (16 KiB reads)
      const most = entry.method === 'stored' ? share(N * 8, 3) + 4096 : share(entry.compressedSize, 3) + (1 << 19);
      expect(source.bytes - before).toBeLessThan(most);
      if (entry.method === 'deflated') expect(most).toBeLessThan(entry.compressedSize * 0.7);
    }
  });

  it('Parquet: only its row groups; Arrow: only its slices', async () => {
    for (const path of [parquetUneven, arrowOne]) {
      const whole = counting(await openRandomAccess(path));
      for await (const _ of path.endsWith('.parquet')
        ? decodeParquet(whole, ['p', 'y'])
        : (await arrowAtOffsets(whole, ['p', 'y'])).batches!);
      await whole.close();
      for (const index of [0, 2]) {
        const part: Part = { index, count: 3 };
        const source = counting(await openRandomAccess(path));
        const batches = path.endsWith('.parquet')
          ? decodeParquet(source, ['p', 'y'], part)
          : (await arrowAtOffsets(source, ['p', 'y'], part)).batches!;
        let rows = 0;
        for await (const b of batches) rows += b.rows;
        await source.close();
        expect(rows).toBeGreaterThan(0);
        expect(rows).toBeLessThan(N / 2);
        expect(source.bytes).toBeLessThan(whole.bytes / 2);
      }
    }
  });
});

async function json(argv: string[]): Promise<any> {
  const r = await runCli([...argv, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseJson(r.stdout);
}

describe('on threads: the report and the errors of one thread', () => {
  const INPUTS: [string, string[]][] = [
    ['.npz stored', ['--input', stored]],
    ['.npz deflated', ['--input', deflated]],
    ['Parquet, uneven row groups', ['--input', parquetUneven]],
    ['Parquet, 2 row groups (fewer than the workers)', ['--input', parquetTwo]],
    ['Arrow, one record batch (3 slices)', ['--input', arrowOne]],
    ['Arrow stream file, uneven record batches', ['--input', arrowUneven]],
  ];

  it.each(INPUTS)(
    'loss, %s: --threads 3 and 4 = --threads 1 = two .npy',
    async (_name, input) => {
      const one = await json(['loss', ...input, '--threads', '1']);
      expect(one.summary.n).toBe(N);
      for (const threads of ['3', '4']) {
        const many = await json(['loss', ...input, '--threads', threads]);
        expect(many.params.threads).toBe(Number(threads));
        expect(many.summary).toEqual(one.summary);
      }
      const npy = await json(['loss', '--input', pNpy, '--labels', yNpy, '--threads', '1']);
      expect(one.summary).toEqual(npy.summary);
    },
    60_000,
  );

  it('two rows of 20,000 classes on 3 threads (fewer rows than workers) = one thread', async () => {
    const K = 20_000;
    const logits = Float64Array.from({ length: 2 * K }, () => 10 * rand() - 5);
    const wide = file('wide/logit.npy', npyBytes(logits, '<f8', [2, K]));
    const target = file('wide/y.npy', npyBytes([3, 19_999], '<i8'));
    const argv = ['loss', '--input', wide, '--labels', target, '--activation', 'softmax'];
    const one = await json([...argv, '--threads', '1']);
    const three = await json([...argv, '--threads', '3']);
    expect(three.params.threads).toBe(3);
    expect(one.summary.n).toBe(2);
    expect(three.summary).toEqual(one.summary);
  }, 60_000);

  /** --threads 1 and 3 give the same failure: exit 2, the same one line. */
  async function sameError(argv: string[], expected: RegExp): Promise<void> {
    const one = await runCli([...argv, '--threads', '1']);
    const three = await runCli([...argv, '--threads', '3']);
    expect(one.code).toBe(2);
    expect(one.stdout).toBe('');
    expect(one.stderr).toMatch(expected);
    expect(one.stderr.split('\n')).toHaveLength(2);
    expect(three).toEqual(one);
  }

  it('.npz: a bad value in the last part; a cut .npy after a bad value in an earlier part', async () => {
    const bad = Float64Array.from(p);
    bad[280_000] = 2;
    for (const method of ['stored', 'deflated'] as const) {
      const path = file(`bad-${method}.npz`, npzBytes({ p: npyBytes(bad), y: npyBytes(y) }, method));
      await sameError(['loss', '--input', path], /row 280001: .*2/);
    }
    // the labels' .npy is cut short, so the last part fails: without a bad value before, that is the error
    const cut = file('cut/y.npy', npyBytes(y).subarray(0, 128 + 8 * 290_000));
    await sameError(
      ['loss', '--input', pNpy, '--labels', cut],
      /truncated \.npy: shape \(300000\) of float64 needs 2400128 bytes, the file has 2320128/,
    );
    const early = Float64Array.from(p);
    early[100_000] = 2;
    await sameError(['loss', '--input', file('early/p.npy', npyBytes(early)), '--labels', cut], /row 100001: .*2/);
  }, 60_000);

  it('two .npy of different lengths: the error of one thread, after the bad rows before it', async () => {
    const shortY = file('short/y.npy', npyBytes(y.subarray(0, 250_000)));
    await sameError(
      ['loss', '--input', pNpy, '--labels', shortY],
      /short\/y\.npy has 250000 rows but .*p\.npy has more: predictions and labels must have the same number of rows/,
    );
    const bad = Float64Array.from(p);
    bad[200_000] = -1;
    await sameError(['loss', '--input', file('bad2/p.npy', npyBytes(bad)), '--labels', shortY], /row 200001/);
  }, 60_000);

  it('Parquet and Arrow: a bad value in a later part is the error one thread gives', async () => {
    const bad = Float64Array.from(p);
    bad[210_000] = Number.NaN;
    bad[290_000] = 3;
    const q = file(
      'bad.parquet',
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'p', data: bad, type: 'DOUBLE' },
            { name: 'y', data: Int32Array.from(y), type: 'INT32' },
          ],
          rowGroupSize: 70_001,
        }),
      ),
    );
    await sameError(['loss', '--input', q], /row 210001/);
    const a = file('bad.arrow', tableToIPC(tableFromArrays({ p: bad, y: Int32Array.from(y) }), 'file'));
    await sameError(['loss', '--input', a], /row 210001/);
  }, 60_000);

  it('Arrow List rows that change width in a later part: held to row 1, as one thread does', async () => {
    const rows = 300_000;
    // slices of 131,072 rows: the third (from row 262,145) is all 3 wide, the others 2 wide
    const lists = vectorFromArray(
      Array.from({ length: rows }, (_, r) => (r < 262_144 ? [p[r]!, 1 - p[r]!] : [p[r]! / 2, p[r]! / 2, 1 - p[r]!])),
      new List(new Field('item', new Float64(), false)),
    );
    const path = file(
      'lists.arrow',
      tableToIPC(
        new Table({
          logits: lists,
          target: vectorFromArray(
            Array.from({ length: rows }, () => 0),
            new Float64(),
          ),
        }),
        'file',
      ),
    );
    await sameError(['loss', '--input', path], /column 'logits': row 262145 has 3 elements, row 1 has 2/);
  }, 60_000);
});
