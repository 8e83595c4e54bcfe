import { Chalk, type ChalkInstance } from 'chalk';
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

function tableOf(allColumns: readonly Column[], rows: readonly Row[], options: TableOptions, chalk: ChalkInstance): string {
  const columns = allColumns.filter((c) => c.table !== false);
  const text = options.plain ? plainText : asIs;
  const table = new Table({
    head: columns.map((c) => chalk.bold.cyan(text(c.label))),
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
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const rows: Row[] = [];
  for await (const row of report.rows) {
    // a table is held whole (column widths), so a stream of unknown length is capped here
    if (rows.length === MAX_TABLE_ROWS) throw new UsageError(`more than ${MAX_TABLE_ROWS.toLocaleString('en-US')} rows are too many for a table; use --format csv, tsv, ndjson or json, which stream.`);
    rows.push(row);
  }
  const text = options.plain ? plainText : asIs;
  const lines = [chalk.dim(text(report.caption))];
  if (rows.length > 0) lines.push(tableOf(report.columns, rows, options, chalk));
  const summary = report.summary();
  if (summary && report.summaryItems?.length) {
    const items = report.summaryItems.filter((i) => i.key in summary).map((i) => ({ ...i, label: text(i.label) }));
    const width = Math.max(...items.map((i) => i.label.length));
    for (const item of items) {
      lines.push(`${chalk.bold(item.label.padEnd(width))}  ${text(cellText(summary[item.key], item.kind, Math.max(options.precision, item.precision ?? 0)))}`);
    }
  }
  for (const section of report.sections?.() ?? []) {
    if (section.rows.length === 0) continue;
    lines.push('', chalk.dim(text(section.caption)), tableOf(section.columns, section.rows, options, chalk));
  }
  for (const note of report.notes ?? []) lines.push(chalk.dim(text(note)));
  return `${lines.join('\n')}\n`;
}
