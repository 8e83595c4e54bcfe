import type { Heatmap } from '../output/chart/heatmap.js';
import type { Chart } from '../output/chart/model.js';
import type { Cell, Column, Row } from '../output/report.js';
import { h, replace } from './dom.js';
import { cellText, chartView, dataTable, heatmapView } from './views.js';

/**
 * A report page (`focal anatomy --out report.html`): the report's tables, its summary and its
 * chart with a cursor. Everything in it (file and column names included) arrives as JSON data
 * and goes into the page as text. Infinite numbers arrive as the strings "Infinity" and
 * "-Infinity" (as in the CLI's JSON) and are read back only where a number is expected.
 */

const number = (v: Cell): Cell => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
const numbers = (columns: readonly Column[], row: Row): Row =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, columns.find((c) => c.key === k)?.kind === 'text' ? v : number(v)]),
  );

export interface ReportPageData {
  mode: 'report';
  title: string;
  caption: string;
  /** parameters as label → text */
  params: [string, string][];
  summary: { label: string; value: Cell; kind?: Column['kind'] }[];
  tables: { title: string; caption: string; columns: Column[]; rows: Row[] }[];
  notes: string[];
  chart: Chart | null;
  /** a heatmap, shown above the chart (sweep: the positive class's share over (γ, α)) */
  heatmap?: Heatmap | null;
}

/** The nearest point of each series at x (the data are the report's, not recomputed). */
function nearest(chart: Chart, x: number) {
  return chart.series.map((s) => {
    let best = s.points[0];
    for (const p of s.points) if (best === undefined || Math.abs(p[0] - x) < Math.abs(best[0] - x)) best = p;
    return { label: s.label, value: best ? best[1] : NaN };
  });
}

export function startReport(root: HTMLElement, data: ReportPageData): void {
  const tables = data.tables.map((t) => ({ ...t, rows: t.rows.map((r) => numbers(t.columns, r)) }));
  const summary = data.summary.map((s) => ({ ...s, value: s.kind === 'text' ? s.value : number(s.value) }));
  document.title = data.title;
  replace(
    root,
    h('header', {}, h('h1', {}, data.title), h('p', { class: 'caption' }, data.caption)),
    h(
      'main',
      { class: 'report' },
      h(
        'section',
        { 'aria-labelledby': 'h-params' },
        h('h2', { id: 'h-params' }, 'Parameters'),
        h('dl', { class: 'params' }, ...data.params.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-summary' },
        h('h2', { id: 'h-summary' }, 'Summary'),
        h(
          'dl',
          { class: 'params' },
          ...summary.flatMap((s) => [
            h('dt', {}, s.label),
            h(
              'dd',
              { 'data-value': typeof s.value === 'number' ? String(s.value) : undefined },
              cellText(s.value, s.kind),
            ),
          ]),
        ),
      ),
      data.heatmap
        ? h(
            'section',
            { 'aria-labelledby': 'h-heatmap' },
            h('h2', { id: 'h-heatmap' }, 'Heatmap'),
            heatmapView(data.heatmap),
          )
        : null,
      data.chart
        ? h(
            'section',
            { 'aria-labelledby': 'h-chart' },
            h('h2', { id: 'h-chart' }, 'Chart'),
            chartView(data.chart, (x) => nearest(data.chart!, x), data.chart.xLabel),
          )
        : null,
      ...tables.map((t, k) =>
        h(
          'section',
          { 'aria-labelledby': `h-table-${k}` },
          h('h2', { id: `h-table-${k}` }, t.title),
          dataTable(t.caption, t.columns, t.rows),
        ),
      ),
      data.notes.length ? h('section', {}, ...data.notes.map((n) => h('p', { class: 'note' }, n))) : null,
    ),
  );
}
