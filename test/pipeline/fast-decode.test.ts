/**
 * The fast decoders against the CSV and against the writers' own data: Parquet pages decoded
 * straight into typed arrays (parquet-pages.ts), Arrow read at offsets a slice at a time
 * (arrow-ipc.ts), .npy batches in one reused buffer, stdin spooled to a temporary file. Every
 * collector copies a batch before asking for the next, as the pipeline's consumers do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import {
  Bool,
  Field,
  Float64,
  List,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
  Table,
  Dictionary,
  Utf8,
  Int32,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import type { ColumnBatch } from '../../src/pipeline/columns.js';
import { decodeArrowAt } from '../../src/pipeline/decode/arrow.js';
import { decodeNpy } from '../../src/pipeline/decode/npy.js';
import { decodeParquet } from '../../src/pipeline/decode/parquet.js';
import { dictionaryInto, isFastColumn, snappyInto } from '../../src/pipeline/decode/parquet-pages.js';
import { bytesSource, openRandomAccess, rangeReader } from '../../src/pipeline/source.js';
import { BIN, parseJson } from '../helpers/cli.js';
import { collectArray, formatFixture, readCsvColumns } from '../helpers/formats.js';

const binary = readCsvColumns('binary.csv');
const vectors = readCsvColumns('vectors.csv');
const logitsRowMajor = vectors.target!.flatMap((_, r) => [0, 1, 2, 3].map((j) => vectors[`x${j}`]![r]!));
const dir = mkdtempSync(join(tmpdir(), 'focal-fast-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every batch's columns copied out as it comes (the buffers are reused), checking that the batches tile the rows. */
async function collect(
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
      const into = (columns[name] ??= []);
      for (let i = 0; i < c.values.length; i++) into.push(c.values[i]!);
    }
  }
  return { columns, widths, batches: count };
}

/** The one-line message of a FormatError that `f` must throw. */
async function message(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message.split('\n')).toHaveLength(1);
    return (e as Error).message;
  }
  throw new Error('no error');
}

/** Deterministic doubles in (0, 1) and labels 0/1 (a 32-bit LCG: the values are the writer's, known to the test). */
function samples(n: number): { p: Float64Array; y: Int32Array } {
  const p = new Float64Array(n);
  const y = new Int32Array(n);
  let s = 12345;
  const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < n; i++) {
    p[i] = next() + next() * 2 ** -32 || 0.5;
    y[i] = next() < 0.25 ? 1 : 0;
  }
  return { p, y };
}

/** Indices where two arrays differ (expect(…).toEqual on 10^5 numbers is slow). */
function differences(got: ArrayLike<number>, want: ArrayLike<number>): number[] {
  const out: number[] = [];
  if (got.length !== want.length) return [-1];
  for (let i = 0; i < want.length && out.length < 5; i++) if (!Object.is(got[i], want[i])) out.push(i);
  return out;
}

/** The columns whose every chunk parquet-pages.ts decodes (the others go to hyparquet). */
function fastColumns(path: string): string[] {
  const b = readFileSync(path);
  const metadata = parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  const schema = parquetSchema(metadata);
  const dtypeOf = (type: string | undefined) =>
    type === 'DOUBLE'
      ? 'float64'
      : type === 'FLOAT'
        ? 'float32'
        : type === 'BOOLEAN'
          ? 'bool'
          : type === 'INT64'
            ? 'int64'
            : 'int32';
  return schema.children
    .filter((c) =>
      metadata.row_groups.every((g) => {
        const m = g.columns.find((x) => x.meta_data?.path_in_schema[0] === c.element.name)!.meta_data!;
        return isFastColumn(c.element, m, dtypeOf(c.element.type));
      }),
    )
    .map((c) => c.element.name);
}

describe('Parquet pages decoded into typed arrays', () => {
  it('the fixtures take the fast path where they should (so that the tests below test it)', () => {
    expect(fastColumns(formatFixture('binary.parquet'))).toEqual(['p', 'y']); // hyparquet-writer: snappy, pages v2, optional
    expect(fastColumns(formatFixture('binary_plain.parquet'))).toEqual(['p', 'y']); // uncompressed FLOAT, RLE BOOLEAN
    expect(fastColumns(formatFixture('binary_duckdb.parquet'))).toEqual(['p', 'y']); // DuckDB: snappy, pages v1, PLAIN_DICTIONARY y
    expect(fastColumns(formatFixture('binary_duckdb_v2.parquet'))).toEqual(['p', 'y']); // zstd, pages v2, p in BYTE_STREAM_SPLIT
    for (const codec of ['gzip', 'zstd', 'none'])
      expect(fastColumns(formatFixture(`binary_duckdb_${codec}.parquet`))).toEqual(['p', 'y']); // DuckDB's other codecs
    expect(fastColumns(formatFixture('vectors.parquet'))).toEqual(['target']); // a list column: hyparquet
  });

  it.each([
    ['binary.parquet'],
    ['binary_plain.parquet'],
    ['binary_duckdb.parquet'],
    ['binary_duckdb_v2.parquet'],
    ['binary_duckdb_gzip.parquet'],
    ['binary_duckdb_zstd.parquet'],
    ['binary_duckdb_none.parquet'],
  ])('%s = binary.csv', async (name) => {
    const source = await openRandomAccess(formatFixture(name));
    expect((await collect(decodeParquet(source, ['p', 'y']))).columns).toEqual({ p: binary.p, y: binary.y });
    await source.close();
  });

  it("vectors.parquet: the fast INT64 column beside hyparquet's list column", async () => {
    const source = await openRandomAccess(formatFixture('vectors.parquet'));
    expect((await collect(decodeParquet(source, ['logits', 'target']))).columns).toEqual({
      logits: logitsRowMajor,
      target: vectors.target,
    });
    await source.close();
  });

  it('200 000 rows written by hyparquet-writer in many pages and row groups, plain and dictionary, required and optional', async () => {
    const { p, y } = samples(200_000);
    const written = parquetWriteBuffer({
      columnData: [
        { name: 'p', data: p, type: 'DOUBLE', nullable: false },
        { name: 'y', data: y, type: 'INT32' },
        { name: 'f', data: Float32Array.from(p), type: 'FLOAT', codec: 'UNCOMPRESSED' },
        { name: 'b', data: Array.from(y, (v) => v === 1), type: 'BOOLEAN' },
      ],
      rowGroupSize: 70_000,
      pageSize: 1 << 16,
    });
    const file = join(dir, 'many.parquet');
    writeFileSync(file, new Uint8Array(written));
    expect(fastColumns(file)).toEqual(['p', 'y', 'f', 'b']);
    const source = await openRandomAccess(file);
    const got = await collect(decodeParquet(source, ['p', 'y', 'f', 'b']));
    await source.close();
    expect(got.batches).toBeGreaterThan(12); // pages of 64 KiB: several per row group
    expect(differences(got.columns.p!, p)).toEqual([]);
    expect(differences(got.columns.y!, y)).toEqual([]);
    expect(differences(got.columns.f!, Float32Array.from(p))).toEqual([]);
    expect(differences(got.columns.b!, y)).toEqual([]);
  });

  it('BYTE_STREAM_SPLIT DOUBLE, FLOAT, INT32 and INT64 in many pages (hyparquet-writer)', async () => {
    const { p, y } = samples(50_000);
    const wide = BigInt64Array.from(y, (v, i) => BigInt(v * 2 ** 40 - i));
    const written = parquetWriteBuffer({
      columnData: [
        { name: 'p', data: p, type: 'DOUBLE', encoding: 'BYTE_STREAM_SPLIT' },
        { name: 'f', data: Float32Array.from(p), type: 'FLOAT', encoding: 'BYTE_STREAM_SPLIT', nullable: false },
        { name: 'y', data: y, type: 'INT32', encoding: 'BYTE_STREAM_SPLIT' },
        { name: 'w', data: wide, type: 'INT64', encoding: 'BYTE_STREAM_SPLIT', codec: 'UNCOMPRESSED' },
      ],
      rowGroupSize: 20_000,
      pageSize: 1 << 15,
    });
    const file = join(dir, 'split.parquet');
    writeFileSync(file, new Uint8Array(written));
    const metadata = parquetMetadata(written);
    expect(metadata.row_groups[0]!.columns.map((c) => c.meta_data!.encodings)).toEqual(
      Array(4).fill(['BYTE_STREAM_SPLIT']),
    );
    expect(fastColumns(file)).toEqual(['p', 'f', 'y', 'w']);
    const source = await openRandomAccess(file);
    const got = await collect(decodeParquet(source, ['p', 'f', 'y', 'w']));
    await source.close();
    expect(got.batches).toBeGreaterThan(6);
    expect(differences(got.columns.p!, p)).toEqual([]);
    expect(differences(got.columns.f!, Float32Array.from(p))).toEqual([]);
    expect(differences(got.columns.y!, y)).toEqual([]);
    expect(differences(got.columns.w!, Array.from(wide, Number))).toEqual([]);
  });

  it('a null, a damaged page, a page cut short: one line naming the file', async () => {
    const nulls = await openRandomAccess(formatFixture('binary_duckdb_null.parquet'));
    expect(await message(() => collect(decodeParquet(nulls, ['p', 'y'])))).toMatch(
      /binary_duckdb_null\.parquet: column 'p' is null in row 7$/,
    );
    await nulls.close();
    const good = new Uint8Array(readFileSync(formatFixture('binary_duckdb.parquet')));
    const metadata = parquetMetadata(good.slice().buffer);
    const at = Number(metadata.row_groups[0]!.columns[0]!.meta_data!.data_page_offset);
    const damaged = good.slice();
    for (let i = at + 30; i < at + 60; i++) damaged[i] = 0xfe; // inside p's snappy data
    expect(await message(() => collect(decodeParquet(bytesSource('d.parquet', damaged), ['p'])))).toMatch(
      /^d\.parquet: /,
    );
    const header = good.slice();
    for (let i = at; i < at + 8; i++) header[i] = 0xff; // the page header
    expect(await message(() => collect(decodeParquet(bytesSource('h.parquet', header), ['p'])))).toMatch(
      /^h\.parquet: /,
    );
  });

  it('dictionaryInto decodes the RLE/bit-packed hybrid of every width 0…32 (the spec, encoded here bit by bit)', () => {
    // runs as the format describes them: RLE = varint(count << 1), the value in ceil(width/8) bytes little-endian;
    // bit-packed = varint(groups << 1 | 1), then groups·8 values of `width` bits each, lowest bit first
    const varint = (v: number): number[] => {
      const out: number[] = [];
      for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v % 128) | 0x80);
      return [...out, v];
    };
    const encode = (runs: Array<{ rle: number; count: number } | { packed: number[] }>, width: number): Uint8Array => {
      const bytes: number[] = [];
      for (const run of runs) {
        if ('rle' in run) {
          bytes.push(...varint(run.count * 2));
          for (let i = 0; i < Math.ceil(width / 8); i++) bytes.push(Math.floor(run.rle / 2 ** (8 * i)) % 256);
        } else {
          const groups = Math.ceil(run.packed.length / 8);
          bytes.push(...varint(groups * 2 + 1));
          const bits: number[] = [];
          for (let k = 0; k < groups * 8; k++)
            for (let b = 0; b < width; b++) bits.push(Math.floor((run.packed[k] ?? 0) / 2 ** b) % 2);
          for (let i = 0; i < bits.length; i += 8)
            bytes.push(bits.slice(i, i + 8).reduce((a, bit, j) => a + bit * 2 ** j, 0));
        }
      }
      return Uint8Array.from(bytes);
    };
    let s = 99;
    const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let width = 0; width <= 32; width++) {
      const size = width === 0 ? 1 : Math.min(2 ** width, 300); // indices below the dictionary's size
      const dictionary = Float64Array.from({ length: size }, (_, i) => i * 1.5 - 7);
      const indices = (k: number) => Array.from({ length: k }, () => Math.floor(next() * size));
      const a = indices(24);
      const b = indices(16);
      const c = indices(13); // the page ends inside this run's second group: 3 values of padding
      const runs = [{ packed: a }, { rle: size - 1, count: 9 }, { packed: b }, { rle: 0, count: 300 }, { packed: c }];
      const expected = [...a, ...Array(9).fill(size - 1), ...b, ...Array(300).fill(0), ...c].map((i) => dictionary[i]!);
      const out = new Float64Array(expected.length);
      dictionaryInto(encode(runs, width), width, dictionary, out);
      expect(differences(out, expected), `width ${width}`).toEqual([]);
      // the writer cut the last group's padding: the bytes that are there still decode
      const cut = encode([{ packed: c }], width);
      const short = cut.subarray(0, cut.length - Math.floor((3 * width) / 8));
      const tail = new Float64Array(c.length);
      dictionaryInto(short, width, dictionary, tail);
      expect(
        differences(
          tail,
          c.map((i) => dictionary[i]!),
        ),
        `cut, width ${width}`,
      ).toEqual([]);
      if (width > 0 && size < 2 ** width) {
        // the largest index of the width: its every bit decoded (the message names it)
        const top = 2 ** width - 1;
        expect(() =>
          dictionaryInto(encode([{ packed: [0, top] }], width), width, dictionary, new Float64Array(2)),
        ).toThrow(`dictionary index ${top} of ${size} entries`);
        expect(() =>
          dictionaryInto(encode([{ rle: size, count: 2 }], width), width, dictionary, new Float64Array(2)),
        ).toThrow(/dictionary index/);
      }
    }
    expect(() => dictionaryInto(Uint8Array.of(0x80), 1, Float64Array.of(1, 2), new Float64Array(1))).toThrow(
      RangeError,
    );
    expect(() => dictionaryInto(Uint8Array.of(4), 8, Float64Array.of(1, 2), new Float64Array(2))).toThrow(RangeError);
  });

  it("snappyInto inverts hyparquet-writer's snappy, on literals and on long back-references", () => {
    const { p } = samples(10_000);
    const repetitive = new Uint8Array(100_000).map((_, i) => (i % 97) ^ ((i >> 12) & 3));
    for (const data of [new Uint8Array(p.buffer), repetitive, new Uint8Array(0), Uint8Array.of(7)]) {
      const out = new Uint8Array(data.byteLength);
      snappyInto(snappyCompress(data), out);
      expect(differences(out, data)).toEqual([]);
    }
    expect(() => snappyInto(snappyCompress(repetitive), new Uint8Array(repetitive.byteLength - 1))).toThrow(RangeError);
  });
});

describe('.npy: every batch in one reused buffer', () => {
  it.each([['p_f8.npy'], ['p_f8_be.npy'], ['p_f2.npy'], ['p_f4_be.npy']])(
    '%s in batches of 8 rows, read from the file straight into the buffer, = binary.csv',
    async (name) => {
      const source = await openRandomAccess(formatFixture(name));
      const batches = decodeNpy(rangeReader(source, 0, source.size), name, undefined, 64);
      const seen: number[] = [];
      const got = await collectArray({
        async *[Symbol.asyncIterator]() {
          for await (const b of batches) {
            seen.push(b.rows);
            yield b;
          }
        },
      });
      await source.close();
      expect(got.values).toEqual(binary.p);
      expect(seen.length).toBeGreaterThan(1);
    },
  );
});

describe('Arrow read at offsets, a slice of rows at a time', () => {
  const at = async (path: string, names: string[]) => {
    const source = await openRandomAccess(path);
    try {
      return await collect(decodeArrowAt(source, path, names));
    } finally {
      await source.close();
    }
  };

  it('binary.arrow, binary.arrows, vectors.arrow = the CSV', async () => {
    expect((await at(formatFixture('binary.arrow'), ['p', 'y'])).columns).toEqual({ p: binary.p, y: binary.y });
    expect((await at(formatFixture('binary.arrows'), ['y', 'p'])).columns).toEqual({ y: binary.y, p: binary.p });
    const v = await at(formatFixture('vectors.arrow'), ['logits', 'target']);
    expect(v.widths).toEqual({ logits: 4, target: 1 });
    expect(v.columns).toEqual({ logits: logitsRowMajor, target: vectors.target });
  });

  it('one record batch of 300 000 rows comes out in slices; List<Float64> and Bool columns', async () => {
    const { p, y } = samples(300_000);
    const file = join(dir, 'one-batch.arrow');
    writeFileSync(file, tableToIPC(tableFromArrays({ p, y }), 'file'));
    const got = await at(file, ['p', 'y']);
    expect(got.batches).toBeGreaterThan(2);
    expect(differences(got.columns.p!, p)).toEqual([]);
    expect(differences(got.columns.y!, y)).toEqual([]);

    const rows = 1000;
    const lists = vectorFromArray(
      Array.from({ length: rows }, (_, r) => [p[r]!, 1 - p[r]!]),
      new List(new Field('item', new Float64(), false)),
    );
    const bools = vectorFromArray(
      Array.from({ length: rows }, (_, r) => y[r] === 1),
      new Bool(),
    );
    const stream = join(dir, 'lists.arrows');
    writeFileSync(stream, tableToIPC(new Table({ probs: lists, hit: bools }), 'stream'));
    const l = await at(stream, ['probs', 'hit']);
    expect(l.widths).toEqual({ probs: 2, hit: 1 });
    expect(differences(l.columns.probs!, Array.from({ length: rows }, (_, r) => [p[r]!, 1 - p[r]!]).flat())).toEqual(
      [],
    );
    expect(differences(l.columns.hit!, y.subarray(0, rows))).toEqual([]);
  });

  it('a dictionary-encoded column goes to apache-arrow; nulls and a cut file are one line', async () => {
    const labels = vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()));
    const dict = join(dir, 'dict.arrow');
    writeFileSync(
      dict,
      tableToIPC(new Table({ p: vectorFromArray([0.1, 0.2, 0.3], new Float64()), y: labels }), 'file'),
    );
    expect(await message(() => at(dict, ['p', 'y']))).toMatch(/dict\.arrow: column 'y' has Arrow type Dictionary/);
    const nulls = join(dir, 'nulls.arrow');
    writeFileSync(
      nulls,
      tableToIPC(
        tableFromArrays({ p: vectorFromArray([0.1, null, 0.3], new Float64()) as never, y: Int32Array.of(0, 1, 0) }),
        'file',
      ),
    );
    expect(await message(() => at(nulls, ['p', 'y']))).toMatch(/nulls\.arrow: column 'p' has 1 null in rows 1…3$/);
    const whole = readFileSync(formatFixture('binary.arrows'));
    const cut = join(dir, 'cut.arrows');
    writeFileSync(cut, whole.subarray(0, whole.byteLength - 200));
    expect(await message(() => at(cut, ['p', 'y']))).toMatch(/cut\.arrows: corrupt or truncated Arrow data/);
  });
});

describe('stdin is spooled to a temporary file and removed', () => {
  it.each([['binary.npz'], ['binary_duckdb.parquet'], ['binary.arrow'], ['binary.arrows']])(
    '%s through stdin = the file; nothing left in TMPDIR',
    (name) => {
      const spoolDir = mkdtempSync(join(dir, 'tmp-'));
      const run = (args: string[], input?: Buffer) =>
        spawnSync(process.execPath, [BIN, 'loss', ...args, '--json'], {
          input,
          env: { ...process.env, TMPDIR: spoolDir },
          encoding: 'utf8',
        });
      const fromFile = run(['--input', formatFixture(name)]);
      const fromStdin = run(['--input', '-'], readFileSync(formatFixture(name)));
      expect(fromStdin.status).toBe(0);
      expect(parseJson(fromStdin.stdout).summary).toEqual(parseJson(fromFile.stdout).summary);
      expect(readdirSync(spoolDir)).toEqual([]);
      const whole = readFileSync(formatFixture(name));
      const bad = run(['--input', '-'], whole.subarray(0, Math.floor(whole.byteLength * 0.6)));
      expect([bad.status, bad.stdout]).toEqual([2, '']);
      expect(bad.stderr.split('\n')).toHaveLength(2);
      expect(readdirSync(spoolDir)).toEqual([]);
    },
  );
});

describe('through the CLI, the same report as the CSV', () => {
  it.each([['binary_duckdb.parquet'], ['binary_duckdb_v2.parquet']])('loss: %s = binary.csv', (name) => {
    for (const extra of [[], ['--reduction', 'none']]) {
      const run = (file: string) =>
        parseJson(
          spawnSync(process.execPath, [BIN, 'loss', '--input', formatFixture(file), ...extra, '--json'], {
            encoding: 'utf8',
          }).stdout,
        );
      const csv = run('binary.csv');
      const got = run(name);
      expect(got.summary).toEqual(csv.summary);
      expect(got.rows).toEqual(csv.rows);
    }
  });
});
