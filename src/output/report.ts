/**
 * What every command hands to the output layer: the data, already computed, and how to name
 * it. Renderers only format; they never compute a loss.
 */

/** A value in a row; a vector (a gradient over K logits) is a JSON array, `;`-joined in CSV/TSV. */
export type Cell = number | string | null | readonly number[];

/** Array.isArray does not narrow readonly arrays; this does. */
export function isVector(v: Cell | undefined): v is readonly number[] {
  return Array.isArray(v);
}
export type Row = Readonly<Record<string, Cell>>;

export interface Column {
  /** snake_case key in JSON, CSV, TSV and NDJSON */
  key: string;
  /** header in tables */
  label: string;
  /** 'count' gets thousands separators in tables; 'text' is left-aligned */
  kind?: 'number' | 'count' | 'text';
  /** false: in machine formats only */
  table?: boolean;
}

export interface SummaryItem {
  key: string;
  label: string;
  kind?: 'number' | 'count' | 'text';
  /** at least this many significant digits in a table (a headline number) */
  precision?: number;
}

export interface Report {
  command: string;
  /** the parsed parameters, echoed in JSON */
  params: Readonly<Record<string, unknown>>;
  /** one line of parameters printed above a table */
  caption: string;
  columns: readonly Column[];
  /** consumed once, in order; may be an (async) generator that streams */
  rows: Iterable<Row> | AsyncIterable<Row>;
  /** how many rows there will be, when known in advance (a table refuses too many) */
  rowCount?: number;
  /** computed after the rows have been consumed; null when the command has none */
  summary: () => Readonly<Record<string, Cell>> | null;
  /** which summary entries a table shows, and their labels */
  summaryItems?: readonly SummaryItem[];
  /**
   * true: CSV, TSV and NDJSON carry the summary as their one record instead of the rows (a
   * reduced `loss`); false: they carry the rows.
   */
  summaryIsTheRecord?: boolean;
  /** notes printed under a table (never in machine formats) */
  notes?: readonly string[];
  /** further tables after the summary, in tables only (their data is in the summary's flat keys) */
  sections?: () => readonly Section[];
}

export interface Section {
  /** when set, JSON carries the section too: "sections": {key: [rows]} */
  key?: string;
  caption: string;
  columns: readonly Column[];
  rows: readonly Row[];
}

export const FORMATS = ['table', 'json', 'csv', 'tsv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];
