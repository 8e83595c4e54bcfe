import { isVector, type Cell, type Column, type Report, type Row } from './report.js';

/**
 * JSON, CSV, TSV and NDJSON. Numbers keep full round-trip precision (the shortest decimal that
 * parses back to the same double: String(x), which is also what JSON.stringify writes);
 * ±Infinity become the strings "Infinity"/"-Infinity"; −0 is written 0. A NaN reaching this
 * layer is a bug in a command, and is refused rather than printed.
 *
 * Rows are written as text directly (no object per row for JSON.stringify) and gathered into
 * chunks of ~64 KiB, so that a grid of 10^7 rows costs one await per chunk, not per row.
 *
 * Rows stream and cannot be taken back, so a run that fails midway (a bad input row, a NaN)
 * still leaves whole records: every chunk ends at a row boundary, the rows formatted before the
 * failure are given out before it is rethrown, and JSON closes its document with an "error"
 * member in place of the summary (renderJson). writeChunks decides whether any of it is written.
 */

export class NonFiniteOutputError extends Error {}

const CHUNK = 1 << 16;

function numberText(v: number, key: string): string {
  if (v !== v) throw new NonFiniteOutputError(`a NaN reached the output (field ${key})`);
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return String(v);
}

function jsonCell(v: Cell | undefined, key: string): string {
  if (typeof v === 'number') return numberText(v, key);
  if (isVector(v)) return `[${v.map((x) => numberText(x, key)).join(',')}]`;
  return v === undefined ? 'null' : JSON.stringify(v);
}

function toJsonValue(v: unknown, key = ''): unknown {
  if (typeof v === 'number') {
    if (v !== v) throw new NonFiniteOutputError(`a NaN reached the output (field ${key})`);
    return v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v === 0 ? 0 : v;
  }
  if (Array.isArray(v)) return v.map((x: unknown) => toJsonValue(x, key));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x, k)]));
  return v;
}

/** A row writer for the report's columns: `{"key":value,…}` with the keys present in the row. */
function jsonRowWriter(columns: readonly Column[]): (row: Row) => string {
  const keys = columns.map((c) => [c.key, `${JSON.stringify(c.key)}:`] as const);
  return (row) => {
    let out = '{';
    for (const [key, prefix] of keys) {
      if (!(key in row)) continue;
      out += (out.length > 1 ? ',' : '') + prefix + jsonCell(row[key], key);
    }
    return `${out}}`;
  };
}

/**
 * Formats rows into chunks of about CHUNK characters; a synchronous source is read without
 * awaiting per row. A row is formatted whole before it joins the chunk, so when the rows (or
 * the formatting) fail, the rows done so far are given out, then the error is rethrown.
 */
async function* chunked(rows: Report['rows'], format: (row: Row, first: boolean) => string): AsyncGenerator<string> {
  let buffer = '';
  let first = true;
  try {
    if (Symbol.iterator in rows) {
      for (const row of rows as Iterable<Row>) {
        buffer += format(row, first);
        first = false;
        if (buffer.length >= CHUNK) {
          yield buffer;
          buffer = '';
        }
      }
    } else {
      for await (const row of rows) {
        buffer += format(row, first);
        first = false;
        if (buffer.length >= CHUNK) {
          yield buffer;
          buffer = '';
        }
      }
    }
  } catch (err) {
    if (buffer) yield buffer;
    throw err;
  }
  if (buffer) yield buffer;
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
    for await (const chunk of chunked(report.rows, (row, first) => (first ? '\n' : ',\n') + write(row))) {
      any = true;
      yield chunk;
    }
    const sections = (report.sections?.() ?? []).filter((section) => section.key);
    const extra = sections.length
      ? `,"sections":{${sections.map((section) => `${JSON.stringify(section.key)}:[${section.rows.map(jsonRowWriter(section.columns)).join(',')}]`).join(',')}}`
      : '';
    tail = `${any ? '\n' : ''}],"summary":${JSON.stringify(toJsonValue(report.summary()))}${extra}}\n`;
  } catch (err) {
    yield `${any ? '\n' : ''}],"error":${JSON.stringify(errorText(err))}}\n`;
    throw err;
  }
  yield tail;
}

/** NDJSON: one row object per line (or the summary, for a reduced report). */
export async function* renderNdjson(report: Report): AsyncGenerator<string> {
  if (report.summaryIsTheRecord) {
    await drain(report.rows);
    yield `${JSON.stringify(toJsonValue(report.summary()))}\n`;
    return;
  }
  const write = jsonRowWriter(report.columns);
  yield* chunked(report.rows, (row) => `${write(row)}\n`);
}

function delimitedNumber(v: number, key: string): string {
  const text = numberText(v, key);
  return text.charCodeAt(0) === 34 ? text.slice(1, -1) : text; // Infinity unquoted
}

function delimitedCell(v: Cell | undefined, key: string, sep: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return delimitedNumber(v, key);
  if (isVector(v)) return v.map((x) => delimitedNumber(x, key)).join(';');
  if (sep === ',' && /[",\n\r]/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  if (sep === '\t') return v.replace(/[\t\n\r]/g, ' ');
  return v;
}

/** CSV (RFC 4180) or TSV with a header row of the JSON keys. */
export async function* renderDelimited(report: Report, sep: ',' | '\t'): AsyncGenerator<string> {
  if (report.summaryIsTheRecord) {
    await drain(report.rows);
    const summary = report.summary() ?? {};
    const keys = Object.keys(summary);
    yield `${keys.join(sep)}\n${keys.map((k) => delimitedCell(summary[k] as Cell, k, sep)).join(sep)}\n`;
    return;
  }
  const keys = report.columns.map((c) => c.key);
  yield `${keys.join(sep)}\n`;
  yield* chunked(report.rows, (row) => {
    let line = '';
    for (let i = 0; i < keys.length; i++) line += (i > 0 ? sep : '') + delimitedCell(row[keys[i]!], keys[i]!, sep);
    return `${line}\n`;
  });
}
