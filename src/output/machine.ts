import type { Cell, Column, Report, Row } from './report.js';

/**
 * JSON, CSV, TSV and NDJSON. Numbers keep full round-trip precision (the shortest decimal that
 * parses back to the same double, as JSON.stringify and String() give it); ±Infinity become the
 * strings "Infinity"/"-Infinity"; −0 is written 0. A NaN reaching this layer is a bug in a
 * command, and is refused rather than printed.
 */

export class NonFiniteOutputError extends Error {}

function jsonNumber(v: number, key: string): number | string {
  if (Number.isNaN(v)) throw new NonFiniteOutputError(`internal error: NaN in output field ${key}`);
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v === 0 ? 0 : v;
}

function toJsonValue(v: unknown, key = ''): unknown {
  if (typeof v === 'number') return jsonNumber(v, key);
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, key));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x, k)]));
  }
  return v;
}

function jsonRow(row: Row, columns: readonly Column[]): string {
  const out: Record<string, unknown> = {};
  for (const c of columns) if (c.key in row) out[c.key] = toJsonValue(row[c.key], c.key);
  return JSON.stringify(out);
}

/** One JSON document, streamed row by row: {"command", "params", "rows": [...], "summary"}. */
export async function* renderJson(report: Report): AsyncGenerator<string> {
  yield `{"command":${JSON.stringify(report.command)},"params":${JSON.stringify(toJsonValue(report.params))},"rows":[`;
  let first = true;
  for await (const row of report.rows) {
    yield (first ? '\n' : ',\n') + jsonRow(row, report.columns);
    first = false;
  }
  yield `${first ? '' : '\n'}],"summary":${JSON.stringify(toJsonValue(report.summary()))}}\n`;
}

/** NDJSON: one row object per line (or the summary, for a reduced report). */
export async function* renderNdjson(report: Report): AsyncGenerator<string> {
  if (report.summaryIsTheRecord) {
    for await (const _ of report.rows) void _;
    yield `${JSON.stringify(toJsonValue(report.summary()))}\n`;
    return;
  }
  for await (const row of report.rows) yield `${jsonRow(row, report.columns)}\n`;
}

function delimitedCell(v: Cell | undefined, key: string, sep: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(jsonNumber(v, key));
  if (sep === ',' && /[",\n\r]/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  if (sep === '\t') return v.replace(/[\t\n\r]/g, ' ');
  return v;
}

/** CSV (RFC 4180) or TSV with a header row of the JSON keys. */
export async function* renderDelimited(report: Report, sep: ',' | '\t'): AsyncGenerator<string> {
  if (report.summaryIsTheRecord) {
    for await (const _ of report.rows) void _;
    const summary = report.summary() ?? {};
    const keys = Object.keys(summary);
    yield `${keys.join(sep)}\n`;
    yield `${keys.map((k) => delimitedCell(summary[k] as Cell, k, sep)).join(sep)}\n`;
    return;
  }
  const keys = report.columns.map((c) => c.key);
  yield `${keys.join(sep)}\n`;
  for await (const row of report.rows) yield `${keys.map((k) => delimitedCell(row[k], k, sep)).join(sep)}\n`;
}
