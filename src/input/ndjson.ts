import { decimalEnd, decimalIsJson, scanDecimal } from './decimal.js';
import { shownText } from './show.js';
import { isBlank, LineScanner, NEWLINE, text, type ColumnPlan, type PlanColumns, type RecordSink } from './lines.js';

/** NDJSON: one JSON object per line, read from the bytes where that is unambiguous. */

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** Whether `word` is at bytes[from…]. */
function matches(bytes: Uint8Array, word: Uint8Array, from: number): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[from + k] !== word[k]) return false;
  return true;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

export class NdjsonScanner extends LineScanner {
  private names: string[] | null = null;
  private values: Float64Array = new Float64Array(0);
  /** each wanted key as the bytes `"name"`, for the fast path */
  private keys: Buffer[] = [];
  private fastPath = false;
  /** the one slot where true/false are read as 1/0: a binary label (JSON has booleans; a prediction is never one) */
  private labelSlot = -1;

  constructor(
    private readonly plan: PlanColumns,
    sink: RecordSink,
  ) {
    super(sink);
  }

  /** Starts with the keys already known (a worker scanning a byte range of a file). */
  withHeader(header: string[]): this {
    this.header = header;
    this.useNames(this.plan(header));
    return this;
  }

  private useNames({ names, labelSlot }: ColumnPlan): void {
    this.names = names;
    this.labelSlot = labelSlot;
    // the fast path tracks the keys it has seen in a 32-bit mask
    this.fastPath = names.length <= 30;
    this.values = new Float64Array(names.length);
    this.keys = names.map((n) => Buffer.from(JSON.stringify(n)));
  }

  /**
   * Reads a line of exactly the shape {"k1": v1, "k2": v2, …} — the wanted keys, each once, in
   * any order, with plain numbers (or true/false for a binary label) as values and no other key — straight from the
   * bytes, without JSON.parse (which takes most of the time on a 10⁷-line file), in one pass
   * that also finds the line's end (no indexOf). Such a line is valid JSON and this reads what
   * JSON.parse would. Returns where the next line starts, or 0 for anything else (other keys,
   * strings, escapes, nesting, duplicates, bad syntax, a blank line), which then goes through
   * JSON.parse. `end` is just past a newline, so no read here passes it.
   */
  private fast(bytes: Buffer, i: number, end: number): number {
    const keys = this.keys;
    let seen = 0;
    while (isSpace(bytes[i])) i++;
    if (bytes[i++] !== OPEN_BRACE) return 0;
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
      if (k === keys.length || seen & (1 << k)) return 0;
      seen |= 1 << k;
      i += keys[k]!.length;
      while (isSpace(bytes[i])) i++;
      if (bytes[i++] !== COLON) return 0;
      while (isSpace(bytes[i])) i++;
      let v = scanDecimal(bytes, i, end);
      let j = decimalEnd;
      if (v === v) {
        if (!decimalIsJson) return 0;
      } else if (k === this.labelSlot) {
        v = matches(bytes, TRUE, i) ? 1 : matches(bytes, FALSE, i) ? 0 : NaN;
        if (v !== v) return 0;
        j = i + (v === 1 ? TRUE.length : FALSE.length);
      } else return 0;
      this.values[k] = v;
      i = j;
      while (isSpace(bytes[i])) i++;
      if (bytes[i] === COMMA) {
        i++;
        continue;
      }
      if (bytes[i++] !== CLOSE_BRACE || seen !== (1 << keys.length) - 1) return 0;
      while (isSpace(bytes[i])) i++;
      return bytes[i] === NEWLINE ? i + 1 : 0;
    }
  }

  protected scan(bytes: Buffer, start: number, end: number): void {
    let lineStart = start;
    while (lineStart < end) {
      this.lines++;
      // a UTF-8 byte order mark before the first line, as CSV and TSV allow
      if (
        this.lines === 1 &&
        this.header === null &&
        bytes[lineStart] === 0xef &&
        bytes[lineStart + 1] === 0xbb &&
        bytes[lineStart + 2] === 0xbf
      )
        lineStart += 3;
      if (this.fastPath) {
        const next = this.fast(bytes, lineStart, end);
        if (next > 0) {
          lineStart = next;
          this.sink.record(this.values, this.lines);
          continue;
        }
      }
      const lineEnd = bytes.indexOf(NEWLINE, lineStart);
      if (isBlank(bytes, lineStart, lineEnd)) {
        lineStart = lineEnd + 1;
        continue;
      }
      const line = text(bytes, lineStart, lineEnd);
      lineStart = lineEnd + 1;
      let object: unknown;
      try {
        object = JSON.parse(line);
      } catch {
        this.sink.malformed(this.lines, `not valid JSON: ${shownText(line.trim())}`);
        continue;
      }
      if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        this.sink.malformed(this.lines, `not a JSON object: ${shownText(line.trim())}`);
        continue;
      }
      const record = object as Record<string, unknown>;
      if (this.names === null) {
        this.header = Object.keys(record);
        this.useNames(this.plan(this.header));
      }
      let ok = true;
      for (let k = 0; k < this.names!.length; k++) {
        const name = this.names![k]!;
        const v = record[name];
        if (typeof v === 'number') this.values[k] = v;
        else if (typeof v === 'boolean' && k === this.labelSlot) this.values[k] = v ? 1 : 0;
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
