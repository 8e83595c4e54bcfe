import { Chalk } from 'chalk';
import { ticks } from './model.js';
import { xAxisLines } from './terminal.js';

/**
 * A heatmap as data: rows (one per γ, say) of cells along a linear x axis, each cell one of a
 * few named classes. Drawn in the terminal (a glyph per class, coloured on a TTY, so it reads
 * without colour too) and as SVG (heatmap-svg.ts; PNG through the same SVG), like the line charts.
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
