/**
 * The common case of Parquet, decoded page by page straight into typed arrays: a top-level
 * column (required, or optional without nulls) of DOUBLE, FLOAT, INT32, INT64 or BOOLEAN,
 * PLAIN, dictionary or BYTE_STREAM_SPLIT encoded, in data pages v1 or v2, under any codec. Measured on 10^7 rows
 * (bench/formats.mjs), hyparquet spends most of its time turning the definition levels of an
 * optional column into an array with nulls (assembleLists) and then we copy that array back
 * into a typed one: ~4 s against ~0.1 s here. Everything else (lists, FLOAT16, DELTA encodings …)
 * stays with hyparquet, in parquet.ts.
 *
 * Each column is read front to back through one reused buffer (SequentialReader), one page at
 * a time; the arrays a batch hands over are views into buffers that the next page reuses.
 */
import { gunzipSync } from 'node:zlib';
import type { ColumnMetaData, Compressors, SchemaElement } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { FormatError } from '../../errors.js';
import { elementsOf, type DType, type NumericArray } from '../columns.js';
import { SequentialReader, type RandomAccess } from '../source.js';
import type { ArrayBatch } from './npy.js';

/** Value encodings decoded here (the levels are RLE, the only encoding a writer uses for them today). */
const VALUE_ENCODINGS = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'BYTE_STREAM_SPLIT']);
const LEVEL_ENCODINGS = new Set(['RLE', 'BIT_PACKED']);
const PHYSICAL: Readonly<Record<string, true>> = { DOUBLE: true, FLOAT: true, INT32: true, INT64: true, BOOLEAN: true };

/** Whether a column chunk is one this decoder reads; otherwise hyparquet does. */
export function isFastColumn(element: SchemaElement, meta: ColumnMetaData, dtype: DType): boolean {
  if (element.num_children || element.repetition_type === 'REPEATED' || !element.type || !PHYSICAL[element.type])
    return false;
  if (dtype === 'float16' || meta.type !== element.type) return false;
  if (meta.path_in_schema.length !== 1) return false;
  // BIT_PACKED and RLE appear in the list for the levels; a value encoding outside ours sends the chunk to hyparquet
  // (booleans may also be RLE-encoded values)
  return (
    meta.encodings.every((e) => VALUE_ENCODINGS.has(e) || LEVEL_ENCODINGS.has(e)) &&
    (element.type !== 'BOOLEAN' || !meta.encodings.some((e) => e.includes('DICTIONARY') || e === 'BYTE_STREAM_SPLIT'))
  );
}

/** A buffer that grows to the largest size asked of it and is otherwise reused. */
export class Scratch {
  private bytes = new Uint8Array(0);
  get(n: number): Uint8Array {
    if (this.bytes.byteLength < n) this.bytes = new Uint8Array(Math.max(n, this.bytes.byteLength * 1.5));
    return this.bytes.subarray(0, n);
  }
}

/**
 * Snappy (the raw format Parquet uses) into `out`, whose length is the uncompressed size.
 * Literals are copied with `set` (a memcpy): doubles compress little, so a page is mostly
 * literals, and a byte loop there is what makes the JavaScript decoders slow.
 */
export function snappyInto(input: Uint8Array, out: Uint8Array): void {
  let pos = 0;
  // the uncompressed length, a varint (the caller knows it from the page header)
  while (pos < input.length && input[pos++]! >= 0x80);
  let at = 0;
  while (pos < input.length) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >>> 2;
      if (length >= 60) {
        const bytes = length - 59;
        length = 0;
        for (let i = 0; i < bytes; i++) length |= input[pos++]! << (8 * i);
        length >>>= 0;
      }
      length += 1;
      if (pos + length > input.length || at + length > out.length) throw new RangeError('snappy literal past the end');
      out.set(input.subarray(pos, pos + length), at);
      pos += length;
      at += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++]!;
    } else if (kind === 2) {
      length = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      length = (tag >>> 2) + 1;
      offset = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > at || at + length > out.length) throw new RangeError('snappy copy out of range');
    if (offset >= length) out.copyWithin(at, at - offset, at - offset + length);
    else for (let i = 0; i < length; i++) out[at + i] = out[at - offset + i]!;
    at += length;
  }
  if (at !== out.length) throw new RangeError(`snappy data gives ${at} bytes, the page header says ${out.length}`);
}

/** A varint of the RLE/bit-packed hybrid, from `bytes` at `state.at`. */
function varint(bytes: Uint8Array, state: { at: number }): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (state.at >= bytes.length) throw new RangeError('RLE run header past the end');
    const b = bytes[state.at++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
    shift += 7;
  }
}

/**
 * Checks that the first n definition levels (bit width 1: an optional top-level column) are
 * all 1: no nulls. Returns the index of the first null, or -1.
 */
function firstNull(levels: Uint8Array, n: number): number {
  const state = { at: 0 };
  let seen = 0;
  while (seen < n) {
    const header = varint(levels, state);
    if (header % 2 === 0) {
      const count = header / 2;
      if (state.at >= levels.length) throw new RangeError('RLE run past the end');
      if (levels[state.at++] !== 1) return seen;
      seen += count;
    } else {
      const count = ((header - 1) / 2) * 8;
      const bytes = count / 8;
      if (state.at + bytes > levels.length) throw new RangeError('bit-packed run past the end');
      for (let i = 0; i < bytes && seen + 8 * i < n; i++) {
        const b = levels[state.at + i]!;
        const valid = Math.min(8, n - seen - 8 * i);
        if ((b & ((1 << valid) - 1)) !== (1 << valid) - 1) {
          for (let j = 0; j < valid; j++) if (!((b >> j) & 1)) return seen + 8 * i + j;
        }
      }
      state.at += bytes;
      seen += count;
    }
  }
  return -1;
}

/**
 * Dictionary indices (an RLE/bit-packed hybrid of `width` ≤ 32 bits, from `bytes[0]`) → the
 * dictionary's values, straight into `out` (its length: the values wanted). One pass, no index
 * array, integer operations a group of 8 values at a time: 2× faster than decoding the indices
 * into a Uint32Array and gathering in a second loop (DuckDB's labels: bit-packed runs of 256).
 */
export function dictionaryInto(bytes: Uint8Array, width: number, dictionary: NumericArray, out: NumericArray): void {
  const n = out.length;
  const size = dictionary.length;
  const valueBytes = (width + 7) >> 3;
  const mask = width >= 32 ? -1 : (1 << width) - 1;
  const outOfRange = (index: number) => new RangeError(`dictionary index ${index} of ${size} entries`);
  let at = 0;
  let seen = 0;
  while (seen < n) {
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length) throw new RangeError('RLE run header past the end');
      const b = bytes[at++]!;
      header += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if (header % 2 === 0) {
      const count = Math.min(header / 2, n - seen);
      if (at + valueBytes > bytes.length) throw new RangeError('RLE run past the end');
      let index = 0;
      for (let i = 0; i < valueBytes; i++) index += bytes[at++]! * 2 ** (8 * i);
      if (index >= size) throw outOfRange(index);
      out.fill(dictionary[index]!, seen, seen + count);
      seen += count;
      continue;
    }
    const groups = (header - 1) / 2;
    const count = Math.min(groups * 8, n - seen);
    const runEnd = at + groups * width;
    // whole groups of 8 values (`width` bytes each) that are all in `bytes`
    const whole = width > 24 ? 0 : Math.min(count >> 3, width === 0 ? count >> 3 : ((bytes.length - at) / width) | 0);
    if (width <= 4) {
      for (let g = 0; g < whole; g++) {
        let word = 0;
        for (let i = 0; i < width; i++) word |= bytes[at++]! << (8 * i);
        for (let j = 0; j < 8; j++) {
          const index = (word >>> (j * width)) & mask;
          if (index >= size) throw outOfRange(index);
          out[seen++] = dictionary[index]!;
        }
      }
    } else {
      for (let g = 0; g < whole; g++) {
        let bits = 0;
        let buffered = 0;
        for (let j = 0; j < 8; j++) {
          while (buffered < width) {
            bits |= bytes[at++]! << buffered;
            buffered += 8;
          }
          const index = bits & mask;
          bits >>>= width;
          buffered -= width;
          if (index >= size) throw outOfRange(index);
          out[seen++] = dictionary[index]!;
        }
      }
    }
    // the rest: a last part-group, widths above 24, or a run whose padding the writer cut (missing bytes read as 0)
    let bits = 0; // below 2^40: refilled 8 bits at a time while fewer than `width` ≤ 32 are buffered
    let buffered = 0;
    for (let k = whole * 8; k < count; k++) {
      while (buffered < width) {
        bits += (at < bytes.length ? bytes[at]! : 0) * 2 ** buffered;
        at++;
        buffered += 8;
      }
      const index = bits % 2 ** width;
      bits = Math.floor(bits / 2 ** width);
      buffered -= width;
      if (index >= size) throw outOfRange(index);
      out[seen++] = dictionary[index]!;
    }
    at = runEnd;
  }
}

/**
 * The buffers one column is decoded in, kept from one row group to the next: allocating them per
 * column chunk made 10^8 rows (814 row groups) 25× slower than 10^7 in page faults and GC.
 */
export class ColumnBuffers {
  /** the SequentialReader's */
  block: Uint8Array = new Uint8Array(0);
  readonly inflated = new Scratch();
  readonly aligned = new Scratch();
  readonly gathered = new Scratch();
}

const ALIGNED_ARRAY: Partial<Record<DType, new (buffer: ArrayBuffer, offset: number, length: number) => NumericArray>> =
  {
    float64: Float64Array,
    float32: Float32Array,
    int32: Int32Array,
    uint32: Uint32Array,
  };
const BOOLEANS = Uint8Array.of(0, 1);
const ITEM: Readonly<Record<string, number>> = { DOUBLE: 8, FLOAT: 4, INT32: 4, INT64: 8 };

/**
 * The batches of one column chunk (one per data page).
 * @param dtype     what parquet.ts maps the column's type to (the fallback gives the same)
 * @param rowStart  the row group's first row in the file
 */
export async function* fastColumnChunk(
  source: RandomAccess,
  meta: ColumnMetaData,
  element: SchemaElement,
  dtype: DType,
  rows: number,
  rowStart: number,
  compressors: Compressors,
  buffers: ColumnBuffers = new ColumnBuffers(),
): AsyncGenerator<ArrayBatch> {
  const file = source.name;
  const name = element.name;
  const optional = element.repetition_type === 'OPTIONAL';
  const physical = element.type!;
  const dictionaryOffset = meta.dictionary_page_offset !== undefined ? Number(meta.dictionary_page_offset) : -1;
  const dataOffset = Number(meta.data_page_offset);
  const start = dictionaryOffset > 0 && dictionaryOffset < dataOffset ? dictionaryOffset : dataOffset;
  const end = start + Number(meta.total_compressed_size);
  if (end > source.size)
    throw new FormatError(
      file,
      `truncated Parquet: column '${name}' needs bytes up to ${end}, the file has ${source.size}`,
    );
  const reader = new SequentialReader(source, start, end, buffers.block);
  const { inflated, aligned, gathered } = buffers;
  let dictionary: NumericArray | null = null;

  const decompress = (bytes: Uint8Array, size: number): Uint8Array => {
    if (meta.codec === 'UNCOMPRESSED') return bytes;
    const out = inflated.get(size);
    if (meta.codec === 'SNAPPY') snappyInto(bytes, out);
    else if (meta.codec === 'GZIP') out.set(gunzipSync(bytes));
    else {
      const decode = compressors[meta.codec];
      if (!decode) throw new FormatError(file, `column '${name}': compression ${meta.codec} is not supported`);
      const result = decode(bytes, size);
      if (result.byteLength !== size)
        throw new RangeError(`${meta.codec} data gives ${result.byteLength} bytes, the page header says ${size}`);
      return result;
    }
    return out;
  };

  /** n PLAIN values at the start of `bytes`, as a typed array (a view when the bytes allow it). */
  const plain = (bytes: Uint8Array, n: number, first: number): NumericArray => {
    if (physical === 'BOOLEAN') {
      if (bytes.length * 8 < n) throw new RangeError('PLAIN booleans past the end of the page');
      const out = gathered.get(n);
      for (let i = 0; i < n; i++) out[i] = (bytes[i >> 3]! >> (i & 7)) & 1;
      return out;
    }
    const size = ITEM[physical]!;
    if (bytes.length < n * size)
      throw new RangeError(`${n} PLAIN values need ${n * size} bytes, the page has ${bytes.length}`);
    const values = bytes.subarray(0, n * size);
    const Ctor = ALIGNED_ARRAY[dtype];
    if (Ctor === undefined) return elementsOf(values, dtype, true, file, first); // int64, uint64: converted (and range-checked)
    const at = values.byteOffset % size === 0 ? values : aligned.get(values.byteLength);
    if (at !== values) at.set(values);
    return new Ctor(at.buffer as ArrayBuffer, at.byteOffset, n);
  };

  /**
   * n values in BYTE_STREAM_SPLIT (DuckDB's DOUBLE and FLOAT in data pages v2): byte k of value i
   * is bytes[k·n + i]; put back together as PLAIN bytes, in an aligned buffer.
   */
  const unsplit = (bytes: Uint8Array, n: number): Uint8Array => {
    const size = ITEM[physical]!;
    if (bytes.length < n * size)
      throw new RangeError(`${n} BYTE_STREAM_SPLIT values need ${n * size} bytes, the page has ${bytes.length}`);
    const out = aligned.get(n * size);
    for (let k = 0; k < size; k++) {
      const stream = bytes.subarray(k * n, (k + 1) * n);
      for (let i = 0, at = k; i < n; i++, at += size) out[at] = stream[i]!;
    }
    return out;
  };

  let row = 0;
  while (row < rows) {
    if (reader.remaining === 0)
      throw new FormatError(
        file,
        `corrupt Parquet: column '${name}' ends after ${row} of the row group's ${rows} rows (rows ${rowStart + 1}…)`,
      );
    // a page header is a few dozen bytes (more with statistics); 64 KiB holds any numeric column's
    const head = await reader.peek(1 << 16);
    const cursor = { view: new DataView(head.buffer, head.byteOffset, head.byteLength), offset: 0 };
    const header = parquetHeader(cursor);
    reader.skip(cursor.offset);
    const body = await reader.take(header.compressed_page_size);
    if (body.byteLength < header.compressed_page_size)
      throw new FormatError(file, `truncated Parquet: a page of column '${name}' is cut short`);

    if (header.type === 'DICTIONARY_PAGE') {
      const n = header.dictionary_page_header!.num_values;
      // owned: it outlives this page
      dictionary = plain(decompress(body, header.uncompressed_page_size), n, 0).slice();
      continue;
    }
    if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue; // index pages: nothing to decode

    let values: Uint8Array;
    let levels: Uint8Array | null = null;
    let n: number;
    let encoding: string;
    if (header.type === 'DATA_PAGE') {
      const h = header.data_page_header!;
      n = h.num_values;
      encoding = h.encoding;
      const page = decompress(body, header.uncompressed_page_size);
      values = page;
      if (optional) {
        if (h.definition_level_encoding !== 'RLE')
          throw new FormatError(
            file,
            `column '${name}': definition levels encoded as ${h.definition_level_encoding} are not supported`,
          );
        const length = new DataView(page.buffer, page.byteOffset, page.byteLength).getUint32(0, true);
        levels = page.subarray(4, 4 + length);
        values = page.subarray(4 + length);
      }
    } else {
      const h = header.data_page_header_v2!;
      n = h.num_values;
      encoding = h.encoding;
      if (h.repetition_levels_byte_length !== 0)
        throw new FormatError(file, `column '${name}' has repetition levels; a scalar column has none`);
      if (h.num_nulls > 0)
        throw new FormatError(
          file,
          `column '${name}' has ${h.num_nulls} null${h.num_nulls === 1 ? '' : 's'} in rows ${rowStart + row + 1}…${rowStart + row + n}`,
        );
      const levelBytes = h.definition_levels_byte_length;
      if (optional) levels = body.subarray(0, levelBytes);
      const rest = body.subarray(levelBytes);
      values = h.is_compressed === false ? rest : decompress(rest, header.uncompressed_page_size - levelBytes);
    }
    if (n > rows - row)
      throw new FormatError(
        file,
        `corrupt Parquet: column '${name}' has more values than the row group's ${rows} rows`,
      );
    if (levels !== null) {
      const at = firstNull(levels, n);
      if (at >= 0) throw new FormatError(file, `column '${name}' is null in row ${rowStart + row + at + 1}`);
    }

    let column: NumericArray;
    if (encoding === 'PLAIN') column = plain(values, n, row);
    else if (encoding === 'BYTE_STREAM_SPLIT' && physical !== 'BOOLEAN') column = plain(unsplit(values, n), n, row);
    else if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
      if (dictionary === null)
        throw new FormatError(
          file,
          `corrupt Parquet: column '${name}' has a dictionary-encoded page but no dictionary`,
        );
      const width = values[0]!;
      if (width > 32) throw new RangeError(`dictionary index width ${width}`);
      const out = gathered.get(n * dictionary.BYTES_PER_ELEMENT);
      column = new (dictionary.constructor as new (b: ArrayBuffer, o: number, n: number) => NumericArray)(
        out.buffer as ArrayBuffer,
        out.byteOffset,
        n,
      );
      dictionaryInto(values.subarray(1), width, dictionary, column);
    } else if (encoding === 'RLE' && physical === 'BOOLEAN') {
      // booleans as an RLE/bit-packed hybrid of width 1 behind a 4-byte length: indices into [0, 1]
      const length = new DataView(values.buffer, values.byteOffset, values.byteLength).getUint32(0, true);
      column = gathered.get(n);
      dictionaryInto(values.subarray(4, 4 + length), 1, BOOLEANS, column);
    } else
      throw new FormatError(
        file,
        `column '${name}': a page uses ${encoding}, which the column's metadata does not list`,
      );
    yield { rowStart: rowStart + row, rows: n, column: { dtype, width: 1, values: column } };
    row += n;
  }
  buffers.block = reader.reusable;
}
