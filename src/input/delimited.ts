import { decimalEnd, parseDecimal, scanDecimal } from './decimal.js';
import { isBlank, LineScanner, NEWLINE, text, type PlanColumns, type RecordSink } from './lines.js';

const QUOTE = 34;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const ZERO = 48;
const BOM = '\ufeff';

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
      this.lines++;
      if (this.header !== null) {
        const next = this.plainRecord(bytes, lineStart, end);
        if (next > 0) {
          this.sink.record(this.values, this.lines);
          lineStart = next;
          continue;
        }
      }
      const lineEnd = bytes.indexOf(NEWLINE, lineStart);
      if (this.header === null) {
        let line = text(bytes, lineStart, lineEnd).replace(/\r$/, '');
        if (this.lines === 1 && line.startsWith(BOM)) line = line.slice(1);
        // blank lines before the header are skipped, but count in line numbers
        if (line.trim() !== '') this.useHeader(splitHeader(line, this.sep));
        lineStart = lineEnd + 1;
        continue;
      }
      const first = bytes[lineStart]!;
      if ((lineEnd - lineStart <= 1 || first === 32 || first === 9) && isBlank(bytes, lineStart, lineEnd)) {
        lineStart = lineEnd + 1;
        continue;
      }
      // the record ends before a CRLF's CR: a quoted last field ends with its quote
      this.record(bytes, lineStart, bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd, sep);
      lineStart = lineEnd + 1;
    }
  }

  /**
   * The common line in one pass, without indexOf: every field a plain number (no quotes, no
   * spaces) or, where no number is wanted, unquoted text; exactly as many fields as the header;
   * LF or CRLF. Fills this.values and returns where the next line starts, or 0 for any other
   * line (then read by record(), which also says what is wrong with it). The line ends before
   * `end`, which is just past a newline, so no read here passes `end`.
   */
  private plainRecord(bytes: Buffer, i: number, end: number): number {
    const slotOf = this.slotOf;
    const values = this.values;
    const sep = this.sepByte;
    const last = slotOf.length - 1;
    const first = bytes[i]!;
    if (first === NEWLINE || first === CR || first === SPACE || first === TAB) return 0; // maybe blank
    for (let column = 0; ; column++) {
      const slot = slotOf[column]!;
      if (slot >= 0) {
        // a one-digit field (a label) needs no parser: the byte after it is within the line
        const digit = bytes[i]! - ZERO;
        const after = bytes[i + 1]!;
        if (digit >>> 0 < 10 && (after === sep || after === NEWLINE || after === CR)) {
          values[slot] = digit;
          i++;
        } else {
          const v = scanDecimal(bytes, i, end);
          if (v !== v) return 0;
          values[slot] = v;
          i = decimalEnd;
        }
      } else {
        for (let c = bytes[i]!; c !== sep && c !== NEWLINE && c !== CR; c = bytes[++i]!) if (c === QUOTE) return 0;
      }
      const c = bytes[i]!;
      if (column === last) {
        if (c === NEWLINE) return i + 1;
        return c === CR && bytes[i + 1] === NEWLINE ? i + 2 : 0;
      }
      if (c !== sep) return 0;
      i++;
    }
  }

  /**
   * Splits one line with indexOf (native, far faster than a byte loop) up to the last wanted
   * column, then counts the rest: a line with more fields than the header is not a record.
   */
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
      const fieldEnd = endOfField(bytes, fieldStart, lineEnd, sep);
      const slot = slotOf[column]!;
      if (slot >= 0) {
        let a = fieldStart;
        let b = fieldEnd;
        if (bytes[a] === QUOTE && b - a >= 2 && bytes[b - 1] === QUOTE) {
          a++;
          b--;
        }
        const v = parseDecimal(bytes, a, b);
        if (v !== v) return this.sink.invalid(this.lines, this.names[slot]!, text(bytes, fieldStart, fieldEnd));
        values[slot] = v;
      }
      fieldStart = fieldEnd + 1;
    }
    const width = this.header!.length;
    let fields = lastColumn + 1;
    for (; fieldStart <= lineEnd && fields <= width; fields++)
      fieldStart = endOfField(bytes, fieldStart, lineEnd, sep) + 1;
    if (fields > width) return this.sink.malformed(this.lines, `more fields than the header has (${width})`);
    this.sink.record(values, this.lines);
  }
}

/**
 * Where the field starting at `start` ends: the next separator, or the line end. A "quoted"
 * field may hold the separator (a text column beside the numbers): its end is the first
 * separator after the closing quote ("" is a quote inside).
 */
function endOfField(bytes: Buffer, start: number, lineEnd: number, sep: number): number {
  let from = start;
  if (bytes[start] === QUOTE) {
    for (let i = start + 1; ;) {
      const q = bytes.indexOf(QUOTE, i);
      if (q < 0 || q >= lineEnd) break; // unterminated: the field is cut at the next separator, as unquoted
      if (bytes[q + 1] === QUOTE) i = q + 2;
      else {
        from = q + 1;
        break;
      }
    }
  }
  const end = bytes.indexOf(sep, from);
  return end < 0 || end > lineEnd ? lineEnd : end;
}
