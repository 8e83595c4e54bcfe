import type { Heatmap } from '../output/chart/heatmap.js';
import type { Chart } from '../output/chart/model.js';
import { writeNewFile } from '../output/files.js';
import type { Cell, Report, Row } from '../output/report.js';
import { pageHtml } from './html.js';
import type { ReportPageData } from './report.js';

/**
 * A command's report as one offline page (`--out report.html`): the same rows, summary and
 * sections the table shows, and the chart, handed to the page as data (src/page/report.ts).
 */

/** JSON has no infinities: they travel as "Infinity"/"-Infinity", as in the CLI's JSON output. */
function cell(v: Cell | undefined): Cell {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    if (v !== v) throw new Error('a NaN reached the report page');
    return v > 0 ? 'Infinity' : '-Infinity';
  }
  return v ?? null;
}
const rowOf = (row: Row): Row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, cell(v)]));

export async function reportPageData(
  report: Report,
  chart: Chart | null,
  title: string,
  rowsTitle: string,
  heatmap: Heatmap | null = null,
): Promise<ReportPageData> {
  const rows: Row[] = [];
  for await (const row of report.rows) rows.push(rowOf(row));
  const summary = report.summary() ?? {};
  return {
    mode: 'report',
    title,
    caption: report.caption,
    params: Object.entries(report.params).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
    summary: (report.summaryItems ?? [])
      .filter((i) => i.key in summary && summary[i.key] !== null)
      .map((i) => ({ label: i.label, value: cell(summary[i.key]), kind: i.kind })),
    tables: [
      { title: rowsTitle, caption: report.caption, columns: [...report.columns], rows },
      ...(report.sections?.() ?? []).map((s) => ({
        title: s.caption,
        caption: s.caption,
        columns: [...s.columns],
        rows: s.rows.map(rowOf),
      })),
    ],
    notes: [...(report.notes ?? [])],
    chart,
    heatmap,
  };
}

/** Writes the page (whole or not at all) and says what was written; `rowsTitle` heads the report's main rows. */
export async function writeReportPage(
  path: string,
  report: Report,
  chart: Chart | null,
  options: { force: boolean; rowsTitle: string; heatmap?: Heatmap | null },
): Promise<string> {
  const title = `focal ${report.command}`;
  const html = pageHtml(title, await reportPageData(report, chart, title, options.rowsTitle, options.heatmap));
  writeNewFile(path, html, options.force);
  return `wrote ${path} (report page, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)`;
}
