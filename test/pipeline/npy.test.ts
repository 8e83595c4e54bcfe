import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { halfToNumber } from '../../src/pipeline/columns.js';
import { decodeNpy, parseNpyHeader } from '../../src/pipeline/decode/npy.js';
import { collectArray, formatFixture, readCsvColumns } from '../helpers/formats.js';

const csv = readCsvColumns('binary.csv');
const vectors = readCsvColumns('vectors.csv');
const logitsRowMajor = vectors.target!.flatMap((_, r) => [0, 1, 2, 3].map((j) => vectors[`x${j}`]![r]!));

function bytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(formatFixture(name)));
}

/** The file's bytes in chunks of `size`, to put chunk boundaries everywhere. */
function* chunked(b: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < b.byteLength; i += size) yield b.slice(i, i + size);
}

async function decode(name: string, chunkSize = 1 << 20) {
  return collectArray(decodeNpy(chunked(bytes(name), chunkSize), name));
}

async function failure(b: Uint8Array, name = 'x.npy'): Promise<string> {
  try {
    await collectArray(decodeNpy([b], name));
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    const message = (e as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message.startsWith(`${name}: `)).toBe(true);
    return message;
  }
  throw new Error('no error');
}

describe('.npy written by numpy: every dtype and byte order gives the CSV numbers', () => {
  it.each([
    ['p_f8.npy', 'float64'],
    ['p_f8_be.npy', 'float64'],
    ['p_f4.npy', 'float32'],
    ['p_f4_be.npy', 'float32'],
    ['p_f2.npy', 'float16'],
    ['p_f2_be.npy', 'float16'],
    ['p_f8_v2.npy', 'float64'],
    ['p_f8_v3.npy', 'float64'],
  ])('%s (%s)', async (name, dtype) => {
    const got = await decode(name);
    expect(got.dtype).toBe(dtype);
    expect(got.width).toBe(1);
    expect(got.values).toEqual(csv.p);
  });

  it.each([
    ['y_u1.npy', 'uint8'],
    ['y_bool.npy', 'bool'],
    ['y_i1.npy', 'int8'],
    ['y_i2_be.npy', 'int16'],
    ['y_u2.npy', 'uint16'],
    ['y_i4.npy', 'int32'],
    ['y_u4_be.npy', 'uint32'],
    ['y_i8.npy', 'int64'],
    ['y_i8_be.npy', 'int64'],
    ['y_u8.npy', 'uint64'],
    ['y_f8.npy', 'float64'],
  ])('%s (%s)', async (name, dtype) => {
    const got = await decode(name);
    expect(got.dtype).toBe(dtype);
    expect(got.values).toEqual(csv.y);
  });

  it('float64 extremes survive bit for bit (subnormal, 1 − 2^-53)', async () => {
    const extreme = readCsvColumns('extreme.csv');
    expect((await decode('extreme_p.npy')).values).toEqual(extreme.p);
    expect((await decode('extreme_y.npy')).values).toEqual(extreme.y);
  });

  it.each(['logits_f4.npy', 'logits_f8_be.npy', 'logits_f8_fortran.npy', 'logits_f4_fortran_be.npy'])(
    '2-D [N, K] %s comes out row-major',
    async (name) => {
      const got = await decode(name);
      expect(got.width).toBe(4);
      expect(got.rows).toBe(12);
      expect(got.values).toEqual(logitsRowMajor);
    },
  );

  it('the header says what numpy wrote', () => {
    const h = parseNpyHeader(bytes('logits_f8_fortran.npy'), 'f.npy')!;
    expect(h).toMatchObject({
      dtype: 'float64',
      littleEndian: true,
      fortranOrder: true,
      shape: [12, 4],
      version: '1.0',
    });
    expect(h.dataOffset % 64).toBe(0);
    expect(parseNpyHeader(bytes('p_f8_v3.npy'), 'f.npy')!.version).toBe('3.0');
  });

  it('chunk boundaries anywhere (1, 7 and 13 bytes) give the same rows', async () => {
    for (const size of [1, 7, 13]) expect((await decode('logits_f8_be.npy', size)).values).toEqual(logitsRowMajor);
    expect((await decode('p_f2.npy', 3)).values).toEqual(csv.p);
  });
});

describe('float16 conversion', () => {
  it('subnormals, the largest finite value, infinities and NaN', () => {
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfToNumber(0x0400)).toBe(2 ** -14);
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
    expect(halfToNumber(0x8000)).toBe(-0);
    expect(halfToNumber(0x7e00)).toBeNaN();
  });
});

describe('corrupt and truncated .npy: one line naming the file and the problem', () => {
  const good = bytes('p_f8.npy');
  const header = parseNpyHeader(good, 'p.npy')!;

  it('not an npy file', async () => {
    expect(await failure(new TextEncoder().encode('p,y\n0.5,1\n0.25,0\n'))).toMatch(/not a \.npy file/);
  });
  it('truncated in the preamble and in the header', async () => {
    expect(await failure(good.subarray(0, 5))).toMatch(/truncated \.npy: the header needs 10 bytes, the file has 5/);
    expect(await failure(good.subarray(0, 40))).toMatch(/truncated \.npy: the header needs 128 bytes, the file has 40/);
  });
  it('truncated in the data', async () => {
    expect(await failure(good.subarray(0, header.dataOffset + 100))).toMatch(
      /truncated \.npy: shape \(40\) of float64 needs 448 bytes, the file has 228/,
    );
  });
  it('bytes after the data', async () => {
    const longer = new Uint8Array(good.byteLength + 3);
    longer.set(good);
    expect(await failure(longer)).toMatch(/3 bytes after the data/);
  });
  it('a header that is not a dict, an unknown dtype, a 3-D shape, an unknown version', async () => {
    const edit = (from: string, to: string): Uint8Array => {
      const text = new TextDecoder('latin1').decode(good);
      const changed = text.replace(from, to.padEnd(from.length, ' '));
      return Uint8Array.from(changed, (c) => c.charCodeAt(0));
    };
    expect(await failure(edit("'descr': '<f8'", "'descr': '<c16'"))).toMatch(/dtype '<c16' is not supported/);
    expect(await failure(edit("'shape': (40,)", "'shape': (2,4,5)"))).toMatch(/3-D arrays are not supported/);
    expect(await failure(edit("{'descr'", '[[[[[[[['))).toMatch(/the header is not a numpy header/);
    const v9 = good.slice();
    v9[6] = 9;
    expect(await failure(v9)).toMatch(/version 9\.0 is not supported/);
  });
  it('a bool that is neither 0 nor 1, an int64 beyond 2^53', async () => {
    const b = bytes('y_bool.npy').slice();
    const at = parseNpyHeader(b, 'y.npy')!.dataOffset;
    b[at + 5] = 7;
    expect(await failure(b)).toMatch(/bool element 5 is 7, not 0 or 1/);
    const i = bytes('y_i8.npy').slice();
    i[parseNpyHeader(i, 'y.npy')!.dataOffset + 8 * 3 + 7] = 0x40;
    expect(await failure(i)).toMatch(/int64 element 3 is beyond ±2\^53/);
  });
});
