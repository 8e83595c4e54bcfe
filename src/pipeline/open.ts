/**
 * A binary input as named columns, whatever its format: .npy (one array; two files side by
 * side for predictions and labels), .npz (arrays by name), Parquet and Arrow (columns by
 * name). The caller chooses the columns once their names are known (`choose`), so that only
 * those are read; the batches come out in row order.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { ColumnBatch } from './columns.js';
import { alignArrays } from './decode/align.js';
import { decodeNpy } from './decode/npy.js';
import { listNpz, npzArray, npzEntry } from './decode/npz.js';
import { bytesSource, openRandomAccess, rangeChunks, streamChunks, type RandomAccess } from './source.js';

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

async function randomAccess(file: ColumnarFile): Promise<RandomAccess> {
  if (file.path !== null) return openRandomAccess(file.path);
  // npz and Parquet keep their index at the end: a stream is read whole first
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of streamChunks(file.stream!)) {
    parts.push(chunk);
    size += chunk.byteLength;
  }
  // a buffer of its own (not a view into Node's shared pool, as Buffer.concat may give)
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytesSource(file.name, bytes);
}

function chunksOf(file: ColumnarFile): AsyncIterable<Uint8Array> {
  if (file.stream) return streamChunks(file.stream);
  return (async function* () {
    const source = await openRandomAccess(file.path!);
    try {
      yield* rangeChunks(source, 0, source.size);
    } finally {
      await source.close();
    }
  })();
}

/**
 * The batches of the chosen columns.
 * @param labels  a second .npy holding the labels, beside an .npy of predictions (the two-file form)
 * @param select  the batches (by index) the caller will use (a worker's part): a decoder may
 *                skip the others' work (Parquet does not decompress them); the caller still
 *                gets every batch, in order, and skips the others itself
 */
export async function* columnarBatches(file: ColumnarFile, choose: ChooseColumns, labels: ColumnarFile | null = null, select: ((index: number) => boolean) | null = null): AsyncGenerator<ColumnBatch> {
  if (labels !== null || file.format === 'npy') {
    const files = labels ? [file, labels] : [file];
    const bad = files.find((f) => f.format !== 'npy');
    if (bad) throw new UsageError(`${bad.name}: the two-file form (--input PREDICTIONS.npy --labels LABELS.npy) takes .npy files; this is ${bad.format}`);
    if (!labels) throw new UsageError(`${file.name}: an .npy file holds one array; give the labels in a second one with --labels FILE.npy (or save both with np.savez)`);
    const names = files.map((f) => arrayName(f.name));
    if (names[0] === names[1]) names[1] = `${names[1]} (labels)`;
    const chosen = choose(names);
    yield* alignArrays(chosen.map((name) => {
      const f = files[names.indexOf(name)]!;
      return { name, where: f.name, batches: decodeNpy(chunksOf(f), f.name) };
    }));
    return;
  }
  if (file.format === 'arrow') {
    const input = file.path !== null ? await open(file.path, 'r') : streamChunks(file.stream!);
    try {
      const { decodeArrow } = await import('./decode/arrow.js');
      yield* decodeArrow(input, file.name, choose);
    } finally {
      if ('close' in input) await input.close();
    }
    return;
  }
  const source = await randomAccess(file);
  try {
    if (file.format === 'npz') {
      const entries = await listNpz(source);
      const chosen = choose(entries.map((e) => e.name));
      yield* alignArrays(chosen.map((name) => ({ name, where: `${file.name}[${name}]`, batches: npzArray(source, npzEntry(entries, name, file.name)) })));
    } else {
      const { decodeParquet, parquetColumns } = await import('./decode/parquet.js');
      const { columns } = await parquetColumns(source);
      yield* decodeParquet(source, choose(columns), select);
    }
  } finally {
    await source.close();
  }
}
