/**
 * A binary input as named columns, whatever its format: .npy (one array; two files side by
 * side for predictions and labels), .npz (arrays by name), Parquet and Arrow (columns by
 * name). The caller chooses the columns once their names are known (`choose`), so that only
 * those are read; the batches come out in row order. A stream (stdin) of a format that is read
 * at offsets is spooled to a temporary file first.
 */
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { ColumnBatch } from './columns.js';
import { alignArrays } from './decode/align.js';
import { decodeNpy, readNpyHeader, type ArrayBatch, type NpyHeader, type RowRange } from './decode/npy.js';
import { listNpz, npzArray, npzEntry, npzHeader } from './decode/npz.js';
import { rowRange, type Part } from './parts.js';
import { openRandomAccess, rangeReader, spool, streamChunks, type RandomAccess } from './source.js';

export type ColumnarFormat = 'npy' | 'npz' | 'parquet' | 'arrow';

/** Where one binary input's bytes are: a regular file (read at any offset) or a stream. */
export interface ColumnarFile {
  name: string;
  format: ColumnarFormat;
  path: string | null;
  stream: Readable | null;
}

/** Picks the columns to read from the names the input has. */
export type ChooseColumns = (available: string[]) => readonly string[];

/** The name an .npy file's array goes by: its file name without .npy ("logits.npy" → "logits"). */
export function arrayName(file: string): string {
  return basename(file).replace(/\.npy$/i, '');
}

/** The input read at any offset: the file itself, or a stream spooled to a temporary file first. */
async function randomAccess(file: ColumnarFile): Promise<RandomAccess> {
  if (file.path !== null) return openRandomAccess(file.path);
  const spooled = await spool(streamChunks(file.stream!));
  let source: RandomAccess;
  try {
    source = await openRandomAccess(spooled.path);
  } finally {
    spooled.remove();
  }
  return {
    ...source,
    name: file.name,
    close: async () => {
      await source.close();
      spooled.remove();
    },
  };
}

/** An .npy file's bytes: a file on disk read straight into the decoder's buffer, a stream copied into it. */
async function* npyBatches(file: ColumnarFile, rows: RowRange): AsyncGenerator<ArrayBatch> {
  if (file.stream) {
    yield* decodeNpy(streamChunks(file.stream), file.name, undefined, undefined, rows);
    return;
  }
  const source = await openRandomAccess(file.path!);
  try {
    yield* decodeNpy(rangeReader(source, 0, source.size), file.name, undefined, undefined, rows);
  } finally {
    await source.close();
  }
}

/** An .npy file's header (a file on disk). */
async function npyHeader(path: string, name: string): Promise<NpyHeader> {
  const source = await openRandomAccess(path);
  try {
    return await readNpyHeader(rangeReader(source, 0, source.size), name);
  } finally {
    await source.close();
  }
}

/** A part that reads no rows. */
const NO_ROWS = { start: 0, end: 0 };

/**
 * A worker's rows of arrays read side by side: its range of their common length, from their
 * headers. Arrays that cannot be split alike (their lengths differ, a header is bad, a stream)
 * are read whole by the first part and not at all by the others: that part meets the error in
 * the order one thread does.
 */
async function partRows(headers: ReadonlyArray<(() => Promise<NpyHeader>) | null>, part: Part): Promise<RowRange> {
  const whole = part.index === 0 ? null : NO_ROWS;
  if (headers.some((h) => h === null)) return whole;
  let lengths: number[];
  try {
    lengths = (await Promise.all(headers.map((h) => h!()))).map((h) => h.shape[0]!);
  } catch {
    return whole;
  }
  return lengths.every((n) => n === lengths[0]) ? rowRange(lengths[0]!, part) : whole;
}

/**
 * The batches of the chosen columns, in row order.
 * @param labels  a second .npy holding the labels, beside an .npy of predictions (the two-file form)
 * @param part    a worker's part (parts.ts), of which only its own bytes are read: .npy rows (a
 *                byte range; an .npz array deflated is inflated up to them), Parquet row groups,
 *                Arrow record batches' slices; null: every row
 */
export async function* columnarBatches(
  file: ColumnarFile,
  choose: ChooseColumns,
  labels: ColumnarFile | null = null,
  part: Part | null = null,
): AsyncGenerator<ColumnBatch> {
  if (labels !== null || file.format === 'npy') {
    const files = labels ? [file, labels] : [file];
    const bad = files.find((f) => f.format !== 'npy');
    if (bad)
      throw new UsageError(
        `${bad.name}: the two-file form (--input PREDICTIONS.npy --labels LABELS.npy) takes .npy files; this is ${bad.format}`,
      );
    if (!labels)
      throw new UsageError(
        `${file.name}: an .npy file holds one array; give the labels in a second one with --labels FILE.npy (or save both with np.savez)`,
      );
    const names = files.map((f) => arrayName(f.name));
    if (names[0] === names[1]) names[1] = `${names[1]} (labels)`;
    const chosen = choose(names).map((name) => ({ name, file: files[names.indexOf(name)]! }));
    const rows = part
      ? await partRows(
          chosen.map(({ file: f }) => (f.path === null ? null : () => npyHeader(f.path!, f.name))),
          part,
        )
      : null;
    yield* alignArrays(chosen.map(({ name, file: f }) => ({ name, where: f.name, batches: npyBatches(f, rows) })));
    return;
  }
  // the others are read at offsets, a stream spooled first: npz and Parquet keep their index at the
  // end, and one Arrow record batch may hold all the rows
  const source = await randomAccess(file);
  try {
    if (file.format === 'npz') {
      const entries = await listNpz(source);
      const chosen = choose(entries.map((e) => e.name)).map((name) => npzEntry(entries, name, file.name));
      const rows = part
        ? await partRows(
            chosen.map((entry) => () => npzHeader(source, entry)),
            part,
          )
        : null;
      yield* alignArrays(
        chosen.map((entry) => ({
          name: entry.name,
          where: `${file.name}[${entry.name}]`,
          batches: npzArray(source, entry, undefined, rows),
        })),
      );
    } else if (file.format === 'parquet') {
      const { decodeParquet, parquetColumns } = await import('./decode/parquet.js');
      const { columns } = await parquetColumns(source);
      yield* decodeParquet(source, choose(columns), part);
    } else {
      const { decodeArrowAt } = await import('./decode/arrow.js');
      yield* decodeArrowAt(source, file.path, choose, part);
    }
  } finally {
    await source.close();
  }
}
