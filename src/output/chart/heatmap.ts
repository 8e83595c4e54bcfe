import { Chalk } from 'chalk';
import { ticks } from './model.js';
import { xAxisLines } from './terminal.js';

/**
 * A heatmap as data: rows (one per γ, say) of cells along a linear x axis, each cell one of a
 * few named classes. Drawn in the terminal (a glyph per class, coloured on a TTY, so it reads
 * without colour too) and as SVG (and PNG through the same SVG), like the line charts.
 */
export interface HeatClass {
  label: string;
  /** SVG fill */
  colour: string;
  /** terminal glyph */
  glyph: string;
  /** terminal colour (chalk name) */
  terminal: 'green' | 'cyan' | 'yellow' | 'red' | 'blue' | 'magenta' | 'white' | 'gray';
}

export interface Heatmap {
  title: string;
  xLabel: string;
  yLabel: string;
  xDomain: [number, number];
  classes: readonly HeatClass[];
  /** top row first; cells[i] covers the i-th of cells.length equal bins of xDomain */
  rows: readonly { label: string; cells: readonly number[] }[];
  /** curves over the rows: one x per row (null: none there), joined from row centre to row centre */
  overlays?: readonly HeatOverlay[];
}

/** A curve drawn over a heatmap, x as a function of the row (e.g. the balancing α per γ). */
export interface HeatOverlay {
  label: string;
  /** per row, top row first */
  xs: readonly (number | null)[];
  /** SVG stroke and dash pattern ('' solid) */
  colour: string;
  dash: string;
  /** terminal glyph, put in the cell the curve passes through in each row */
  glyph: string;
}

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

export function renderHeatmapSvg(map: Heatmap, width: number, height: number): string {
  const legendWidth =
    38 + Math.ceil(Math.max(0, ...[...map.classes, ...(map.overlays ?? [])].map((c) => c.label.length)) * 7.6);
  const labelWidth = 16 + Math.ceil(Math.max(0, ...map.rows.map((r) => r.label.length)) * 7.2);
  const margin = { top: 48, right: 30 + legendWidth, bottom: 56, left: 40 + labelWidth };
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const [lo, hi] = map.xDomain;
  const X = (x: number) => margin.left + ((x - lo) / (hi - lo)) * w;
  const rowHeight = h / Math.max(1, map.rows.length);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
  );
  out.push(`<title>${escape(map.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escape(map.title)}</text>`,
  );
  out.push('<g class="cells" shape-rendering="crispEdges">');
  map.rows.forEach((row, r) => {
    const cw = w / Math.max(1, row.cells.length);
    const y = margin.top + r * rowHeight;
    // runs of one class are one rectangle
    let start = 0;
    for (let i = 1; i <= row.cells.length; i++) {
      if (i < row.cells.length && row.cells[i] === row.cells[start]) continue;
      const cls = map.classes[row.cells[start]!]!;
      out.push(
        `<rect x="${fmt(margin.left + start * cw)}" y="${fmt(y)}" width="${fmt((i - start) * cw)}" height="${fmt(rowHeight)}" fill="${cls.colour}" data-class="${escape(cls.label)}"/>`,
      );
      start = i;
    }
  });
  out.push('</g>');
  for (const o of map.overlays ?? []) {
    const points = o.xs.flatMap((x, r) =>
      x === null || !Number.isFinite(x)
        ? []
        : [[X(Math.min(hi, Math.max(lo, x))), margin.top + (r + 0.5) * rowHeight] as const],
    );
    const dash = o.dash ? ` stroke-dasharray="${o.dash}"` : '';
    out.push(`<g class="overlay" data-label="${escape(o.label)}" stroke="${o.colour}" fill="${o.colour}">`);
    if (points.length > 1)
      out.push(
        `<polyline points="${points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ')}" fill="none" stroke-width="2.2"${dash}/>`,
      );
    for (const [x, y] of points) out.push(`<circle cx="${fmt(x)}" cy="${fmt(y)}" r="3"/>`);
    out.push('</g>');
  }
  out.push('<g class="y-labels" font-size="12" fill="#333333">');
  map.rows.forEach((row, r) => {
    out.push(
      `<text x="${margin.left - 8}" y="${fmt(margin.top + (r + 0.5) * rowHeight)}" text-anchor="end" dominant-baseline="middle">${escape(row.label)}</text>`,
    );
  });
  out.push('</g><g class="x-ticks" font-size="12" fill="#333333">');
  for (const t of ticks(map.xDomain, 'linear', 8)) {
    const x = fmt(X(t.value));
    out.push(`<line x1="${x}" y1="${margin.top + h}" x2="${x}" y2="${margin.top + h + 5}" stroke="#333333"/>`);
    out.push(`<text x="${x}" y="${margin.top + h + 19}" text-anchor="middle">${escape(t.label)}</text>`);
  }
  out.push('</g>');
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}" fill="none" stroke="#333333"/>`);
  out.push(
    `<text x="${margin.left + w / 2}" y="${height - 14}" text-anchor="middle" font-size="14">${escape(map.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(20 ${margin.top + h / 2}) rotate(-90)" text-anchor="middle" font-size="14">${escape(map.yLabel)}</text>`,
  );
  const lx = margin.left + w + 18;
  out.push('<g class="legend" font-size="13">');
  map.classes.forEach((cls, k) => {
    const y = margin.top + 10 + k * 22;
    out.push(
      `<rect x="${lx}" y="${y - 7}" width="24" height="14" fill="${cls.colour}" stroke="#333333" stroke-width="0.5"/>`,
    );
    out.push(`<text x="${lx + 32}" y="${y}" dominant-baseline="middle">${escape(cls.label)}</text>`);
  });
  (map.overlays ?? []).forEach((o, k) => {
    const y = margin.top + 10 + (map.classes.length + 0.5 + k) * 22;
    out.push(
      `<line x1="${lx}" y1="${y}" x2="${lx + 24}" y2="${y}" stroke="${o.colour}" stroke-width="2.2"${o.dash ? ` stroke-dasharray="${o.dash}"` : ''}/>`,
    );
    out.push(`<text x="${lx + 32}" y="${y}" dominant-baseline="middle">${escape(o.label)}</text>`);
  });
  out.push('</g></svg>');
  return `${out.join('\n')}\n`;
}

export function renderHeatmapTerminal(map: Heatmap, options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const paint = (cls: HeatClass, text: string) =>
    (chalk as unknown as Record<string, (t: string) => string>)[cls.terminal]!(text);
  const labelWidth = Math.max(...map.rows.map((r) => r.label.length));
  const width = Math.max(0, ...map.rows.map((r) => r.cells.length));
  const [lo, hi] = map.xDomain;
  const column = (x: number) => Math.round(((x - lo) / (hi - lo)) * (width - 1));
  const lines = [chalk.bold(map.title), chalk.dim(map.yLabel)];
  map.rows.forEach((row, r) => {
    const cells = row.cells.map((c) => paint(map.classes[c]!, map.classes[c]!.glyph));
    // the overlays' glyphs, the first overlay on top; the cell is the one containing x
    for (const o of [...(map.overlays ?? [])].reverse()) {
      const x = o.xs[r];
      if (x === null || x === undefined || !(x >= lo && x <= hi)) continue;
      cells[Math.min(row.cells.length - 1, Math.floor(((x - lo) / (hi - lo)) * row.cells.length))] = chalk.bold(
        o.glyph,
      );
    }
    lines.push(`${row.label.padStart(labelWidth)} │${cells.join('')}`);
  });
  lines.push(
    ...xAxisLines(ticks(map.xDomain, 'linear', Math.max(2, Math.floor(width / 12))), column, width, labelWidth),
  );
  lines.push(`${' '.repeat(labelWidth + 2)}${chalk.dim(map.xLabel)}`);
  // the legend, wrapped to the width of the picture
  const entries = map.classes.map((c) => ({
    text: `${paint(c, c.glyph.repeat(2))} ${c.label}`,
    length: 3 + c.label.length,
  }));
  const room = Math.max(60, width);
  for (let line = '', used = 0, k = 0; k <= entries.length; k++) {
    const e = entries[k];
    if (!e || (used > 0 && used + 3 + e.length > room)) {
      lines.push(`${' '.repeat(labelWidth + 2)}${line}`);
      [line, used] = ['', 0];
      if (!e) break;
    }
    line += `${used > 0 ? '   ' : ''}${e.text}`;
    used += (used > 0 ? 3 : 0) + e.length;
  }
  for (const o of map.overlays ?? []) lines.push(`${' '.repeat(labelWidth + 2)}${chalk.bold(o.glyph)}  ${o.label}`);
  return `${lines.join('\n')}\n`;
}
