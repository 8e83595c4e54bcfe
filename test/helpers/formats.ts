/** Reading test/fixtures/formats/ (written by scripts/gen_format_fixtures.py and .mjs). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ArrayBatch } from '../../src/pipeline/decode/npy.js';

export function formatFixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/formats/${name}`, import.meta.url));
}

/** A CSV of plain numbers, column by column (the fixtures' own, written with Python's repr). */
export function readCsvColumns(name: string): Record<string, number[]> {
  const [header, ...lines] = readFileSync(formatFixture(name), 'utf8').trim().split('\n');
  const names = header!.split(',');
  const columns: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const line of lines) line.split(',').forEach((v, j) => columns[names[j]!]!.push(Number(v)));
  return columns;
}

/** Every batch's values in one plain array, checking that the batches tile the rows in order. */
export async function collectArray(
  batches: AsyncIterable<ArrayBatch>,
): Promise<{ values: number[]; width: number; dtype: string; rows: number }> {
  const values: number[] = [];
  let rows = 0;
  let width = 1;
  let dtype = '';
  for await (const b of batches) {
    if (b.rowStart !== rows) throw new Error(`batch starts at row ${b.rowStart}, expected ${rows}`);
    rows += b.rows;
    width = b.column.width;
    dtype = b.column.dtype;
    if (b.column.values.length !== b.rows * width) throw new Error('batch length is not rows × width');
    for (const v of b.column.values) values.push(v);
  }
  return { values, width, dtype, rows };
}
