import { FALLBACK, writeShortest } from './shortest.js';

/**
 * A chunk of output text built as UTF-8 bytes, taken as one string when full. The machine
 * formats write every row into one of these: numbers go in as digits (shortest.ts) and names
 * as bytes encoded once, so a streamed row makes no strings at all; a chunk of 64 KiB is decoded
 * once. (Before, each number was a String(v) and each row a concatenation: with the garbage
 * they made, most of a `compare` sweep's time; bench/compare.mjs.)
 */
export class TextChunk {
  private bytes: Buffer;
  /** bytes written so far (cut back only through cutTo) */
  length = 0;
  /** the last number printed (not copied) into this chunk, and where its text is */
  private lastValue = NaN;
  private lastStart = 0;
  private lastEnd = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafeSlow(capacity);
  }

  /** Room for `n` more bytes (a long text cell may need more than the chunk's capacity). */
  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.length + n));
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
  }

  /** Bytes encoded beforehand (see `encoded`). */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    const out = this.bytes;
    let pos = this.length;
    for (let i = 0; i < bytes.length; i++) out[pos++] = bytes[i]!;
    this.length = pos;
  }

  /** One ASCII character, by its code. */
  char(code: number): void {
    this.room(1);
    this.bytes[this.length++] = code;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.room(3 * s.length);
    this.length += this.bytes.write(s, this.length, 'utf8');
  }

  /**
   * A finite number as String(v) writes it (the shortest decimal that reads back as v), −0 as
   * 0. Inside writeShortest's range without making a string; elsewhere through String(v).
   */
  number(v: number): void {
    this.room(25);
    if (v === 0) {
      this.bytes[this.length++] = 48;
      return;
    }
    let pos = this.length;
    if (v === this.lastValue) {
      // a row often repeats the cell before it in another column (p_t = p for y = 1)
      const out = this.bytes;
      for (let i = this.lastStart; i < this.lastEnd; i++) out[pos++] = out[i]!;
      this.length = pos;
      return;
    }
    this.lastValue = v;
    this.lastStart = pos;
    let x = v;
    if (x < 0) {
      this.bytes[pos++] = 45;
      x = -x;
    }
    const end = writeShortest(x, this.bytes, pos);
    if (end !== FALLBACK) this.length = end;
    else this.length = pos + this.bytes.write(String(x), pos, 'latin1');
    this.lastEnd = this.length;
  }

  /**
   * The same, remembering the column's last number: a sweep repeats γ, α, y and α_t row after
   * row, and copying their bytes is several times cheaper than printing them again.
   */
  numberIn(v: number, column: ColumnMemo): void {
    const memo = column.bytes;
    if (v === column.value) {
      this.room(column.length);
      const out = this.bytes;
      let pos = this.length;
      for (let i = 0; i < column.length; i++) out[pos++] = memo[i]!;
      this.length = pos;
      column.hits++;
      return;
    }
    const start = this.length;
    this.number(v);
    if (column.off) return;
    // a column that changes more often than it repeats (p, the losses) is not worth the copy
    if (++column.misses >= MEMO_TRIAL && column.misses > column.hits) column.off = true;
    const out = this.bytes;
    column.length = this.length - start;
    for (let i = 0; i < column.length; i++) memo[i] = out[start + i]!;
    column.value = v; // 0 and −0 are both written 0
  }

  /** Drops what was written after byte `n` (a row cut short by an error). */
  cutTo(n: number): void {
    this.length = n;
    this.lastValue = NaN;
  }

  /** The text so far, and an empty chunk again. */
  take(): string {
    const text = this.bytes.toString('utf8', 0, this.length);
    this.length = 0;
    this.lastValue = NaN;
    return text;
  }
}

/** Misses after which a column that changed more often than it repeated is no longer remembered. */
const MEMO_TRIAL = 64;

/** The last number written in a column, and its text (see TextChunk.numberIn). */
export class ColumnMemo {
  value = NaN;
  length = 0;
  hits = 0;
  misses = 0;
  off = false;
  readonly bytes = new Uint8Array(32);
}

/** Text encoded once as UTF-8, for TextChunk.raw. */
export function encoded(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}
