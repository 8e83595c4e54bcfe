/**
 * Arrow IPC read at offsets, a slice of rows at a time: the common case of numeric columns
 * (Float, Int, Bool, and FixedSizeList / List of those) in uncompressed record batches. apache-arrow
 * reads a record batch's body whole, and a writer often puts a whole table in one batch
 * (tableFromArrays, pyarrow's Table.from_arrays): 10^8 rows would be 900 MB in memory. Here only
 * the metadata goes through apache-arrow (Message.decode); each needed column's buffers are read
 * from the file by offset, one slice of rows at a time, into buffers reused from slice to slice.
 * Anything else (dictionary-encoded columns, view and union types …) is left to decodeArrow.
 *
 * The file format's record batches are found through its footer (which holds the schema: a
 * writer need not repeat it at the front); the stream format's are walked message by message.
 */
import { Message, Type, type DataType, type Field } from 'apache-arrow';
import { Footer, type FileBlock } from 'apache-arrow/ipc/metadata/file';
import { FormatError } from '../../errors.js';
import { elementsOf, type Column, type ColumnBatch, type DType, type NumericArray } from '../columns.js';
import { inPart, type Part } from '../parts.js';
import type { RandomAccess } from '../source.js';
import { dtypeOf } from './arrow.js';

/** Bytes per slice of rows (the widest column's), so that memory does not follow the batch's length. */
const SLICE_BYTES = 1 << 20;
const MAGIC = 'ARROW1';
/** MessageHeader: Schema = 1, DictionaryBatch = 2, RecordBatch = 3 */
const SCHEMA = 1;
const RECORD_BATCH = 3;

/** Buffers and nodes per field of a record batch, by type (the Arrow columnar format's layouts). */
function layout(type: DataType): { buffers: number } | null {
  switch (type.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Bool:
    case Type.Decimal:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary:
    case Type.Dictionary: // validity, indices
      return { buffers: 2 };
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return { buffers: 3 };
    case Type.List:
    case Type.LargeList:
    case Type.Map:
      return { buffers: 2 };
    case Type.FixedSizeList:
    case Type.Struct:
      return { buffers: 1 };
    default:
      return null; // Null, unions, views, run-end encoded …: not walked here
  }
}

/** Where a column's values are in a record batch: its node and buffers, in the batch's order. */
interface Place {
  node: number;
  validity: number;
  /** List: the offsets buffer */
  offsets: number;
  /** the values' node and data buffer (the child's for a list) */
  valueNode: number;
  data: number;
}

/** A needed column: how it is laid out, and where. */
interface Plan {
  name: string;
  kind: 'scalar' | 'fixed' | 'list';
  dtype: DType;
  /** elements per row (FixedSizeList), 0 while a List's width is unknown */
  width: number;
  place: Place;
}

const NUMERIC = new Set<Type>([Type.Int, Type.Float, Type.Bool]);

/** Places of every field, depth first; null when some field's layout is not one walked here. */
function places(fields: readonly Field[]): Map<Field, Place> | null {
  const out = new Map<Field, Place>();
  let node = 0;
  let buffer = 0;
  const walk = (field: Field): boolean => {
    const l = layout(field.type);
    if (!l) return false;
    const place: Place = { node, validity: buffer, offsets: buffer + 1, valueNode: node, data: buffer + 1 };
    out.set(field, place);
    node += 1;
    buffer += l.buffers;
    if (field.type.typeId === Type.Dictionary) return true;
    for (const child of field.type.children ?? []) if (!walk(child)) return false;
    return true;
  };
  for (const f of fields) if (!walk(f)) return null;
  // a list's values are its child's
  for (const f of fields) {
    if (f.type.typeId === Type.List || f.type.typeId === Type.FixedSizeList) {
      const child = out.get(f.type.children[0]!)!;
      const p = out.get(f)!;
      p.valueNode = child.node;
      p.data = child.data;
    }
  }
  return out;
}

/**
 * The plan for the named columns, or null when they are not all of the common kind (then
 * decodeArrow reads the input).
 */
function plan(fields: readonly Field[], names: readonly string[], file: string): Plan[] | null {
  const where = places(fields);
  if (!where) return null;
  const plans: Plan[] = [];
  for (const name of names) {
    const field = fields.find((f) => f.name === name);
    if (!field)
      throw new FormatError(
        file,
        `no column named '${name}' (the file has ${fields.map((f) => `'${f.name}'`).join(', ')})`,
      );
    const type = field.type;
    const place = where.get(field)!;
    if (NUMERIC.has(type.typeId))
      plans.push({ name, kind: 'scalar', dtype: dtypeOf(type, name, file), width: 1, place });
    else if (
      (type.typeId === Type.FixedSizeList || type.typeId === Type.List) &&
      NUMERIC.has(type.children[0]!.type.typeId)
    ) {
      const fixed = type.typeId === Type.FixedSizeList;
      plans.push({
        name,
        kind: fixed ? 'fixed' : 'list',
        dtype: dtypeOf(type.children[0]!.type, name, file),
        width: fixed ? (type as DataType & { listSize: number }).listSize : 0,
        place,
      });
    } else if (type.typeId === Type.Dictionary || type.typeId === Type.LargeList) return null;
    else dtypeOf(type, name, file); // throws: not a number
  }
  return plans;
}

const ITEM_BYTES: Readonly<Record<DType, number>> = {
  float16: 2,
  float32: 4,
  float64: 8,
  bool: 0,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
};

/**
 * The columns chosen, and their batches (null when the input is not the common case).
 * @param wanted  the columns, or a function that picks them from the schema's names
 * @param part    a worker's part: only its slices of rows are read (parts.ts); null: all of them
 */
export async function arrowAtOffsets(
  source: RandomAccess,
  wanted: readonly string[] | ((available: string[]) => readonly string[]),
  part: Part | null = null,
): Promise<{ names: readonly string[]; batches: AsyncGenerator<ColumnBatch> | null }> {
  const file = source.name;
  const head = await source.read(0, 8);
  let fields: Field[];
  /** the messages after the schema, from the start each time */
  let messages: () => AsyncGenerator<Located>;
  if (new TextDecoder().decode(head.subarray(0, 6)) === MAGIC) {
    // the file format: the schema and the record batches' places are in the footer
    const tail = await source.read(source.size - 10, 10);
    if (source.size < 18 || new TextDecoder().decode(tail.subarray(4)) !== MAGIC)
      throw new FormatError(file, 'not a readable Arrow IPC file or stream (truncated: no ARROW1 at its end)');
    const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
    const footerStart = source.size - 10 - footerLength;
    if (footerLength <= 0 || footerStart < 8)
      throw new FormatError(
        file,
        `not a readable Arrow IPC file or stream (a footer of ${footerLength} bytes in a file of ${source.size})`,
      );
    let footer: Footer;
    try {
      footer = Footer.decode(await source.read(footerStart, footerLength));
    } catch (e) {
      throw new FormatError(
        file,
        `not a readable Arrow IPC file or stream (a corrupt footer: ${(e as Error).message.split('\n')[0]})`,
      );
    }
    fields = footer.schema.fields;
    const list = [...footer.recordBatches()];
    messages = () => blocks(source, list, footerStart);
  } else {
    const stream = walk(source, 0, source.size);
    const first = await stream.next();
    await stream.return(undefined);
    if (first.done || first.value.message.headerType !== SCHEMA)
      throw new FormatError(file, 'not a readable Arrow IPC file or stream (no schema first)');
    fields = (first.value.message.header() as { fields: Field[] }).fields;
    const after = first.value.body + first.value.message.bodyLength;
    messages = () => walk(source, after, source.size);
  }
  const names = typeof wanted === 'function' ? wanted(fields.map((f) => f.name)) : wanted;
  const plans = plan(fields, names, file);
  return {
    names,
    batches: plans ? (part ? partBatches(source, messages, plans, part) : batches(source, messages(), plans)) : null,
  };
}

/**
 * A worker's part of the record batches' rows: their metadata first (small reads), for the rows
 * in all, then the slices of its part. Messages that cannot be listed (damaged: errors a
 * one-thread run may meet after some bad value) are read by the first part as one thread reads
 * them, and by no other.
 */
async function* partBatches(
  source: RandomAccess,
  messages: () => AsyncGenerator<Located>,
  plans: Plan[],
  part: Part,
): AsyncGenerator<ColumnBatch> {
  const list: Located[] = [];
  try {
    for await (const located of messages()) if (located.message.headerType === RECORD_BATCH) list.push(located);
  } catch {
    if (part.index === 0) yield* batches(source, messages(), plans);
    return;
  }
  async function* listed(): AsyncGenerator<Located> {
    yield* list;
  }
  const length = ({ message }: Located): number => (message.header() as unknown as RecordBatchHeader).length;
  const rows = list.reduce((sum, located) => sum + length(located), 0);
  const first = list.find((located) => length(located) > 0) ?? null;
  yield* batches(source, listed(), plans, { part, rows, first });
}

interface Located {
  message: Message;
  /** the body's offset in the file */
  body: number;
}

/** A message's metadata (after the continuation marker and length) at `at`, decoded. */
async function decodeMessage(source: RandomAccess, at: number, length: number): Promise<Message> {
  try {
    return Message.decode(await source.read(at, length));
  } catch (e) {
    throw new FormatError(
      source.name,
      `corrupt Arrow message at offset ${at} (${(e as Error).message.split('\n')[0]})`,
    );
  }
}

/** The record batches a file's footer lists. */
async function* blocks(source: RandomAccess, list: readonly FileBlock[], end: number): AsyncGenerator<Located> {
  for (const block of list) {
    const prefix = await source.read(block.offset, 8);
    if (prefix.byteLength < 8 || block.offset + block.metaDataLength + block.bodyLength > end)
      throw new FormatError(
        source.name,
        `corrupt Arrow IPC file: a record batch at offset ${block.offset} lies past its data`,
      );
    const v = new DataView(prefix.buffer, prefix.byteOffset, 8);
    const marked = v.getInt32(0, true) === -1;
    const length = v.getInt32(marked ? 4 : 0, true);
    const at = block.offset + (marked ? 8 : 4);
    if (length <= 0 || at + length > block.offset + block.metaDataLength)
      throw new FormatError(source.name, `corrupt Arrow IPC file: a record batch's metadata at offset ${block.offset}`);
    yield { message: await decodeMessage(source, at, length), body: block.offset + block.metaDataLength };
  }
}

/** The messages of the stream format from `offset` on, with where each body lies. */
async function* walk(source: RandomAccess, offset: number, end: number): AsyncGenerator<Located> {
  const file = source.name;
  let at = offset;
  while (at + 4 <= end) {
    const prefix = await source.read(at, 8);
    const v = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    let length = v.getInt32(0, true);
    at += 4;
    if (length === -1) {
      if (prefix.byteLength < 8) throw new FormatError(file, 'truncated Arrow data (a message cut after its marker)');
      length = v.getInt32(4, true);
      at += 4;
    }
    if (length === 0) return; // end of stream
    if (length < 0 || at + length > end)
      throw new FormatError(file, `corrupt or truncated Arrow data (a message of ${length} bytes at offset ${at})`);
    const message = await decodeMessage(source, at, length);
    at += length;
    const body = at;
    at += message.bodyLength;
    if (at > end)
      throw new FormatError(
        file,
        `truncated Arrow data: a record batch's body needs bytes up to ${at}, the input has ${end}`,
      );
    yield { message, body };
  }
}

interface RecordBatchHeader {
  length: number;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
  compression: unknown;
}

/** A List column's elements in the first row of a record batch (undefined where its offsets are damaged). */
async function firstWidth(
  { message, body }: Located,
  offsets: number,
  read: (offset: number) => Promise<Uint8Array>,
): Promise<number | undefined> {
  const b = (message.header() as unknown as RecordBatchHeader).buffers[offsets];
  if (!b || b.length < 8 || b.offset + 8 > message.bodyLength) return undefined;
  const o = new Int32Array((await read(body + b.offset)).buffer, 0, 2);
  return o[1]! - o[0]!;
}

/**
 * @param split  a worker's part, the rows of all record batches and the first that has rows: the
 *               slices of other parts are skipped
 */
async function* batches(
  source: RandomAccess,
  messages: AsyncGenerator<Located>,
  plans: Plan[],
  split: { part: Part; rows: number; first: Located | null } | null = null,
): AsyncGenerator<ColumnBatch> {
  const file = source.name;
  // one buffer per column and purpose, reused from slice to slice
  const scratch = plans.map(() => ({ data: new Uint8Array(0), offsets: new Uint8Array(0) }));
  const read = async (k: number, which: 'data' | 'offsets', offset: number, length: number): Promise<Uint8Array> => {
    if (scratch[k]![which].byteLength < length) scratch[k]![which] = new Uint8Array(length);
    const bytes = scratch[k]![which].subarray(0, length);
    if ((await source.readInto(offset, bytes)) < length)
      throw new FormatError(file, `truncated Arrow data at offset ${offset}`);
    return bytes;
  };
  /** a List column's elements per row, from its first row on */
  const listWidth: (number | undefined)[] = plans.map(() => undefined);
  // rows per slice: a multiple of 8, so that booleans start on a byte
  let widest = 1;
  for (const p of plans) widest = Math.max(widest, Math.max(1, p.width) * Math.max(1, ITEM_BYTES[p.dtype]));
  const slice = Math.max(8, Math.floor(SLICE_BYTES / widest / 8) * 8);
  /** whether the slice of n rows at row r of the batch at rowStart is this reader's */
  const ours = (rowStart: number, r: number, n: number): boolean =>
    split === null || inPart(rowStart + r, n, split.rows, split.part);
  let rowStart = 0;
  for await (const { message, body } of messages) {
    if (message.headerType !== RECORD_BATCH) continue; // dictionaries serve dictionary-encoded columns, which are not read here
    const batch = message.header() as unknown as RecordBatchHeader;
    const rows = batch.length;
    if (split) {
      let any = false;
      for (let r = 0; r < rows && !any; r += slice) any = ours(rowStart, r, Math.min(slice, rows - r));
      if (!any) {
        rowStart += rows;
        continue;
      }
      // a part holds every List row to row 1's width, as one thread does, wherever the part starts
      for (let k = 0; k < plans.length; k++)
        if (plans[k]!.kind === 'list' && listWidth[k] === undefined && split.first)
          listWidth[k] = await firstWidth(split.first, plans[k]!.place.offsets, (offset) =>
            read(k, 'offsets', offset, 8),
          );
    }
    if (batch.compression)
      throw new FormatError(
        file,
        'compressed Arrow IPC record batches (LZ4/ZSTD) are not supported; write it uncompressed',
      );
    const buffer = (i: number): { offset: number; length: number } => {
      const b = batch.buffers[i];
      if (!b || b.offset + b.length > message.bodyLength)
        throw new FormatError(file, 'corrupt Arrow record batch (a buffer outside its body)');
      return b;
    };
    for (const p of plans) {
      const node = batch.nodes[p.place.node];
      const values = batch.nodes[p.place.valueNode];
      if (!node || !values)
        throw new FormatError(file, 'corrupt Arrow record batch (fewer field nodes than the schema has fields)');
      if (node.nullCount > 0)
        throw new FormatError(
          file,
          `column '${p.name}' has ${node.nullCount} null${node.nullCount === 1 ? '' : 's'} in rows ${rowStart + 1}…${rowStart + rows}`,
        );
      if (values.nullCount > 0)
        throw new FormatError(file, `column '${p.name}' has null elements in rows ${rowStart + 1}…${rowStart + rows}`);
    }
    for (let r = 0; r < rows; r += slice) {
      const n = Math.min(slice, rows - r);
      if (!ours(rowStart, r, n)) continue;
      const columns: Record<string, Column> = {};
      for (let k = 0; k < plans.length; k++) {
        const p = plans[k]!;
        const data = buffer(p.place.data);
        let first = r * Math.max(1, p.width);
        let count = n * Math.max(1, p.width);
        let width = p.width || 1;
        if (p.kind === 'list') {
          const offsets = buffer(p.place.offsets);
          if ((r + n + 1) * 4 > offsets.length)
            throw new FormatError(file, `corrupt Arrow record batch (column '${p.name}': offsets cut short)`);
          const o = new Int32Array(
            (await read(k, 'offsets', body + offsets.offset + r * 4, (n + 1) * 4)).buffer,
            0,
            n + 1,
          );
          width = o[1]! - o[0]!;
          listWidth[k] ??= width;
          if (width !== listWidth[k])
            throw new FormatError(
              file,
              `column '${p.name}': row ${rowStart + r + 1} has ${width} elements, row 1 has ${listWidth[k]}`,
            );
          for (let i = 1; i < n; i++) {
            if (o[i + 1]! - o[i]! !== width)
              throw new FormatError(
                file,
                `column '${p.name}': row ${rowStart + r + i + 1} has ${o[i + 1]! - o[i]!} elements, row ${rowStart + r + 1} has ${width}`,
              );
          }
          first = o[0]!;
          count = n * width;
        }
        let column: NumericArray;
        if (p.dtype === 'bool') {
          const from = first >> 3;
          const bytes = await read(k, 'data', body + data.offset + from, Math.ceil((first + count) / 8) - from);
          const out = new Uint8Array(count);
          const shift = first & 7;
          for (let i = 0; i < count; i++) out[i] = (bytes[(shift + i) >> 3]! >> ((shift + i) & 7)) & 1;
          column = out;
        } else {
          const size = ITEM_BYTES[p.dtype];
          if ((first + count) * size > data.length)
            throw new FormatError(file, `corrupt Arrow record batch (column '${p.name}': values cut short)`);
          column = elementsOf(
            await read(k, 'data', body + data.offset + first * size, count * size),
            p.dtype,
            true,
            file,
            first,
          );
        }
        columns[p.name] = { dtype: p.dtype, width, values: column };
      }
      yield { rowStart: rowStart + r, rows: n, columns };
    }
    rowStart += rows;
  }
}
