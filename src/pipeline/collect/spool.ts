/**
 * Prediction batches written to a temporary file and read back as often as needed: the second
 * and later passes of `focal calibration` (AdaECE's exact selection, each step of the
 * temperature fit) read this instead of keeping the samples in memory, whatever the input was
 * (a file of any format, or standard input, which cannot be read twice). A sample takes
 * 8·(width + 1) bytes on disk — the prediction values and the label as float64, as the batch
 * held them, so every pass sees the very doubles of the first — and nothing in memory.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { PredictionBatch, PredictionKind } from './predictions.js';

export class PredictionSpool {
  private readonly dir: string;
  private readonly fd: number;
  private kind: PredictionKind | null = null;
  private width = 0;
  private bytes = 0;
  samples = 0;

  constructor() {
    try {
      this.dir = mkdtempSync(join(tmpdir(), 'focal-spool-'));
      this.fd = openSync(join(this.dir, 'samples.f64'), 'w+');
    } catch (err) {
      throw new UsageError(`cannot write a temporary file in ${tmpdir()} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set TMPDIR to a writable folder.`);
    }
    // gone from the directory at once (POSIX keeps an open file): nothing is left behind even
    // when the process is killed; where that fails (Windows), close() removes it
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // removed in close()
    }
  }

  write(batch: PredictionBatch): void {
    this.kind ??= batch.kind;
    this.width ||= batch.width;
    const w = this.width + 1;
    const records = new Float64Array(batch.count * w);
    const width = this.width;
    for (let i = 0, at = 0, from = 0; i < batch.count; i++, at++) {
      for (let j = 0; j < width; j++) records[at++] = batch.values[from++]!;
      records[at] = batch.labels[i]!;
    }
    const data = new Uint8Array(records.buffer);
    let done = 0;
    while (done < data.byteLength) done += writeSync(this.fd, data, done, data.byteLength - done, this.bytes + done);
    this.bytes += data.byteLength;
    this.samples += batch.count;
  }

  /** The samples again, in the order written, in batches of up to `size`. */
  *batches(size = 8192): Generator<PredictionBatch> {
    if (this.kind === null) return;
    const w = this.width + 1;
    const buffer = new Float64Array(size * w);
    const bytes = new Uint8Array(buffer.buffer);
    const values = new Float64Array(size * this.width);
    const labels = new Float64Array(size);
    for (let first = 0; first < this.samples; first += size) {
      const count = Math.min(size, this.samples - first);
      const length = count * w * 8;
      let got = 0;
      while (got < length) {
        const n = readSync(this.fd, bytes, got, length - got, first * w * 8 + got);
        if (n === 0) throw new Error('the spool file ended early');
        got += n;
      }
      // records → values and labels, element by element (a subarray per record costs more than the copy)
      const width = this.width;
      for (let i = 0, at = 0, to = 0; i < count; i++, at++) {
        for (let j = 0; j < width; j++) values[to++] = buffer[at++]!;
        labels[i] = buffer[at]!;
      }
      yield { kind: this.kind, width: this.width, count, values: values.subarray(0, count * this.width), labels: labels.subarray(0, count), first };
    }
  }

  /** Deletes the file. */
  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
