import { parseDecimal } from './decimal.js';

/**
 * Line-oriented scanners over byte chunks: CSV/TSV (numeric fields parsed in place, no string
 * per field) and NDJSON. Both feed a RecordSink with the numbers of the wanted columns and
 * the 1-based line number, in file order, holding at most one partial line between chunks.
 */

export interface RecordSink {
  /** one data record: values[k] is the k-th wanted column */
  record(values: Float64Array, line: number): void;
  /** a field that is not a number, or missing; the sink decides whether to stop */
  invalid(line: number, column: string, text: string | null): void;
}

/** The columns a scanner extracts, chosen once the header (or the first NDJSON object) is known. */
export interface ColumnPlan {
  /** header name of each wanted column, in slot order */
  names: string[];
}

export type PlanColumns = (header: string[]) => ColumnPlan;

const NEWLINE = 10;
const QUOTE = 34;
const BOM = '\ufeff';

export interface Scanner {
  push(chunk: Uint8Array): void;
  finish(): void;
  /** lines seen so far, header included */
  readonly lines: number;
  /** the header's column names (after the first line) */
  readonly header: string[] | null;
}

/** Splits a header line, honouring simple "quoted" names. */
export function splitHeader(text: string, sep: string): string[] {
  const names: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      names.push(field.trim());
      field = '';
    } else field += ch;
  }
  names.push(field.trim());
  return names;
}

abstract class LineScanner implements Scanner {
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

function text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.prototype.utf8Slice.call(bytes, start, end) as string;
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c !== 32 && c !== 13 && c !== 9) return false;
  }
  return true;
}

/** CSV (RFC 4180 with numeric data fields) or TSV with a header line. Blank lines are skipped. */
export class DelimitedScanner extends LineScanner {
  private slotOf: Int32Array = new Int32Array(0);
  private values: Float64Array = new Float64Array(0);
  private names: string[] = [];
  private lastColumn = -1;
  private readonly sepByte: number;

  constructor(
    private readonly sep: ',' | '\t',
    private readonly plan: PlanColumns,
    sink: RecordSink,
  ) {
    super(sink);
    this.sepByte = sep.charCodeAt(0);
  }

  /** Starts after a header read elsewhere (a worker scanning a byte range of a file). */
  withHeader(header: string[]): this {
    this.useHeader(header);
    return this;
  }

  private useHeader(header: string[]): void {
    this.header = header;
    const plan = this.plan(header);
    this.names = plan.names;
    this.slotOf = new Int32Array(header.length).fill(-1);
    plan.names.forEach((name, slot) => {
      this.slotOf[header.indexOf(name)] = slot;
    });
    this.values = new Float64Array(plan.names.length);
    this.lastColumn = Math.max(...plan.names.map((name) => header.indexOf(name)));
  }

  protected scan(bytes: Buffer, start: number, end: number): void {
    const sep = this.sepByte;
    let lineStart = start;
    while (lineStart < end) {
      const lineEnd = bytes.indexOf(NEWLINE, lineStart);
      this.lines++;
      if (this.header === null) {
        let line = text(bytes, lineStart, lineEnd).replace(/\r$/, '');
        if (this.lines === 1 && line.startsWith(BOM)) line = line.slice(1);
        if (line.trim() !== '') this.useHeader(splitHeader(line, this.sep));
        else this.lines--; // leading blank lines do not count as the header
        lineStart = lineEnd + 1;
        continue;
      }
      const first = bytes[lineStart]!;
      if ((lineEnd - lineStart <= 1 || first === 32 || first === 9) && isBlank(bytes, lineStart, lineEnd)) {
        lineStart = lineEnd + 1;
        continue;
      }
      this.record(bytes, lineStart, lineEnd, sep);
      lineStart = lineEnd + 1;
    }
  }

  /** Splits one line with indexOf (native, far faster than a byte loop) up to the last wanted column. */
  private record(bytes: Buffer, lineStart: number, lineEnd: number, sep: number): void {
    const slotOf = this.slotOf;
    const values = this.values;
    const lastColumn = this.lastColumn;
    let fieldStart = lineStart;
    for (let column = 0; column <= lastColumn; column++) {
      if (fieldStart > lineEnd) {
        const missing = this.names[slotOf[column]!] ?? this.names.find((_, slot) => slotOf.indexOf(slot) >= column)!;
        return this.sink.invalid(this.lines, missing, null);
      }
      let fieldEnd = bytes.indexOf(sep, fieldStart);
      if (fieldEnd < 0 || fieldEnd > lineEnd) fieldEnd = lineEnd;
      const slot = slotOf[column]!;
      if (slot >= 0) {
        let a = fieldStart;
        let b = fieldEnd;
        if (bytes[a] === QUOTE && b - a >= 2 && bytes[b - 1] === QUOTE) {
          a++;
          b--;
        }
        const v = parseDecimal(bytes, a, b);
        if (v !== v) return this.sink.invalid(this.lines, this.names[slot]!, text(bytes, fieldStart, fieldEnd).replace(/\r$/, ''));
        values[slot] = v;
      }
      fieldStart = fieldEnd + 1;
    }
    this.sink.record(values, this.lines);
  }
}

/** NDJSON: one JSON object per line; the wanted keys are chosen from the first object's keys. */
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** Whether bytes[from, to) is exactly `word`. */
function matches(bytes: Uint8Array, word: Uint8Array, from: number, to: number): boolean {
  if (to - from !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (bytes[from + k] !== word[k]) return false;
  return true;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

const isDigit = (c: number | undefined) => c !== undefined && c >= 48 && c <= 57;

/** Whether bytes[from, to) is a number as JSON writes it: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function isJsonNumber(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  if (bytes[i] === 45) i++;
  if (bytes[i] === 48) i++;
  else if (isDigit(bytes[i])) while (i < to && isDigit(bytes[i])) i++;
  else return false;
  if (i < to && bytes[i] === 46) {
    i++;
    if (!isDigit(bytes[i]) || i >= to) return false;
    while (i < to && isDigit(bytes[i])) i++;
  }
  if (i < to && (bytes[i] === 101 || bytes[i] === 69)) {
    i++;
    if (bytes[i] === 43 || bytes[i] === 45) i++;
    if (!isDigit(bytes[i]) || i >= to) return false;
    while (i < to && isDigit(bytes[i])) i++;
  }
  return i === to;
}

export class NdjsonScanner extends LineScanner {
  private names: string[] | null = null;
  private values: Float64Array = new Float64Array(0);
  /** each wanted key as the bytes `"name"`, for the fast path */
  private keys: Buffer[] = [];
  private fastPath = false;

  constructor(
    private readonly plan: PlanColumns,
    sink: RecordSink,
  ) {
    super(sink);
  }

  /** Starts with the keys already known (a worker scanning a byte range of a file). */
  withHeader(header: string[]): this {
    this.header = header;
    this.useNames(this.plan(header).names);
    return this;
  }

  private useNames(names: string[]): void {
    this.names = names;
    // the fast path tracks the keys it has seen in a 32-bit mask
    this.fastPath = names.length <= 30;
    this.values = new Float64Array(names.length);
    this.keys = names.map((n) => Buffer.from(JSON.stringify(n)));
  }

  /**
   * Reads a line of exactly the shape {"k1": v1, "k2": v2, …} — the wanted keys, each once, in
   * any order, with plain numbers or true/false as values and no other key — straight from the
   * bytes, without JSON.parse (which takes most of the time on a 10⁷-line file). Such a line is
   * valid JSON and this reads what JSON.parse would; anything else (other keys, strings,
   * escapes, nesting, duplicates, bad syntax) returns false and goes through JSON.parse.
   */
  private fast(bytes: Buffer, start: number, end: number): boolean {
    const keys = this.keys;
    let seen = 0;
    let i = start;
    while (isSpace(bytes[i])) i++;
    if (bytes[i++] !== OPEN_BRACE) return false;
    for (;;) {
      while (isSpace(bytes[i])) i++;
      // a key: one of the wanted ones, byte for byte
      let k = 0;
      for (; k < keys.length; k++) {
        const key = keys[k]!;
        let m = 0;
        while (m < key.length && bytes[i + m] === key[m]) m++;
        if (m === key.length) break;
      }
      if (k === keys.length || seen & (1 << k)) return false;
      seen |= 1 << k;
      i += keys[k]!.length;
      while (isSpace(bytes[i])) i++;
      if (bytes[i++] !== COLON) return false;
      while (isSpace(bytes[i])) i++;
      let j = i;
      while (j < end && bytes[j] !== COMMA && bytes[j] !== CLOSE_BRACE && !isSpace(bytes[j])) j++;
      const v = matches(bytes, TRUE, i, j) ? 1 : matches(bytes, FALSE, i, j) ? 0 : isJsonNumber(bytes, i, j) ? parseDecimal(bytes, i, j) : NaN;
      if (v !== v) return false;
      this.values[k] = v;
      i = j;
      while (isSpace(bytes[i])) i++;
      if (bytes[i] === COMMA) {
        i++;
        continue;
      }
      if (bytes[i++] !== CLOSE_BRACE) return false;
      while (i < end && isSpace(bytes[i])) i++;
      return i === end && seen === (1 << keys.length) - 1;
    }
  }

  protected scan(bytes: Buffer, start: number, end: number): void {
    let lineStart = start;
    while (lineStart < end) {
      const lineEnd = bytes.indexOf(NEWLINE, lineStart);
      this.lines++;
      if (isBlank(bytes, lineStart, lineEnd)) {
        lineStart = lineEnd + 1;
        continue;
      }
      if (this.fastPath && this.fast(bytes, lineStart, lineEnd)) {
        lineStart = lineEnd + 1;
        this.sink.record(this.values, this.lines);
        continue;
      }
      const line = text(bytes, lineStart, lineEnd);
      lineStart = lineEnd + 1;
      let object: unknown;
      try {
        object = JSON.parse(line);
      } catch {
        this.sink.invalid(this.lines, '(line)', line.length > 60 ? `${line.slice(0, 60)}…` : line);
        continue;
      }
      if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        this.sink.invalid(this.lines, '(line)', line.length > 60 ? `${line.slice(0, 60)}…` : line);
        continue;
      }
      const record = object as Record<string, unknown>;
      if (this.names === null) {
        this.header = Object.keys(record);
        this.useNames(this.plan(this.header).names);
      }
      let ok = true;
      for (let k = 0; k < this.names!.length; k++) {
        const name = this.names![k]!;
        const v = record[name];
        if (typeof v === 'number') this.values[k] = v;
        else if (typeof v === 'boolean') this.values[k] = v ? 1 : 0;
        else {
          this.sink.invalid(this.lines, name, v === undefined ? null : JSON.stringify(v));
          ok = false;
          break;
        }
      }
      if (ok) this.sink.record(this.values, this.lines);
    }
  }
}
