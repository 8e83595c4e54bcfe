import type { Chart } from '../output/chart/model.js';
import type { Heatmap } from '../output/chart/heatmap.js';
import { heatmapTree } from '../output/chart/heatmap-svg.js';
import { layoutOf, svgTree, SVG_COLOURS } from '../output/chart/svg.js';
import { formatCount, formatNumber } from '../output/human.js';
import { isVector, type Cell, type Column, type Row } from '../output/report.js';
import { append, h, replace, svgDom, svgEl } from './dom.js';

/** Pieces both pages use: tables of rows and a chart with a cursor. */

/** A cell as text, as the CLI's tables print it (5 significant digits). */
export function cellText(v: Cell | undefined, kind: Column['kind']): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v !== 'number') return v.map((x) => formatNumber(x)).join(', ');
  return kind === 'count' ? formatCount(v) : formatNumber(v);
}

/**
 * A table; each numeric cell carries its full value in data-value (String(x) round-trips the
 * double, as the CLI's JSON does; a vector as its JSON array) and its column key in data-key.
 */
export function dataTable(caption: string, columns: readonly Column[], rows: readonly Row[]): HTMLElement {
  const shown = columns.filter((c) => c.table !== false);
  const head = h(
    'tr',
    {},
    ...shown.map((c) => h('th', { scope: 'col', class: c.kind === 'text' ? 'text' : undefined }, c.label)),
  );
  const body = rows.map((row) =>
    h(
      'tr',
      {},
      ...shown.map((c) => {
        const v = row[c.key];
        const attrs: Record<string, string | undefined> = {
          'data-key': c.key,
          class: c.kind === 'text' ? 'text' : undefined,
        };
        if (typeof v === 'number') attrs['data-value'] = String(v);
        else if (isVector(v)) attrs['data-value'] = JSON.stringify(v);
        return h('td', attrs, cellText(v, c.kind));
      }),
    ),
  );
  // the wrapper scrolls sideways on a narrow screen; the page itself does not
  return h(
    'div',
    { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': caption },
    h('table', {}, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, ...body)),
  );
}

/** A bar of a share in [0, 1] (CSSOM width: allowed by the page's CSP, unlike a style attribute). */
export function shareBar(label: string, share: number | null, series: number): HTMLElement {
  const fill = h('span', { class: `fill s${series}` });
  fill.style.width = `${Math.max(0, Math.min(1, share ?? 0)) * 100}%`;
  return h(
    'div',
    { class: 'bar' },
    h('span', { class: 'bar-label' }, label),
    h(
      'span',
      {
        class: 'track',
        role: 'img',
        'aria-label': `${label}: ${share === null ? 'none' : formatNumber(share * 100, 4)}%`,
      },
      fill,
    ),
    h(
      'span',
      { class: 'bar-value', 'data-value': share === null ? undefined : String(share) },
      share === null ? '—' : `${formatNumber(share * 100, 4)}%`,
    ),
  );
}

export interface CursorValue {
  label: string;
  value: number;
}

/**
 * The chart drawn by the project's SVG renderer (the same element tree as `focal plot --out
 * x.svg`), sized to its container, with a cursor: the pointer or the arrow keys pick an x, and
 * `valuesAt(x)` gives the values listed under the chart (exact, not read off the pixels).
 */
export function chartView(chart: Chart, valuesAt: (x: number) => CursorValue[], xName: string): HTMLElement {
  const figure = h('figure', { class: 'chart' });
  const readout = h('p', { class: 'readout', 'aria-live': 'polite' });
  let x = chart.xDomain[0] + 0.75 * (chart.xDomain[1] - chart.xDomain[0]);
  let layout: ReturnType<typeof layoutOf> | null = null;
  let cursor: SVGElement | null = null;
  let width = 0;
  const draw = () => {
    width = Math.max(440, Math.min(960, figure.clientWidth || 800));
    const height = Math.round(Math.max(260, Math.min(500, width * 0.62)));
    layout = layoutOf(chart, width, height);
    const svg = svgDom(svgTree(chart, width, height));
    svg.setAttribute('tabindex', '0');
    svg.setAttribute('role', 'img');
    svg.setAttribute(
      'aria-label',
      `${chart.title}. Arrow keys move the cursor along ${xName}; the values are listed below the chart.`,
    );
    cursor = svgEl('g', { class: 'cursor' });
    svg.appendChild(cursor);
    const point = (e: PointerEvent) => {
      const box = svg.getBoundingClientRect();
      const px = ((e.clientX - box.left) / box.width) * width;
      const t = (px - layout!.margin.left) / layout!.w;
      if (t >= 0 && t <= 1) move(chart.xDomain[0] + t * (chart.xDomain[1] - chart.xDomain[0]));
    };
    svg.addEventListener('pointermove', point);
    svg.addEventListener('pointerdown', point); // a tap on a touch screen
    svg.addEventListener('keydown', (e) => {
      const span = chart.xDomain[1] - chart.xDomain[0];
      const step = (e.shiftKey ? 0.001 : 0.01) * span;
      const to = {
        ArrowLeft: x - step,
        ArrowRight: x + step,
        ArrowDown: x - step,
        ArrowUp: x + step,
        Home: chart.xDomain[0],
        End: chart.xDomain[1],
      }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      // steps land on round values of x, so that the readout shows 0.75, not 0.7500000001
      move(Math.round(Math.min(chart.xDomain[1], Math.max(chart.xDomain[0], to)) / step) * step);
    });
    replace(figure, svg, h('figcaption', {}, readout));
    move(x);
  };
  const move = (to: number) => {
    x = Math.min(chart.xDomain[1], Math.max(chart.xDomain[0], to));
    x = Number(x.toPrecision(12)); // a value a person can type back
    const values = valuesAt(x);
    if (cursor && layout) {
      const X = layout.X(x);
      replace(
        cursor,
        svgEl('line', { x1: X, x2: X, y1: layout.margin.top, y2: layout.margin.top + layout.h, class: 'cursor-line' }),
      );
      values.forEach((v, k) => {
        const Y = layout!.Y(v.value);
        if (!Number.isFinite(Y) || Y < layout!.margin.top || Y > layout!.margin.top + layout!.h) return;
        append(
          cursor!,
          svgEl('circle', { cx: X, cy: Y, r: 4, fill: SVG_COLOURS[k % SVG_COLOURS.length]!, class: 'cursor-dot' }),
        );
      });
    }
    replace(
      readout,
      h('span', { class: 'at', 'data-value': String(x) }, `${xName} = ${formatNumber(x, 12)}`),
      ...values.map((v, k) =>
        h(
          'span',
          { class: `item s${k}`, 'data-label': v.label, 'data-value': String(v.value) },
          `${v.label}: ${String(v.value)}`,
        ),
      ),
    );
  };
  redrawOnResize(figure, draw);
  return figure;
}

/**
 * Calls `draw` once the figure is in the document (its width is known then), and again on
 * resize; a figure replaced by a newer one stops being observed.
 */
function redrawOnResize(figure: HTMLElement, draw: () => void): void {
  let last = -1;
  const resized = () => {
    if (!figure.isConnected) return observer.disconnect();
    if (Math.abs(figure.clientWidth - last) > 8) {
      last = figure.clientWidth;
      draw();
    }
  };
  const observer = new ResizeObserver(resized);
  observer.observe(figure);
  requestAnimationFrame(resized);
}

/** A heatmap (sweep's positive share over (γ, α) with α*(γ)), drawn by the renderer of `--out FILE.svg`. */
export function heatmapView(map: Heatmap): HTMLElement {
  const figure = h('figure', { class: 'chart heatmap' });
  redrawOnResize(figure, () => {
    const width = Math.max(440, Math.min(960, figure.clientWidth || 800));
    const svg = svgDom(heatmapTree(map, width, Math.round(Math.max(260, Math.min(500, width * 0.62)))));
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${map.title}; its numbers are in the tables below.`);
    replace(figure, svg);
  });
  return figure;
}
