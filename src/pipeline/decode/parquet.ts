/**
 * Parquet, through hyparquet (+ hyparquet-compressors for gzip, zstd, brotli, lz4; snappy is
 * built in): only the columns asked for are read, one row group at a time, so memory follows
 * the row group's size, not the file's. Scalar columns of DOUBLE, FLOAT, INT32, INT64, BOOLEAN
 * (and FLOAT16), and list / fixed-size-list columns of those for vectors.
 */
import {
  parquetMetadataAsync,
  parquetScan,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type SchemaTree,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { FormatError, isUsageError } from '../../errors.js';
import type { Column, ColumnBatch, DType, NumericArray } from '../columns.js';
import { alignArrays } from './align.js';
import type { ArrayBatch } from './npy.js';
import { ColumnBuffers, fastColumnChunk, isFastColumn } from './parquet-pages.js';
import { inPart, type Part } from '../parts.js';
import type { RandomAccess } from '../source.js';

function asyncBuffer(source: RandomAccess): AsyncBuffer {
  return {
    byteLength: source.size,
    async slice(start: number, end?: number) {
      const bytes = await source.read(start, (end ?? source.size) - start);
      return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.slice().buffer as ArrayBuffer);
    },
  };
}

/** hyparquet's own errors name no file: they become one line that does. */
async function guarded<T>(file: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isUsageError(e)) throw e;
    throw new FormatError(file, `corrupt or unsupported Parquet (${(e as Error).message.split('\n')[0]})`);
  }
}

/** The file's column names and its row count, from the footer. */
export async function parquetColumns(source: RandomAccess): Promise<{ rows: number; columns: string[] }> {
  const metadata = await guarded(source.name, () => parquetMetadataAsync(asyncBuffer(source)));
  return { rows: Number(metadata.num_rows), columns: parquetSchema(metadata).children.map((c) => c.element.name) };
}

function leafDType(node: SchemaTree, file: string): DType {
  let leaf = node;
  while (leaf.children.length > 0) leaf = leaf.children[0]!;
  const { type, logical_type: logical } = leaf.element;
  if (logical?.type === 'FLOAT16') return 'float16';
  if (logical?.type === 'INTEGER' && !logical.isSigned) return logical.bitWidth === 64 ? 'uint64' : 'uint32';
  switch (type) {
    case 'DOUBLE':
      return 'float64';
    case 'FLOAT':
      return 'float32';
    case 'INT32':
      return 'int32';
    case 'INT64':
      return 'int64';
    case 'BOOLEAN':
      return 'bool';
    default:
      throw new FormatError(
        file,
        `column '${node.element.name}' has Parquet type ${logical?.type ?? type}; a number or a list of numbers is needed`,
      );
  }
}

function emptyOf(dtype: DType, n: number): NumericArray {
  switch (dtype) {
    case 'float64':
    case 'int64':
    case 'uint64':
      return new Float64Array(n);
    case 'float32':
    case 'float16':
      return new Float32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    default:
      return new Uint8Array(n); // bool
  }
}

const TWO_53 = 2 ** 53;

/**
 * hyparquet's values (a typed array for required columns, a plain array with nulls or nested
 * arrays otherwise) as one row-major typed column.
 */
function toColumn(data: ArrayLike<unknown>, dtype: DType, name: string, rowStart: number, file: string): Column {
  const n = data.length;
  const isTyped = ArrayBuffer.isView(data) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array);
  if (isTyped && dtype !== 'int64' && dtype !== 'uint64' && dtype !== 'bool')
    return { dtype, width: 1, values: data as unknown as NumericArray };
  const first = n > 0 ? data[0] : undefined;
  const width = Array.isArray(first) ? first.length : 1;
  const values = emptyOf(dtype, n * width);
  const put = (v: unknown, at: number, row: number): void => {
    if (v === null || v === undefined) throw new FormatError(file, `column '${name}' is null in row ${rowStart + row}`);
    const x = typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? +v : (v as number);
    if (typeof v === 'bigint' && (x >= TWO_53 || x <= -TWO_53))
      throw new FormatError(file, `column '${name}' row ${rowStart + row}: ${v} is beyond ±2^53`);
    values[at] = x;
  };
  if (width === 1 && !Array.isArray(first)) {
    for (let i = 0; i < n; i++) put(data[i], i, i);
  } else {
    for (let i = 0; i < n; i++) {
      const row = data[i];
      if (!Array.isArray(row)) throw new FormatError(file, `column '${name}' is null in row ${rowStart + i}`);
      if (row.length !== width)
        throw new FormatError(
          file,
          `column '${name}': row ${rowStart + i} has ${row.length} elements, row ${rowStart} has ${width}`,
        );
      for (let j = 0; j < width; j++) put(row[j], i * width + j, i);
    }
  }
  return { dtype, width, values };
}

/** hyparquet's errors, and the RangeErrors of a page cut short, as one line that names the file. */
async function* guardedBatches(file: string, batches: AsyncGenerator<ArrayBatch>): AsyncGenerator<ArrayBatch> {
  try {
    yield* batches;
  } catch (e) {
    if (isUsageError(e)) throw e;
    throw new FormatError(file, `corrupt or unsupported Parquet (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Row batches of the named columns: a column chunk of the common kind (parquet-pages.ts) one
 * page at a time, any other one row group at a time through hyparquet; the columns' batches
 * are cut where any of them is.
 * @param names  the columns to read (others are never fetched nor decompressed)
 * @param part   a worker's part: only its row groups are read (parts.ts); null: all of them
 */
export async function* decodeParquet(
  source: RandomAccess,
  names: readonly string[],
  part: Part | null = null,
): AsyncGenerator<ColumnBatch> {
  const file = source.name;
  const buffer = asyncBuffer(source);
  const metadata: FileMetaData = await guarded(file, () => parquetMetadataAsync(buffer));
  const schema = parquetSchema(metadata);
  const nodes = names.map((name) => {
    const node = schema.children.find((c) => c.element.name === name);
    if (!node)
      throw new FormatError(
        file,
        `no column named '${name}' (the file has ${schema.children.map((c) => `'${c.element.name}'`).join(', ')})`,
      );
    return { node, dtype: leafDType(node, file) };
  });
  // hyparquet's scan, prepared only when some column chunk needs it
  let scan: Promise<Awaited<ReturnType<typeof parquetScan>>> | null = null;
  const slow = (name: string, rowStart: number, rowEnd: number): Promise<ArrayLike<unknown>> => {
    scan ??= guarded(file, () => parquetScan({ file: buffer, metadata, columns: [...names], compressors }));
    return scan.then((s) => guarded(file, () => s.readColumn({ column: name, rowStart, rowEnd }))) as Promise<
      ArrayLike<unknown>
    >;
  };

  const totalRows = metadata.row_groups.reduce((sum, group) => sum + Number(group.num_rows), 0);
  async function* columnBatches(name: string, node: SchemaTree, dtype: DType): AsyncGenerator<ArrayBatch> {
    let rowStart = 0;
    const buffers = new ColumnBuffers();
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows);
      if (part && !inPart(rowStart, rows, totalRows, part)) {
        rowStart += rows;
        continue;
      }
      const chunk = group.columns.find((c) => c.meta_data?.path_in_schema[0] === name);
      if (rows > 0 && chunk?.meta_data && isFastColumn(node.element, chunk.meta_data, dtype)) {
        yield* fastColumnChunk(source, chunk.meta_data, node.element, dtype, rows, rowStart, compressors, buffers);
      } else if (rows > 0) {
        const data = await slow(name, rowStart, rowStart + rows);
        if (data.length !== rows)
          throw new FormatError(
            file,
            `column '${name}' has ${data.length} values in rows ${rowStart}…${rowStart + rows - 1}`,
          );
        yield { rowStart, rows, column: toColumn(data, dtype, name, rowStart, file) };
      }
      rowStart += rows;
    }
  }

  yield* alignArrays(
    names.map((name, k) => ({
      name,
      where: `${file} column '${name}'`,
      batches: guardedBatches(file, columnBatches(name, nodes[k]!.node, nodes[k]!.dtype)),
    })),
  );
}
