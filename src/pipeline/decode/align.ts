/**
 * Single arrays (an .npy file each, or the arrays of an .npz) side by side as named columns:
 * `--input logits.npy --labels targets.npy`. The arrays' batches may be cut at different rows
 * (a float64 array and a uint8 one hold different rows per megabyte); the batches yielded here
 * are cut where either is, without copying.
 */
import { UsageError } from '../../errors.js';
import type { Column, ColumnBatch } from '../columns.js';
import type { ArrayBatch } from './npy.js';

interface Pending {
  name: string;
  /** names the array's file in a length mismatch */
  where: string;
  iterator: AsyncIterator<ArrayBatch>;
  batch: ArrayBatch | null;
  /** rows of `batch` already handed on */
  used: number;
  /** rows seen, for the length mismatch message */
  rows: number;
  ended: boolean;
}

/**
 * @param arrays  column name → the array's batches and where it comes from
 */
export async function* alignArrays(
  arrays: ReadonlyArray<{ name: string; where: string; batches: AsyncIterable<ArrayBatch> }>,
): AsyncGenerator<ColumnBatch> {
  const pending: Pending[] = arrays.map((a) => ({
    name: a.name,
    where: a.where,
    iterator: a.batches[Symbol.asyncIterator](),
    batch: null,
    used: 0,
    rows: 0,
    ended: false,
  }));
  try {
    yield* aligned(pending);
  } finally {
    // a consumer that stops early (a bad value, an error downstream) must still let each array
    // close its file: return() runs the decoders' own finally blocks
    await Promise.all(pending.filter((p) => !p.ended).map((p) => p.iterator.return?.()));
  }
}

async function* aligned(pending: Pending[]): AsyncGenerator<ColumnBatch> {
  for (;;) {
    for (const p of pending) {
      while (!p.ended && (p.batch === null || p.used === p.batch.rows)) {
        const next = await p.iterator.next();
        if (next.done) p.ended = true;
        else {
          p.batch = next.value;
          p.used = 0;
          p.rows += next.value.rows;
        }
      }
    }
    const ended = pending.filter((p) => p.ended);
    if (ended.length === pending.length) return;
    if (ended.length > 0) {
      const short = ended[0]!;
      const long = pending.find((p) => !p.ended)!;
      throw new UsageError(
        `${short.where} has ${short.rows} rows but ${long.where} has more: predictions and labels must have the same number of rows`,
      );
    }
    const rows = Math.min(...pending.map((p) => p.batch!.rows - p.used));
    // a worker's part starts where its rows do
    const rowStart = pending[0]!.batch!.rowStart + pending[0]!.used;
    const columns: Record<string, Column> = {};
    for (const p of pending) {
      const { column } = p.batch!;
      columns[p.name] = {
        dtype: column.dtype,
        width: column.width,
        values: column.values.subarray(p.used * column.width, (p.used + rows) * column.width),
      };
      p.used += rows;
    }
    yield { rowStart, rows, columns };
  }
}
