/**
 * CSV, TSV and NDJSON as column batches, like every other decoder: the scanners of src/input
 * (which parse the numbers) hand each record to TextColumns, which lays the records out as a
 * prediction column (one value, or the K class columns joined) and a target column, with the
 * line of each row for messages. The seam with the scanners is RecordSink and PlanColumns.
 */
import { DelimitedScanner } from '../../input/delimited.js';
import type { PlanColumns, RecordSink, Scanner } from '../../input/lines.js';
import { NdjsonScanner } from '../../input/ndjson.js';
import { shownName, shownText } from '../../input/show.js';
import type { ColumnBatch } from '../columns.js';
import { rejectRecord, type SkipLog } from '../layout.js';

export type TextFormat = 'csv' | 'tsv' | 'ndjson';

/** The names a text batch's two columns go by. */
export const TEXT_PREDICTION = 'prediction';
export const TEXT_TARGET = 'target';

/** Rows per batch: large enough that the per-batch work vanishes, small enough to stay in cache. */
export const TEXT_BATCH_ROWS = 4096;

/** A scanner that can also start after a header read elsewhere (a worker's byte range). */
export type TextScanner = Scanner & { withHeader(header: string[]): unknown };

export function textScanner(format: TextFormat, plan: PlanColumns, sink: RecordSink): TextScanner {
  if (format === 'ndjson') return new NdjsonScanner(plan, sink);
  return new DelimitedScanner(format === 'tsv' ? '\t' : ',', plan, sink);
}

/**
 * Records → column batches. `onBatch` is called synchronously with each full batch (and the
 * last, by flush); the arrays are reused afterwards, so it consumes the batch at once.
 */
export class TextColumns implements RecordSink {
  private width = 1;
  private prediction = new Float64Array(0);
  private target = new Float64Array(0);
  private lines = new Float64Array(0);
  private n = 0;
  /** records handed on so far */
  records = 0;

  constructor(
    private readonly source: string,
    private readonly skip: SkipLog | null,
    private readonly onBatch: (batch: ColumnBatch, lines: Float64Array) => void,
    private readonly rows = TEXT_BATCH_ROWS,
  ) {}

  /** The record layout: `width` prediction values, then the target (the scanner's slots in order). */
  start(width: number): void {
    this.width = width;
    this.prediction = new Float64Array(this.rows * width);
    this.target = new Float64Array(this.rows);
    this.lines = new Float64Array(this.rows);
  }

  record(values: Float64Array, line: number): void {
    const w = this.width;
    const at = this.n * w;
    for (let j = 0; j < w; j++) this.prediction[at + j] = values[j]!;
    this.target[this.n] = values[w]!;
    this.lines[this.n] = line;
    if (++this.n === this.rows) this.flush();
  }

  // The rows before a bad record are checked first (flushed), so that the first bad line is the
  // one named, and skipped rows are logged in line order.
  invalid(line: number, column: string, text: string | null): void {
    this.flush();
    rejectRecord(
      this.skip,
      this.source,
      line,
      `column ${shownName(column)}: ${text === null ? 'missing' : text.trim() === '' ? 'empty' : `${shownText(text)} is not a number`}`,
    );
  }

  malformed(line: number, detail: string): void {
    this.flush();
    rejectRecord(this.skip, this.source, line, detail);
  }

  flush(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    const batch: ColumnBatch = {
      rowStart: this.records,
      rows: n,
      columns: {
        [TEXT_PREDICTION]: { dtype: 'float64', width: this.width, values: this.prediction.subarray(0, n * this.width) },
        [TEXT_TARGET]: { dtype: 'float64', width: 1, values: this.target.subarray(0, n) },
      },
    };
    this.records += n;
    this.onBatch(batch, this.lines.subarray(0, n));
  }
}
