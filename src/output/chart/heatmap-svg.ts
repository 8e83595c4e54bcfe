import type { Heatmap } from './heatmap.js';
import { ticks } from './model.js';
import { el, svgText, type SvgNode } from './svg.js';

/**
 * A heatmap as SVG: a tree of elements (heatmapTree), written as text for files (renderHeatmapSvg;
 * PNG goes through it too) or built as DOM nodes by a report page (src/page/dom.ts, every label
 * set as text) — one drawing for `sweep --out FILE.svg|png` and `sweep --out FILE.html`. Kept
 * apart from the terminal renderer (heatmap.ts), which the page does not need.
 */

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

export function heatmapTree(map: Heatmap, width: number, height: number): SvgNode {
  const legendWidth =
    38 + Math.ceil(Math.max(0, ...[...map.classes, ...(map.overlays ?? [])].map((c) => c.label.length)) * 7.6);
  const labelWidth = 16 + Math.ceil(Math.max(0, ...map.rows.map((r) => r.label.length)) * 7.2);
  const margin = { top: 48, right: 30 + legendWidth, bottom: 56, left: 40 + labelWidth };
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const [lo, hi] = map.xDomain;
  const X = (x: number) => margin.left + ((x - lo) / (hi - lo)) * w;
  const rowHeight = h / Math.max(1, map.rows.length);
  const root: SvgNode[] = [
    el('title', {}, undefined, map.title),
    el('rect', { width, height, fill: '#ffffff' }),
    el(
      'text',
      { x: width / 2, y: 28, 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' },
      undefined,
      map.title,
    ),
  ];
  const cells: SvgNode[] = [];
  map.rows.forEach((row, r) => {
    const cw = w / Math.max(1, row.cells.length);
    const y = margin.top + r * rowHeight;
    // runs of one class are one rectangle
    let start = 0;
    for (let i = 1; i <= row.cells.length; i++) {
      if (i < row.cells.length && row.cells[i] === row.cells[start]) continue;
      const cls = map.classes[row.cells[start]!]!;
      cells.push(
        el('rect', {
          x: fmt(margin.left + start * cw),
          y: fmt(y),
          width: fmt((i - start) * cw),
          height: fmt(rowHeight),
          fill: cls.colour,
          'data-class': cls.label,
        }),
      );
      start = i;
    }
  });
  root.push(el('g', { class: 'cells', 'shape-rendering': 'crispEdges' }, cells));
  for (const o of map.overlays ?? []) {
    const points = o.xs.flatMap((x, r) =>
      x === null || !Number.isFinite(x)
        ? []
        : [[X(Math.min(hi, Math.max(lo, x))), margin.top + (r + 0.5) * rowHeight] as const],
    );
    const line: SvgNode[] =
      points.length > 1
        ? [
            el('polyline', {
              points: points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' '),
              fill: 'none',
              'stroke-width': 2.2,
              ...(o.dash ? { 'stroke-dasharray': o.dash } : {}),
            }),
          ]
        : [];
    root.push(
      el('g', { class: 'overlay', 'data-label': o.label, stroke: o.colour, fill: o.colour }, [
        ...line,
        ...points.map(([x, y]) => el('circle', { cx: fmt(x), cy: fmt(y), r: 3 })),
      ]),
    );
  }
  root.push(
    el(
      'g',
      { class: 'y-labels', 'font-size': 12, fill: '#333333' },
      map.rows.map((row, r) =>
        el(
          'text',
          {
            x: margin.left - 8,
            y: fmt(margin.top + (r + 0.5) * rowHeight),
            'text-anchor': 'end',
            'dominant-baseline': 'middle',
          },
          undefined,
          row.label,
        ),
      ),
    ),
  );
  root.push(
    el(
      'g',
      { class: 'x-ticks', 'font-size': 12, fill: '#333333' },
      ticks(map.xDomain, 'linear', 8).flatMap((t) => {
        const x = fmt(X(t.value));
        return [
          el('line', { x1: x, y1: margin.top + h, x2: x, y2: margin.top + h + 5, stroke: '#333333' }),
          el('text', { x, y: margin.top + h + 19, 'text-anchor': 'middle' }, undefined, t.label),
        ];
      }),
    ),
  );
  root.push(el('rect', { x: margin.left, y: margin.top, width: w, height: h, fill: 'none', stroke: '#333333' }));
  root.push(
    el(
      'text',
      { x: margin.left + w / 2, y: height - 14, 'text-anchor': 'middle', 'font-size': 14 },
      undefined,
      map.xLabel,
    ),
  );
  root.push(
    el(
      'text',
      { transform: `translate(20 ${margin.top + h / 2}) rotate(-90)`, 'text-anchor': 'middle', 'font-size': 14 },
      undefined,
      map.yLabel,
    ),
  );
  const lx = margin.left + w + 18;
  const legend: SvgNode[] = [];
  map.classes.forEach((cls, k) => {
    const y = margin.top + 10 + k * 22;
    legend.push(
      el('rect', { x: lx, y: y - 7, width: 24, height: 14, fill: cls.colour, stroke: '#333333', 'stroke-width': 0.5 }),
      el('text', { x: lx + 32, y, 'dominant-baseline': 'middle' }, undefined, cls.label),
    );
  });
  (map.overlays ?? []).forEach((o, k) => {
    const y = margin.top + 10 + (map.classes.length + 0.5 + k) * 22;
    legend.push(
      el('line', {
        x1: lx,
        y1: y,
        x2: lx + 24,
        y2: y,
        stroke: o.colour,
        'stroke-width': 2.2,
        ...(o.dash ? { 'stroke-dasharray': o.dash } : {}),
      }),
      el('text', { x: lx + 32, y, 'dominant-baseline': 'middle' }, undefined, o.label),
    );
  });
  root.push(el('g', { class: 'legend', 'font-size': 13 }, legend));
  return el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': FONT },
    root,
  );
}

export function renderHeatmapSvg(map: Heatmap, width: number, height: number): string {
  return `${svgText(heatmapTree(map, width, height))}\n`;
}
