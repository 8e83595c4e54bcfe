/**
 * Arrow IPC, file ("ARROW1", random access) and stream (a sequence of messages, e.g. from
 * stdin), through apache-arrow: one record batch at a time, each named column handed over as
 * the typed array Arrow holds (viewed, not copied, where its type is already one of ours).
 * Scalar columns of floats, integers and booleans; FixedSizeList and List columns of those for
 * vectors. A file given as a stream (stdin) is read whole by apache-arrow; a file on disk is not.
 */
import { RecordBatchReader, Type, type Data, type DataType } from 'apache-arrow';
import { open, type FileHandle } from 'node:fs/promises';
import { FormatError } from '../../errors.js';
import { halfToNumber, type Column, type ColumnBatch, type DType, type NumericArray } from '../columns.js';
import { rangeChunks, type RandomAccess } from '../source.js';
import { arrowAtOffsets } from './arrow-ipc.js';
import type { Part } from '../parts.js';

const TWO_53 = 2 ** 53;

/** Our dtype for an Arrow number type (an error naming the column for any other type). */
export function dtypeOf(type: DataType, name: string, file: string): DType {
  const t = type as DataType & { precision?: number; bitWidth?: number; isSigned?: boolean };
  switch (type.typeId) {
    case Type.Float:
      return t.precision === 0 ? 'float16' : t.precision === 1 ? 'float32' : 'float64';
    case Type.Int:
      return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}` as DType;
    case Type.Bool:
      return 'bool';
    default:
      throw new FormatError(
        file,
        `column '${name}' has Arrow type ${String(type)}; a number or a list of numbers is needed`,
      );
  }
}

/** Elements [start, start + n) of a primitive Data as one of our typed arrays. */
function elements(data: Data, start: number, n: number, dtype: DType, name: string, file: string): NumericArray {
  const values = data.values as unknown as ArrayLike<number | bigint> & { subarray(a: number, b: number): unknown };
  const at = data.offset + start;
  if (dtype === 'bool') {
    const out = new Uint8Array(n);
    const bits = data.values as Uint8Array;
    for (let i = 0; i < n; i++) out[i] = (bits[(at + i) >> 3]! >> ((at + i) & 7)) & 1;
    return out;
  }
  if (dtype === 'float16') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfToNumber(values[at + i] as number);
    return out;
  }
  if (dtype === 'int64' || dtype === 'uint64') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = Number(values[at + i] as bigint);
      if (v >= TWO_53 || v <= -TWO_53)
        throw new FormatError(file, `column '${name}': ${String(values[at + i])} is beyond ±2^53`);
      out[i] = v;
    }
    return out;
  }
  return values.subarray(at, at + n) as NumericArray;
}

function toColumn(data: Data, name: string, file: string, rowStart: number): Column {
  if (data.nullCount > 0)
    throw new FormatError(
      file,
      `column '${name}' has ${data.nullCount} null${data.nullCount === 1 ? '' : 's'} in rows ${rowStart + 1}…${rowStart + data.length}`,
    );
  const type = data.type;
  if (type.typeId === Type.FixedSizeList) {
    const width = (type as DataType & { listSize: number }).listSize;
    const child = data.children[0]!;
    if (child.nullCount > 0)
      throw new FormatError(
        file,
        `column '${name}' has null elements in rows ${rowStart + 1}…${rowStart + data.length}`,
      );
    const dtype = dtypeOf(child.type, name, file);
    return { dtype, width, values: elements(child, data.offset * width, data.length * width, dtype, name, file) };
  }
  if (type.typeId === Type.List) {
    const offsets = data.valueOffsets as Int32Array;
    const child = data.children[0]!;
    const first = offsets[data.offset]!;
    const width = data.length > 0 ? offsets[data.offset + 1]! - first : 0;
    for (let i = 1; i < data.length; i++) {
      const w = offsets[data.offset + i + 1]! - offsets[data.offset + i]!;
      if (w !== width)
        throw new FormatError(
          file,
          `column '${name}': row ${rowStart + i + 1} has ${w} elements, row ${rowStart + 1} has ${width}`,
        );
    }
    if (child.nullCount > 0)
      throw new FormatError(
        file,
        `column '${name}' has null elements in rows ${rowStart + 1}…${rowStart + data.length}`,
      );
    const dtype = dtypeOf(child.type, name, file);
    return { dtype, width, values: elements(child, first, data.length * width, dtype, name, file) };
  }
  const dtype = dtypeOf(type, name, file);
  return { dtype, width: 1, values: elements(data, 0, data.length, dtype, name, file) };
}

/**
 * Row batches of the named columns, one per record batch (a record batch of several chunks —
 * rare — is split at the chunk boundaries).
 * @param input  a stream of bytes (stdin, either format) or an open file (the file format, read at offsets)
 * @param wanted the columns to read, or a function that picks them from the schema's names
 */
export async function* decodeArrow(
  input: AsyncIterable<Uint8Array> | FileHandle,
  file: string,
  wanted: readonly string[] | ((available: string[]) => readonly string[]),
): AsyncGenerator<ColumnBatch> {
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await RecordBatchReader.from(input as AsyncIterable<Uint8Array>);
    await reader.open();
  } catch (e) {
    throw new FormatError(file, `not a readable Arrow IPC file or stream (${(e as Error).message.split('\n')[0]})`);
  }
  const names =
    typeof wanted === 'function' ? wanted(reader.schema.fields.map((f: { name: string }) => f.name)) : wanted;
  let rowStart = 0;
  const iterator = reader[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Awaited<ReturnType<typeof iterator.next>>['value']>;
    try {
      next = await iterator.next();
    } catch (e) {
      throw new FormatError(file, `corrupt or truncated Arrow data (${(e as Error).message.split('\n')[0]})`);
    }
    if (next.done) break;
    const batch = next.value;
    const vectors = names.map((name) => {
      const v = batch.getChild(name);
      if (!v)
        throw new FormatError(
          file,
          `no column named '${name}' (the file has ${batch.schema.fields.map((f: { name: string }) => `'${f.name}'`).join(', ')})`,
        );
      return v;
    });
    // every column of a record batch has the same chunking in practice; split at the first column's chunks
    for (let c = 0; c < vectors[0]!.data.length; c++) {
      const rows = vectors[0]!.data[c]!.length;
      const columns: Record<string, Column> = {};
      names.forEach((name, k) => {
        const data = vectors[k]!.data[c];
        if (!data || data.length !== rows)
          throw new FormatError(file, `columns '${names[0]}' and '${name}' are chunked differently`);
        columns[name] = toColumn(data, name, file, rowStart);
      });
      yield { rowStart, rows, columns };
      rowStart += rows;
    }
  }
}

/**
 * An Arrow input read at offsets (a file, or stdin spooled to one): the common case a slice of
 * rows at a time (arrow-ipc.ts), anything else through apache-arrow (decodeArrow).
 * @param path  the file on disk, where apache-arrow reads the file format at offsets too (null: a spooled stream)
 * @param part  a worker's part: its slices of rows (parts.ts); apache-arrow's path is taken by the
 *              first part whole, as one thread takes it, and by no other
 */
export async function* decodeArrowAt(
  source: RandomAccess,
  path: string | null,
  wanted: readonly string[] | ((available: string[]) => readonly string[]),
  part: Part | null = null,
): AsyncGenerator<ColumnBatch> {
  const { names, batches } = await arrowAtOffsets(source, wanted, part);
  if (batches) {
    yield* batches;
    return;
  }
  if (part !== null && part.index > 0) return;
  const isFile = new TextDecoder().decode(await source.read(0, 6)) === 'ARROW1';
  if (path !== null && isFile) {
    const handle = await open(path, 'r');
    try {
      yield* decodeArrow(handle, source.name, names);
    } finally {
      await handle.close();
    }
  } else yield* decodeArrow(rangeChunks(source, 0, source.size), source.name, names);
}
