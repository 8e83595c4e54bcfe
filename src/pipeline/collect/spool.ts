/**
 * Rows of float64 values written to a temporary file and read back as often as needed: the
 * later passes of `focal calibration` (AdaECE's exact selection, each step of the temperature
 * fit, the report at T) read these instead of keeping the samples in memory, whatever the input
 * was (a file of any format, or standard input, which cannot be read twice). A row is `width`
 * values and a label, 8·(width + 1) bytes on disk and nothing in memory; every pass sees the
 * very doubles that were written.
 *
 * Rows are gathered into blocks of about 1 MiB, stored column by column (the block's values,
 * then its labels), so a pass reads a block with one system call into a reused buffer and hands
 * out views of it: no copy and no allocation per row or per block.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';

/** A block of rows as read back: views valid until the next block is read. */
export interface SpoolBlock {
  count: number;
  /** count × width values */
  values: Float64Array;
  labels: Float64Array;
  /** the number of rows before this block */
  first: number;
}

/** doubles in a block (values and labels): 1 MiB, at least 64 rows */
const BLOCK_DOUBLES = 1 << 17;

export class SampleSpool {
  private readonly dir: string;
  private readonly fd: number;
  /** values a row, set by the first write */
  width = 0;
  private rowsPerBlock = 0;
  /** the block being filled: its values, then its labels, as they will lie on disk */
  private pending = new Float64Array(0);
  /** the buffer blocks are read into */
  private reading = new Float64Array(0);
  private filled = 0;
  private bytes = 0;
  rows = 0;

  /** Opens the file (a folder that cannot be written is a UsageError here, before any pass). */
  constructor() {
    try {
      this.dir = mkdtempSync(join(tmpdir(), 'focal-spool-'));
      this.fd = openSync(join(this.dir, 'samples.f64'), 'w+');
    } catch (err) {
      throw new UsageError(
        `cannot write a temporary file in ${tmpdir()} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set TMPDIR to a writable folder.`,
      );
    }
    // gone from the directory at once (POSIX keeps an open file): nothing is left behind even
    // when the process is killed; where that fails (Windows), close() removes it
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // removed in close()
    }
  }

  /** `count` rows: `values` holds `width` values a row (the same width every time), `labels` one. */
  write(values: ArrayLike<number>, labels: ArrayLike<number>, count: number, width: number): void {
    if (this.width === 0) {
      this.width = width;
      this.rowsPerBlock = Math.max(64, Math.floor(BLOCK_DOUBLES / (width + 1)));
      this.pending = new Float64Array(this.rowsPerBlock * (width + 1));
    }
    const { rowsPerBlock, pending } = this;
    for (let i = 0; i < count; i++) {
      const at = this.filled * width;
      for (let j = 0; j < width; j++) pending[at + j] = values[i * width + j]!;
      pending[rowsPerBlock * width + this.filled] = labels[i]!;
      if (++this.filled === rowsPerBlock) this.flush();
    }
    this.rows += count;
  }

  /** Writes the pending rows as a block (a short one at the end). */
  private flush(): void {
    const { width, rowsPerBlock, filled } = this;
    if (filled === 0) return;
    const labels = this.pending.subarray(rowsPerBlock * width, rowsPerBlock * width + filled);
    for (const part of [this.pending.subarray(0, filled * width), labels]) {
      const data = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      let done = 0;
      while (done < data.byteLength) done += writeSync(this.fd, data, done, data.byteLength - done, this.bytes + done);
      this.bytes += data.byteLength;
    }
    this.filled = 0;
  }

  /**
   * The rows again, in the order written, a block at a time (one pass at a time: the blocks
   * share one buffer, allocated once, rather than 1 MiB of garbage a pass that the
   * collector sees late, as it lies outside the JavaScript heap).
   */
  *blocks(): Generator<SpoolBlock> {
    this.flush();
    const { width, rowsPerBlock } = this;
    if (this.reading.length === 0) this.reading = new Float64Array(rowsPerBlock * (width + 1));
    const buffer = this.reading;
    const bytes = new Uint8Array(buffer.buffer);
    for (let first = 0; first < this.rows; first += rowsPerBlock) {
      const count = Math.min(rowsPerBlock, this.rows - first);
      const length = count * (width + 1) * 8;
      const position = first * (width + 1) * 8;
      let got = 0;
      while (got < length) {
        const n = readSync(this.fd, bytes, got, length - got, position + got);
        if (n === 0) throw new Error('the spool file ended early');
        got += n;
      }
      yield {
        count,
        values: buffer.subarray(0, count * width),
        labels: buffer.subarray(count * width, count * (width + 1)),
        first,
      };
    }
  }

  /** Deletes the file. */
  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
