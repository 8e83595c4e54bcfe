/**
 * numpy's .npy format (numpy.lib.format): a magic string, a version, a Python-literal header
 * {'descr': '<f8', 'fortran_order': False, 'shape': (N,)} padded to 64 bytes, then the raw
 * elements. Versions 1.0 (16-bit header length), 2.0 (32-bit) and 3.0 (32-bit, UTF-8 header).
 * Decoded as a stream of row batches, so a file of any length is read in constant memory —
 * except Fortran order with more than one column, whose rows are scattered over the whole
 * file: that is read whole and transposed.
 */
import { FormatError } from '../../errors.js';
import { elementsOf, ITEM_SIZE, type Column, type DType } from '../columns.js';
import { chunkReader, type ByteReader } from '../source.js';

export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // \x93NUMPY

export interface NpyHeader {
  dtype: DType;
  littleEndian: boolean;
  fortranOrder: boolean;
  /** 1-D: [N]; 2-D: [N, K] */
  shape: number[];
  /** bytes before the data (magic, version, length, header text) */
  dataOffset: number;
  version: string;
}

/** One batch of an array's rows, row-major whatever the file's order. */
export interface ArrayBatch {
  rowStart: number;
  rows: number;
  column: Column;
}

/** numpy's type codes: the kind letter and item size of `descr`, without its byte-order mark. */
const DESCR: Readonly<Record<string, DType>> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  b1: 'bool',
  '?': 'bool',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
};

const MIN_PREAMBLE = 10; // magic (6) + version (2) + 16-bit length (2)

/**
 * The header, from the first bytes of a file (at least its dataOffset of them; fewer gives
 * `null` when more might complete it).
 * @param file  named in every error
 */
export function parseNpyHeader(bytes: Uint8Array, file: string, complete = true): NpyHeader | null {
  const need = (n: number): boolean => {
    if (bytes.byteLength >= n) return true;
    if (complete)
      throw new FormatError(file, `truncated .npy: the header needs ${n} bytes, the file has ${bytes.byteLength}`);
    return false;
  };
  if (!need(MIN_PREAMBLE)) return null;
  for (let i = 0; i < NPY_MAGIC.length; i++)
    if (bytes[i] !== NPY_MAGIC[i]) throw new FormatError(file, 'not a .npy file (no \\x93NUMPY magic string)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3)
    throw new FormatError(file, `.npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (!need(8 + lengthBytes)) return null;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (!need(dataOffset)) return null;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataOffset));
  return { ...parseHeaderText(text, file), dataOffset, version: `${major}.${minor}` };
}

function parseHeaderText(text: string, file: string): Omit<NpyHeader, 'dataOffset' | 'version'> {
  const descr = /'descr'\s*:\s*'([<>|=])([^']+)'/.exec(text);
  const order = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !order || !shape) {
    const what = /'descr'\s*:\s*\[/.test(text)
      ? 'structured arrays (record dtypes) are not supported; save one plain array per file'
      : `the header is not a numpy header: ${JSON.stringify(text.trim().slice(0, 80))}`;
    throw new FormatError(file, what);
  }
  const dtype = DESCR[descr[2]!];
  if (!dtype)
    throw new FormatError(
      file,
      `dtype '${descr[1]}${descr[2]}' is not supported (float16/32/64, bool, int8…64, uint8…64 are)`,
    );
  const dims = shape[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (dims.some((d) => !/^\d+$/.test(d))) throw new FormatError(file, `shape (${shape[1]}) is not a tuple of sizes`);
  const sizes = dims.map(Number);
  if (sizes.length < 1 || sizes.length > 2)
    throw new FormatError(file, `${sizes.length}-D arrays are not supported: give 1-D [N] or 2-D [N, K]`);
  // '<' little, '>' big, '|' not applicable (one byte), '=' native (numpy writes it explicitly; treat as little)
  return { dtype, littleEndian: descr[1] !== '>', fortranOrder: order[1] === 'True', shape: sizes };
}

/** The target size of a batch; rows per batch follow from the row's width. */
const BATCH_BYTES = 1 << 20;
/** Longer than any header numpy writes (it pads to 64 bytes; a header of megabytes is damage). */
const MAX_HEADER = 1 << 20;

/**
 * The header, read from the start of a .npy's bytes (the reader is left at the first element).
 * @param file  named in every error
 */
export async function readNpyHeader(reader: ByteReader, file: string): Promise<NpyHeader> {
  // the preamble gives the header's length (the 32-bit length of versions 2 and 3 ends at byte 12)
  const preamble = new Uint8Array(12);
  let received = await reader.fill(preamble);
  const header = parseNpyHeader(preamble.subarray(0, received), file, received < preamble.length);
  if (header !== null) return header;
  const v = new DataView(preamble.buffer);
  const length = preamble[6] === 1 ? 10 + v.getUint16(8, true) : 12 + v.getUint32(8, true);
  if (length > MAX_HEADER) throw new FormatError(file, `corrupt .npy: a header of ${length} bytes`);
  const whole = new Uint8Array(length);
  whole.set(preamble);
  received += await reader.fill(whole.subarray(preamble.length));
  // (a header shorter than the preamble cannot hold the dictionary: parseNpyHeader refused it)
  return parseNpyHeader(whole.subarray(0, received), file, true)!;
}

/** Which rows of an array to decode: [start, end), or null for all of them. */
export type RowRange = { start: number; end: number } | null;

/**
 * Decodes a .npy byte stream into row batches. Every batch is decoded in the same buffer: its
 * values (a view on that buffer where the dtype and byte order allow) are valid until the next
 * batch is asked for.
 * @param input  the file's bytes: a ByteReader, or chunks of any sizes
 * @param file   named in every error
 * @param onHeader  called once with the header, before the first batch
 * @param rows   only these rows (a worker's part: the bytes before them are skipped, not decoded);
 *               the check for bytes after the data is made by the part that ends with the array
 */
export async function* decodeNpy(
  input: ByteReader | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  file: string,
  onHeader?: (header: NpyHeader) => void,
  batchBytes = BATCH_BYTES,
  rows: RowRange = null,
): AsyncGenerator<ArrayBatch> {
  const data = Symbol.iterator in input || Symbol.asyncIterator in input ? chunkReader(input) : input;
  const header = await readNpyHeader(data, file);
  onHeader?.(header);

  const [n, width = 1] = header.shape as [number, number?];
  const size = ITEM_SIZE[header.dtype];
  const rowBytes = width * size;
  const totalBytes = n * rowBytes;
  const start = Math.min(rows?.start ?? 0, n);
  const end = Math.min(rows?.end ?? n, n);
  const truncated = (got: number): FormatError =>
    new FormatError(
      file,
      `truncated .npy: shape (${header.shape.join(', ')}) of ${header.dtype} needs ${header.dataOffset + totalBytes} bytes, the file has ${header.dataOffset + got}`,
    );

  if (header.fortranOrder && width > 1 && n > 0) {
    // every row is spread over the whole file: read whole, whatever the part
    const all = new Uint8Array(totalBytes);
    const got = await data.fill(all);
    if (got < totalBytes) throw truncated(got);
    const columnMajor = elementsOf(all, header.dtype, header.littleEndian, file);
    const values = transpose(columnMajor, n, width).subarray(start * width, end * width);
    if (end > start) yield { rowStart: start, rows: end - start, column: { dtype: header.dtype, width, values } };
  } else {
    const skipped = await data.skip(start * rowBytes);
    if (skipped < start * rowBytes) throw truncated(skipped);
    const rowsPerBatch = Math.max(1, Math.floor(batchBytes / Math.max(1, rowBytes)));
    // one buffer for every batch (offset 0: aligned for any element type)
    const buffer = new Uint8Array(Math.min(end - start, rowsPerBatch) * rowBytes);
    for (let rowStart = start; rowStart < end; rowStart += rowsPerBatch) {
      const rows = Math.min(rowsPerBatch, end - rowStart);
      const bytes = buffer.subarray(0, rows * rowBytes);
      const got = await data.fill(bytes);
      // a cut file: the whole rows before the cut go on first, so that a bad value among them is
      // the error, as it is when a worker's part ends before the cut (threads = one thread)
      const whole = got < bytes.byteLength ? Math.floor(got / rowBytes) : rows;
      if (whole > 0) {
        const values = elementsOf(
          bytes.subarray(0, whole * rowBytes),
          header.dtype,
          header.littleEndian,
          file,
          rowStart * width,
        );
        yield { rowStart, rows: whole, column: { dtype: header.dtype, width, values } };
      }
      if (got < bytes.byteLength) throw truncated(rowStart * rowBytes + got);
    }
  }
  if (end < n) return;
  let extra = 0;
  const probe = new Uint8Array(1 << 16);
  for (let got = await data.fill(probe); got > 0; got = await data.fill(probe)) extra += got;
  if (extra > 0)
    throw new FormatError(
      file,
      `corrupt .npy: ${extra} bytes after the data of shape (${header.shape.join(', ')}) ${header.dtype}`,
    );
}

/** Column-major [n, k] to row-major. */
function transpose<T extends Column['values']>(a: T, n: number, k: number): T {
  const out = new (a.constructor as new (length: number) => T)(a.length);
  for (let c = 0; c < k; c++) for (let r = 0; r < n; r++) out[r * k + c] = a[c * n + r]!;
  return out;
}
