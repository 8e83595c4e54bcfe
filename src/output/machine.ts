import { isVector, type Cell, type Column, type Report, type Row, type Section } from './report.js';
import { warmUpShortest } from './shortest.js';
import { ColumnMemo, encoded, TextChunk } from './text-chunk.js';

/**
 * JSON, CSV, TSV and NDJSON. Numbers keep full round-trip precision (the shortest decimal that
 * parses back to the same double: String(x), which is also what JSON.stringify writes);
 * ±Infinity become the strings "Infinity"/"-Infinity"; −0 is written 0. A NaN reaching this
 * layer is a bug in a command, and is refused rather than printed.
 *
 * Rows are written as bytes into chunks of ~64 KiB (text-chunk.ts: no string per number or per
 * row), so that a grid of 10^7 rows costs one string and one await per chunk, not per row.
 *
 * Rows stream and cannot be taken back, so a run that fails midway (a bad input row, a NaN)
 * still leaves whole records: every chunk ends at a row boundary, the rows formatted before the
 * failure are given out before it is rethrown, and JSON closes its document with an "error"
 * member in place of the summary (renderJson). writeChunks decides whether any of it is written.
 */

export class NonFiniteOutputError extends Error {}

const CHUNK = 1 << 16;

/** Rows from which a stream warms the number printer up first (a few ms, against ~1 µs a row). */
const WARM_UP_ROWS = 20_000;

/** A number cell: ±Infinity as the strings "Infinity" and "-Infinity" (quoted in JSON), NaN refused. */
function writeNumber(out: TextChunk, v: number, key: string, json: boolean, memo?: ColumnMemo): void {
  if (v !== v) throw new NonFiniteOutputError(`a NaN reached the output (field ${key})`);
  if (v === Infinity || v === -Infinity) out.text(json ? `"${v}"` : String(v));
  else if (memo) out.numberIn(v, memo);
  else out.number(v);
}

function writeJsonCell(out: TextChunk, v: Cell | undefined, key: string, memo: ColumnMemo): void {
  if (typeof v === 'number') return writeNumber(out, v, key, true, memo);
  if (isVector(v)) {
    out.char(91); // [
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.char(44);
      writeNumber(out, v[i]!, key, true);
    }
    return out.char(93);
  }
  out.text(v === undefined ? 'null' : JSON.stringify(v));
}

function toJsonValue(v: unknown, key = ''): unknown {
  if (typeof v === 'number') {
    if (v !== v) throw new NonFiniteOutputError(`a NaN reached the output (field ${key})`);
    return v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v === 0 ? 0 : v;
  }
  if (Array.isArray(v)) return v.map((x: unknown) => toJsonValue(x, key));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x, k)]));
  return v;
}

type RowWriter = (row: Row, out: TextChunk) => void;

/** A row writer for the report's columns: `{"key":value,…}` with the keys present in the row. */
function jsonRowWriter(columns: readonly Column[]): RowWriter {
  const keys = columns.map((c) => c.key);
  const prefixes = keys.map((key) => encoded(`${JSON.stringify(key)}:`));
  const memos = keys.map(() => new ColumnMemo());
  return (row, out) => {
    out.char(123); // {
    let any = false;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (!(key in row)) continue;
      if (any) out.char(44);
      any = true;
      out.raw(prefixes[i]!);
      writeJsonCell(out, row[key], key, memos[i]!);
    }
    out.char(125);
  };
}

/**
 * Formats rows into chunks of about CHUNK bytes; a synchronous source is read without
 * awaiting per row. When the rows (or the formatting) fail, the chunk is cut back to the last
 * whole row, the rows done so far are given out, then the error is rethrown.
 */
async function* chunked(
  rows: Report['rows'],
  write: (row: Row, out: TextChunk, first: boolean) => void,
  rowCount = 0,
): AsyncGenerator<string> {
  const out = new TextChunk(CHUNK + 1024);
  let first = true;
  let whole = 0; // where the last whole row ends
  // a long stream: the number printer's every branch taken before V8 compiles it (shortest.ts);
  // known long from the start (a compare grid), or once it outgrows a chunk
  let warm = rowCount >= WARM_UP_ROWS;
  if (warm) warmUpShortest();
  const take = (): string => {
    if (!warm) (warmUpShortest(), (warm = true));
    return out.take();
  };
  try {
    if (Symbol.iterator in rows) {
      for (const row of rows as Iterable<Row>) {
        write(row, out, first);
        first = false;
        whole = out.length;
        if (whole >= CHUNK) {
          yield take();
          whole = 0;
        }
      }
    } else {
      for await (const row of rows) {
        write(row, out, first);
        first = false;
        whole = out.length;
        if (whole >= CHUNK) {
          yield take();
          whole = 0;
        }
      }
    }
  } catch (err) {
    out.cutTo(whole);
    if (whole > 0) yield out.take();
    throw err;
  }
  if (out.length > 0) yield out.take();
}

/** The text of the "error" member that ends a JSON document whose rows failed midway. */
function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function drain(rows: Report['rows']): Promise<void> {
  for await (const _ of rows) void _;
}

/**
 * One JSON document, streamed row by row: {"command", "params", "rows": [...], "summary"}. When
 * the rows fail midway it is still one document: {"command", "params", "rows": [the rows before
 * the failure], "error": "message"}, and the error is rethrown (the exit status is the error's).
 */
export async function* renderJson(report: Report): AsyncGenerator<string> {
  yield `{"command":${JSON.stringify(report.command)},"params":${JSON.stringify(toJsonValue(report.params))},"rows":[`;
  const write = jsonRowWriter(report.columns);
  let any = false;
  let tail: string;
  try {
    const rows = chunked(
      report.rows,
      (row, out, first) => {
        if (!first) out.char(44);
        out.char(10);
        write(row, out);
      },
      report.rowCount,
    );
    for await (const chunk of rows) {
      any = true;
      yield chunk;
    }
    const sections = (report.sections?.() ?? []).filter((section) => section.key);
    const extra = sections.length
      ? `,"sections":{${sections.map((section) => `${JSON.stringify(section.key)}:[${jsonRows(section)}]`).join(',')}}`
      : '';
    tail = `${any ? '\n' : ''}],"summary":${JSON.stringify(toJsonValue(report.summary()))}${extra}}\n`;
  } catch (err) {
    yield `${any ? '\n' : ''}],"error":${JSON.stringify(errorText(err))}}\n`;
    throw err;
  }
  yield tail;
}

/** A section's rows as JSON objects, comma-separated. */
function jsonRows(section: Section): string {
  const write = jsonRowWriter(section.columns);
  const out = new TextChunk(1024);
  section.rows.forEach((row, i) => {
    if (i > 0) out.char(44);
    write(row, out);
  });
  return out.take();
}

/** NDJSON: one row object per line (or the summary, for a reduced report). */
export async function* renderNdjson(report: Report): AsyncGenerator<string> {
  if (report.summaryIsTheRecord) {
    await drain(report.rows);
    yield `${JSON.stringify(toJsonValue(report.summary()))}\n`;
    return;
  }
  const write = jsonRowWriter(report.columns);
  yield* chunked(
    report.rows,
    (row, out) => {
      write(row, out);
      out.char(10);
    },
    report.rowCount,
  );
}

function writeDelimitedCell(out: TextChunk, v: Cell | undefined, key: string, sep: ',' | '\t', memo: ColumnMemo): void {
  if (v === null || v === undefined) return;
  if (typeof v === 'number') return writeNumber(out, v, key, false, memo);
  if (isVector(v)) {
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.char(59); // ;
      writeNumber(out, v[i]!, key, false);
    }
    return;
  }
  if (sep === ',' && /[",\n\r]/.test(v)) out.text(`"${v.replace(/"/g, '""')}"`);
  else out.text(sep === '\t' ? v.replace(/[\t\n\r]/g, ' ') : v);
}

/** A delimited line of `keys`' cells (an absent or null cell is empty), ended by a newline. */
function delimitedRowWriter(keys: readonly string[], sep: ',' | '\t'): RowWriter {
  const sepCode = sep.charCodeAt(0);
  const memos = keys.map(() => new ColumnMemo());
  return (row, out) => {
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out.char(sepCode);
      writeDelimitedCell(out, row[keys[i]!], keys[i]!, sep, memos[i]!);
    }
    out.char(10);
  };
}

/** CSV (RFC 4180) or TSV with a header row of the JSON keys. */
export async function* renderDelimited(report: Report, sep: ',' | '\t'): AsyncGenerator<string> {
  if (report.summaryIsTheRecord) {
    await drain(report.rows);
    const summary = report.summary() ?? {};
    const keys = Object.keys(summary);
    const out = new TextChunk(1024);
    delimitedRowWriter(keys, sep)(summary, out);
    yield `${keys.join(sep)}\n${out.take()}`;
    return;
  }
  const keys = report.columns.map((c) => c.key);
  yield `${keys.join(sep)}\n`;
  const write = delimitedRowWriter(keys, sep);
  yield* chunked(report.rows, (row, out) => write(row, out), report.rowCount);
}
