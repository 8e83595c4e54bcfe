import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * Input files whose data row `bad` (0-based) is not a number, placed in the second half so
 * that it lies past the first read (256 KiB; 32 KiB of gzip): per-sample output has then
 * already been written when the run fails.
 */
export const failingInput = fc.record({
  rows: fc.integer({ min: 25_000, max: 40_000 }),
  at: fc.nat(),
  gzip: fc.boolean(),
});

let files = 0;

/** Writes the file into `dir`; returns its path and the bad row's line number (header = line 1). */
export function writeFailingInput(
  dir: string,
  { rows, at, gzip }: { rows: number; at: number; gzip: boolean },
): { path: string; line: number } {
  const half = Math.floor(rows / 2);
  const bad = half + (at % (rows - half));
  const body = Array.from({ length: rows }, (_, i) => (i === bad ? 'abc,1' : `${((i % 997) + 1) / 1000},${i % 2}`));
  const text = `p,y\n${body.join('\n')}\n`;
  const path = join(dir, `failing${files++}.csv${gzip ? '.gz' : ''}`);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return { path, line: bad + 2 };
}
