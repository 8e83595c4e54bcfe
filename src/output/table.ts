import Table from 'cli-table3';
import { formatCount, formatNumber, MAX_TABLE_ROWS } from './human.js';
import { UsageError } from '../cli/errors.js';
import { isVector, type Cell, type Column, type Report, type Row } from './report.js';
import { PLAIN_TABLE_CHARS, plainText } from './plain.js';

/** The table renderer: loaded only when a table is printed (cli-table3 and chalk stay off the start-up path). */

export interface TableOptions {
  precision: number;
  color: boolean;
  /** ASCII borders and spelt-out symbols (see plain.ts) */
  plain?: boolean;
}

const asIs = (text: string) => text;

/** The styles a table uses. */
interface Styles {
  head(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/**
 * chalk's styles with colour; without it, none, and chalk is not even loaded: its import probes
 * the terminal (supports-color), ~5% of start-up for a table (bench/startup.mjs).
 */
async function stylesFor(color: boolean): Promise<Styles> {
  if (!color) return { head: asIs, bold: asIs, dim: asIs };
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { head: (text) => chalk.bold.cyan(text), bold: (text) => chalk.bold(text), dim: (text) => chalk.dim(text) };
}

function tableOf(allColumns: readonly Column[], rows: readonly Row[], options: TableOptions, style: Styles): string {
  const columns = allColumns.filter((c) => c.table !== false);
  const text = options.plain ? plainText : asIs;
  const table = new Table({
    head: columns.map((c) => style.head(text(c.label))),
    colAligns: columns.map((c) => (c.kind === 'text' ? 'left' : 'right')),
    style: { head: [], border: [], compact: true },
    ...(options.plain ? { chars: PLAIN_TABLE_CHARS } : {}),
  });
  for (const row of rows) table.push(columns.map((c) => text(cellText(row[c.key], c.kind, options.precision))));
  return table.toString();
}

function cellText(v: Cell | undefined, kind: string | undefined, precision: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (isVector(v)) return v.map((x) => formatNumber(x, precision)).join(', ');
  return kind === 'count' ? formatCount(v as number) : formatNumber(v as number, precision);
}

export async function renderTable(report: Report, options: TableOptions): Promise<string> {
  const style = await stylesFor(options.color);
  const rows: Row[] = [];
  for await (const row of report.rows) {
    // a table is held whole (column widths), so a stream of unknown length is capped here
    if (rows.length === MAX_TABLE_ROWS)
      throw new UsageError(
        `more than ${MAX_TABLE_ROWS.toLocaleString('en-US')} rows are too many for a table; use --format csv, tsv, ndjson or json, which stream.`,
      );
    rows.push(row);
  }
  const text = options.plain ? plainText : asIs;
  const lines = [style.dim(text(report.caption))];
  if (rows.length > 0) lines.push(tableOf(report.columns, rows, options, style));
  const summary = report.summary();
  if (summary && report.summaryItems?.length) {
    const items = report.summaryItems.filter((i) => i.key in summary).map((i) => ({ ...i, label: text(i.label) }));
    const width = Math.max(...items.map((i) => i.label.length));
    for (const item of items) {
      lines.push(
        `${style.bold(item.label.padEnd(width))}  ${text(cellText(summary[item.key], item.kind, Math.max(options.precision, item.precision ?? 0)))}`,
      );
    }
  }
  for (const section of report.sections?.() ?? []) {
    if (section.rows.length === 0) continue;
    lines.push('', style.dim(text(section.caption)), tableOf(section.columns, section.rows, options, style));
  }
  for (const note of report.notes ?? []) lines.push(style.dim(text(note)));
  return `${lines.join('\n')}\n`;
}
