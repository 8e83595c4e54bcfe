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
import { decodeNpy, type ArrayBatch } from './decode/npy.js';
import { listNpz, npzArray, npzEntry } from './decode/npz.js';
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
async function* npyBatches(file: ColumnarFile): AsyncGenerator<ArrayBatch> {
  if (file.stream) {
    yield* decodeNpy(streamChunks(file.stream), file.name);
    return;
  }
  const source = await openRandomAccess(file.path!);
  try {
    yield* decodeNpy(rangeReader(source, 0, source.size), file.name);
  } finally {
    await source.close();
  }
}

/**
 * The batches of the chosen columns.
 * @param labels  a second .npy holding the labels, beside an .npy of predictions (the two-file form)
 *
 * Every batch comes out, in order, the same on every thread: a worker takes its part by index
 * (Pipeline.columnarSamples) and drops the others after decoding them — decoding is 4–12% of a
 * run's time (docs/performance.md), so a decoder-side skip was not worth a second batch order.
 */
export async function* columnarBatches(
  file: ColumnarFile,
  choose: ChooseColumns,
  labels: ColumnarFile | null = null,
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
    const chosen = choose(names);
    yield* alignArrays(
      chosen.map((name) => {
        const f = files[names.indexOf(name)]!;
        return { name, where: f.name, batches: npyBatches(f) };
      }),
    );
    return;
  }
  // the others are read at offsets, a stream spooled first: npz and Parquet keep their index at the
  // end, and one Arrow record batch may hold all the rows
  const source = await randomAccess(file);
  try {
    if (file.format === 'npz') {
      const entries = await listNpz(source);
      const chosen = choose(entries.map((e) => e.name));
      yield* alignArrays(
        chosen.map((name) => ({
          name,
          where: `${file.name}[${name}]`,
          batches: npzArray(source, npzEntry(entries, name, file.name)),
        })),
      );
    } else if (file.format === 'parquet') {
      const { decodeParquet, parquetColumns } = await import('./decode/parquet.js');
      const { columns } = await parquetColumns(source);
      yield* decodeParquet(source, choose(columns));
    } else {
      const { decodeArrowAt } = await import('./decode/arrow.js');
      yield* decodeArrowAt(source, file.path, choose);
    }
  } finally {
    await source.close();
  }
}
