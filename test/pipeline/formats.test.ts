import { open } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError, UsageError } from '../../src/errors.js';
import type { ColumnBatch } from '../../src/pipeline/columns.js';
import { alignArrays } from '../../src/pipeline/decode/align.js';
import { decodeArrow } from '../../src/pipeline/decode/arrow.js';
import { detectFormat } from '../../src/pipeline/decode/detect.js';
import { decodeNpy } from '../../src/pipeline/decode/npy.js';
import { listNpz, npzArray, npzEntry } from '../../src/pipeline/decode/npz.js';
import { decodeParquet, parquetColumns } from '../../src/pipeline/decode/parquet.js';
import { bytesSource, openRandomAccess, rangeChunks } from '../../src/pipeline/source.js';
import { collectArray, formatFixture, readCsvColumns } from '../helpers/formats.js';

const binary = readCsvColumns('binary.csv');
const vectors = readCsvColumns('vectors.csv');
const logitsRowMajor = vectors.target!.flatMap((_, r) => [0, 1, 2, 3].map((j) => vectors[`x${j}`]![r]!));

/** Named columns of every batch joined, checking that the batches tile the rows. */
async function collectColumns(
  batches: AsyncIterable<ColumnBatch>,
): Promise<{ columns: Record<string, number[]>; widths: Record<string, number>; batches: number }> {
  const columns: Record<string, number[]> = {};
  const widths: Record<string, number> = {};
  let rows = 0;
  let count = 0;
  for await (const b of batches) {
    expect(b.rowStart).toBe(rows);
    rows += b.rows;
    count++;
    for (const [name, c] of Object.entries(b.columns)) {
      expect(c.values.length).toBe(b.rows * c.width);
      widths[name] = c.width;
      (columns[name] ??= []).push(...Array.from(c.values, Number));
    }
  }
  return { columns, widths, batches: count };
}

async function message(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const m = (e as Error).message;
    expect(m.split('\n')).toHaveLength(1);
    return m;
  }
  throw new Error('no error');
}

function bytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(formatFixture(name)));
}

describe('magic-byte detection', () => {
  it.each([
    ['p_f8.npy', 'npy'],
    ['binary.npz', 'npz'],
    ['binary_compressed.npz', 'npz'],
    ['binary.parquet', 'parquet'],
    ['binary.arrow', 'arrow-file'],
    ['binary.arrows', 'arrow-stream'],
    ['binary.csv', 'text'],
  ])('%s is %s', (name, format) => {
    expect(detectFormat(bytes(name).subarray(0, 512))).toBe(format);
  });
  it('gzip, UTF-8 text cut mid-character, binary junk', () => {
    expect(detectFormat(Uint8Array.of(0x1f, 0x8b, 8, 0))).toBe('gzip');
    expect(detectFormat(new TextEncoder().encode('p,y,note\n0.5,1,é').subarray(0, 16))).toBe('text');
    expect(detectFormat(Uint8Array.of(0xc3, 0x28, 0x41))).toBe('unknown');
    expect(detectFormat(Uint8Array.of(0x41, 0x00, 0x41))).toBe('unknown');
  });
});

describe('.npz written by np.savez and np.savez_compressed', () => {
  it.each(['binary.npz', 'binary_compressed.npz'])('%s: arrays p and y equal the CSV', async (name) => {
    const source = await openRandomAccess(formatFixture(name));
    const entries = await listNpz(source);
    expect(entries.map((e) => [e.name, e.method])).toEqual([
      ['p', name === 'binary.npz' ? 'stored' : 'deflated'],
      ['y', name === 'binary.npz' ? 'stored' : 'deflated'],
    ]);
    expect((await collectArray(npzArray(source, npzEntry(entries, 'p', name)))).values).toEqual(binary.p);
    expect((await collectArray(npzArray(source, npzEntry(entries, 'y', name)))).values).toEqual(binary.y);
    await source.close();
  });

  it('vectors.npz: a [12, 4] float64 array and an int64 target, aligned as columns', async () => {
    const source = await openRandomAccess(formatFixture('vectors.npz'));
    const entries = await listNpz(source);
    const got = await collectColumns(
      alignArrays(
        ['logits', 'target'].map((name) => ({
          name,
          where: `vectors.npz[${name}]`,
          batches: npzArray(source, npzEntry(entries, name, 'vectors.npz')),
        })),
      ),
    );
    expect(got.widths).toEqual({ logits: 4, target: 1 });
    expect(got.columns.logits).toEqual(logitsRowMajor);
    expect(got.columns.target).toEqual(vectors.target);
  });

  it('an unknown array name lists the names the file has', async () => {
    const source = bytesSource('b.npz', bytes('binary.npz'));
    expect(await message(async () => npzEntry(await listNpz(source), 'logits', 'b.npz'))).toBe(
      "b.npz: no array named 'logits' (the file has 'p', 'y')",
    );
  });

  it('truncated and corrupt archives: one line naming the file', async () => {
    const good = bytes('binary_compressed.npz');
    expect(await message(() => listNpz(bytesSource('t.npz', good.subarray(0, good.byteLength - 30))))).toMatch(
      /^t\.npz: corrupt \.npz \(zip\): no end-of-archive record/,
    );
    expect(await message(() => listNpz(bytesSource('t.npz', good.subarray(0, 60))))).toMatch(
      /^t\.npz: corrupt \.npz \(zip\)/,
    );
    // damage the deflated data of the first member
    const bad = good.slice();
    const entries = await listNpz(bytesSource('c.npz', good));
    const at = entries[0]!.localHeaderOffset + 30 + 5 + 20 + 4; // past the local header, name and zip64 extra
    for (let i = at; i < at + 40; i++) bad[i] = 0xff;
    const source = bytesSource('c.npz', bad);
    expect(await message(async () => collectArray(npzArray(source, (await listNpz(source))[0]!)))).toMatch(
      /^c\.npz\[p\]: /,
    );
    // a stored member cut short in the middle of its data
    const stored = bytes('binary.npz');
    const storedEntries = await listNpz(bytesSource('s.npz', stored));
    const cut = bytesSource('s.npz', stored.subarray(0, storedEntries[1]!.localHeaderOffset - 100));
    expect(await message(() => collectArray(npzArray(cut, storedEntries[0]!)))).toMatch(
      /^s\.npz: truncated \.npz: member p needs bytes up to/,
    );
  });
});

describe('two .npy files side by side (--input p.npy --labels y.npy)', () => {
  it('float16 predictions with bool labels: batches cut where either file is cut', async () => {
    const chunks = (name: string) => rangeChunks(bytesSource(name, bytes(name)), 0, 1 << 30, 50);
    const got = await collectColumns(
      alignArrays([
        { name: 'p', where: 'p_f2.npy', batches: decodeNpy(chunks('p_f2.npy'), 'p_f2.npy') },
        { name: 'y', where: 'y_bool.npy', batches: decodeNpy(chunks('y_bool.npy'), 'y_bool.npy') },
      ]),
    );
    expect(got.columns).toEqual({ p: binary.p, y: binary.y });
  });
  it('files of different lengths', async () => {
    const p = readCsvColumns('extreme.csv');
    expect(p.p!.length).not.toBe(binary.y!.length);
    expect(
      await message(() =>
        collectColumns(
          alignArrays([
            { name: 'p', where: 'extreme_p.npy', batches: decodeNpy([bytes('extreme_p.npy')], 'extreme_p.npy') },
            { name: 'y', where: 'y_u1.npy', batches: decodeNpy([bytes('y_u1.npy')], 'y_u1.npy') },
          ]),
        ),
      ),
    ).toBe('extreme_p.npy has 9 rows but y_u1.npy has more: predictions and labels must have the same number of rows');
  });
});

describe('Parquet written by hyparquet-writer', () => {
  it('binary.parquet (snappy, 3 row groups): one batch per row group, only the columns asked for', async () => {
    const source = await openRandomAccess(formatFixture('binary.parquet'));
    expect(await parquetColumns(source)).toEqual({ rows: 40, columns: ['p', 'y', 'unused'] });
    const got = await collectColumns(decodeParquet(source, ['p', 'y']));
    expect(got.batches).toBe(3);
    expect(Object.keys(got.columns)).toEqual(['p', 'y']);
    expect(got.columns).toEqual({ p: binary.p, y: binary.y });
    await source.close();
  });
  it('binary_plain.parquet (uncompressed, FLOAT and BOOLEAN)', async () => {
    const got = await collectColumns(
      decodeParquet(await openRandomAccess(formatFixture('binary_plain.parquet')), ['p', 'y']),
    );
    expect(got.columns).toEqual({ p: binary.p, y: binary.y });
  });
  it('vectors.parquet: a list<double> column and an INT64 target', async () => {
    const got = await collectColumns(
      decodeParquet(await openRandomAccess(formatFixture('vectors.parquet')), ['logits', 'target']),
    );
    expect(got.widths).toEqual({ logits: 4, target: 1 });
    expect(got.columns).toEqual({ logits: logitsRowMajor, target: vectors.target });
  });
  it('a missing column, a string column, a truncated file', async () => {
    const source = await openRandomAccess(formatFixture('binary.parquet'));
    expect(await message(() => collectColumns(decodeParquet(source, ['logit', 'y'])))).toMatch(
      /binary\.parquet: no column named 'logit' \(the file has 'p', 'y', 'unused'\)$/,
    );
    expect(await message(() => collectColumns(decodeParquet(source, ['unused'])))).toMatch(
      /binary\.parquet: column 'unused' has Parquet type BYTE_ARRAY/,
    );
    await source.close();
    const b = bytes('binary.parquet');
    expect(
      await message(() =>
        collectColumns(decodeParquet(bytesSource('t.parquet', b.subarray(0, b.byteLength - 10)), ['p'])),
      ),
    ).toMatch(/^t\.parquet: corrupt or unsupported Parquet/);
  });
});

describe('Arrow IPC written by apache-arrow', () => {
  it('file format from disk and stream format from a stream (two record batches each)', async () => {
    const handle = await open(formatFixture('binary.arrow'));
    const fromFile = await collectColumns(decodeArrow(handle, 'binary.arrow', ['p', 'y']));
    await handle.close();
    expect(fromFile.batches).toBe(2);
    expect(fromFile.columns).toEqual({ p: binary.p, y: binary.y });
    const stream = rangeChunks(bytesSource('-', bytes('binary.arrows')), 0, 1 << 30, 100);
    expect((await collectColumns(decodeArrow(stream, '-', ['p', 'y']))).columns).toEqual({ p: binary.p, y: binary.y });
  });
  it('the file format piped through stdin', async () => {
    const stream = rangeChunks(bytesSource('-', bytes('binary.arrow')), 0, 1 << 30, 64);
    expect((await collectColumns(decodeArrow(stream, '-', ['y', 'p']))).columns).toEqual({ y: binary.y, p: binary.p });
  });
  it('vectors.arrow: FixedSizeList<float32>[4] and int64', async () => {
    const handle = await open(formatFixture('vectors.arrow'));
    const got = await collectColumns(decodeArrow(handle, 'vectors.arrow', ['logits', 'target']));
    await handle.close();
    expect(got.widths).toEqual({ logits: 4, target: 1 });
    expect(got.columns).toEqual({ logits: logitsRowMajor, target: vectors.target });
  });
  it('not Arrow, a truncated stream, a missing column', async () => {
    const csv = [new TextEncoder().encode('p,y\n0.5,1\n')];
    expect(
      await message(() =>
        collectColumns(
          decodeArrow(
            (async function* () {
              yield* csv;
            })(),
            'x.csv',
            ['p'],
          ),
        ),
      ),
    ).toMatch(/^x\.csv: /);
    const s = bytes('binary.arrows');
    const cut = (async function* () {
      yield s.subarray(0, s.byteLength - 200);
    })();
    expect(await message(() => collectColumns(decodeArrow(cut, 'cut.arrows', ['p', 'y'])))).toMatch(/^cut\.arrows: /);
    const whole = (async function* () {
      yield s;
    })();
    expect(await message(() => collectColumns(decodeArrow(whole, 's.arrows', ['logits'])))).toBe(
      "s.arrows: no column named 'logits' (the file has 'p', 'y')",
    );
  });
});

it('FormatError is a UsageError (exit 2) whose message starts with the file', () => {
  const e = new FormatError('a.npy', 'truncated');
  expect(e).toBeInstanceOf(UsageError);
  expect(e.exitCode).toBe(2);
  expect(e.message).toBe('a.npy: truncated');
});
