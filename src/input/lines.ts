/**
 * Line-oriented scanning over byte chunks, shared by the CSV/TSV (delimited.ts) and NDJSON
 * (ndjson.ts) scanners: each feeds a RecordSink with the numbers of the wanted columns and the
 * 1-based line number, in file order, holding at most one partial line between chunks.
 */

export interface RecordSink {
  /** one data record: values[k] is the k-th wanted column */
  record(values: Float64Array, line: number): void;
  /** a field that is not a number, or missing; the sink decides whether to stop */
  invalid(line: number, column: string, text: string | null): void;
  /** a line that is not a record at all (more fields than the header, not a JSON object) */
  malformed(line: number, detail: string): void;
}

/** The columns a scanner extracts, chosen once the header (or the first NDJSON object) is known. */
export interface ColumnPlan {
  /** header name of each wanted column, in slot order */
  names: string[];
  /** the slot of a binary label, the one column where NDJSON's true/false are read as 1/0 (-1: none) */
  labelSlot: number;
}

export type PlanColumns = (header: string[]) => ColumnPlan;

export const NEWLINE = 10;

export interface Scanner {
  push(chunk: Uint8Array): void;
  finish(): void;
  /** lines seen so far, header included */
  readonly lines: number;
  /** the header's column names (after the first line) */
  readonly header: string[] | null;
}

export abstract class LineScanner implements Scanner {
  protected carry: Buffer | null = null;
  lines = 0;
  header: string[] | null = null;

  constructor(protected readonly sink: RecordSink) {}

  push(chunk: Uint8Array): void {
    // Always a Buffer: its indexOf is memchr (Uint8Array's is several times slower), and one
    // element type keeps V8's element access in the hot loops monomorphic. The chunk is
    // scanned in place and may be reused by the reader afterwards: only the partial last line
    // is copied (allocating a joined chunk per read grows RSS by ~80 MB over 200 MB).
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let from = 0;
    if (this.carry) {
      const nl = bytes.indexOf(NEWLINE);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, bytes]);
        return;
      }
      const line = Buffer.concat([this.carry, bytes.subarray(0, nl + 1)]);
      this.carry = null;
      this.scan(line, 0, line.length);
      from = nl + 1;
    }
    const last = bytes.lastIndexOf(NEWLINE);
    if (last < from) {
      this.carry = Buffer.from(bytes.subarray(from));
      return;
    }
    this.scan(bytes, from, last + 1);
    if (last + 1 < bytes.length) this.carry = Buffer.from(bytes.subarray(last + 1));
  }

  finish(): void {
    if (this.carry && this.carry.length > 0) {
      const bytes = Buffer.concat([this.carry, Buffer.from([NEWLINE])]);
      this.carry = null;
      this.scan(bytes, 0, bytes.length);
    }
  }

  /** Scans whole lines in bytes[start, end); end is just past a newline. */
  protected abstract scan(bytes: Buffer, start: number, end: number): void;
}

export function text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.prototype.utf8Slice.call(bytes, start, end) as string;
}

export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c !== 32 && c !== 13 && c !== 9) return false;
  }
  return true;
}

/** CSV (RFC 4180 with numeric data fields) or TSV with a header line. Blank lines are skipped. */
