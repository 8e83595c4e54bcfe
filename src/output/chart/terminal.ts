import { Chalk } from 'chalk';
import { MAX_SERIES, normalise, ticks, type Chart, type ChartBin, type Tick } from './model.js';

/**
 * A chart in character cells: y tick labels and axis on the left, x ticks and label below,
 * one glyph (and, on a terminal, one colour) per series, and a legend. Readable without colour:
 * every series has its own glyph. Steep stretches are drawn as vertical runs so that curves
 * stay connected.
 */

/** One glyph per series, MAX_SERIES of them (then they repeat). */
const GLYPHS = ['*', 'o', '+', 'x', '#', '@', '%', '&', '=', '~', '$', '^', '?', '!', 'v', 'z'].slice(0, MAX_SERIES);
const COLOURS = ['cyan', 'yellow', 'green', 'magenta', 'red', 'blue', 'white', 'gray'] as const;
/** a reliability diagram's gap cells (one shade per series, so they read without colour), and its count bars */
const GAPS = ['░', '▒', '▓'];
const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export interface TerminalOptions {
  width: number;
  height: number;
  color: boolean;
}

export function renderTerminalChart(chart: Chart, options: TerminalOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const yTicks = ticks(chart.yDomain, chart.yScale, Math.max(2, Math.floor(options.height / 4)));
  const labelWidth = yTicks.reduce((n, t) => Math.max(n, t.label.length), 0);
  const plotWidth = Math.max(10, options.width - labelWidth - 2);
  const legendLines = chart.series.length;
  // title, y label, x axis, x tick labels, x label and the legend take the rest of the height
  const plotHeight = Math.max(5, options.height - 5 - legendLines);
  const grid: (string | null)[][] = Array.from({ length: plotHeight }, () =>
    new Array<string | null>(plotWidth).fill(null),
  );
  const column = (x: number) => Math.round(normalise(x, chart.xDomain, chart.xScale) * (plotWidth - 1));
  // rows above and below the plot are -1 and plotHeight: a value far off the axis (1e300 on an
  // axis to 1e-8) must not become a run of a billion rows
  const row = (y: number) =>
    Math.min(
      plotHeight,
      Math.max(-1, plotHeight - 1 - Math.round(normalise(y, chart.yDomain, chart.yScale) * (plotHeight - 1))),
    );

  chart.series.forEach((series, s) => {
    const glyph = GLYPHS[s % GLYPHS.length]!;
    const paint = (text: string) =>
      (chalk as unknown as Record<string, (t: string) => string>)[COLOURS[s % COLOURS.length]!]!(text);
    // one value per column: the point nearest the column's centre
    const byColumn = new Map<number, number>();
    for (const [x, y] of series.points) {
      if (x < chart.xDomain[0] || x > chart.xDomain[1] || !Number.isFinite(y)) continue;
      if (chart.yScale === 'log' && !(y > 0)) continue;
      const r = row(y);
      if (!Number.isNaN(r)) byColumn.set(column(x), r); // NaN: a domain that cannot place it
    }
    let previous: number | null = null;
    for (let c = 0; c < plotWidth; c++) {
      const r = byColumn.get(c);
      if (r === undefined) {
        previous = null;
        continue;
      }
      // from just past the previous column's row to this one: a connected vertical run
      const step: number = previous === null || previous === r ? 0 : r > previous ? 1 : -1;
      for (let k: number = step === 0 ? r : previous! + step; ; k += step) {
        if (k >= 0 && k < plotHeight) grid[k]![c] = paint(glyph);
        if (k === r || step === 0) break;
      }
      previous = r;
    }
  });

  const paintOf = (s: number) =>
    (chalk as unknown as Record<string, (t: string) => string>)[COLOURS[s % COLOURS.length]!]!;
  // a reliability diagram's gaps: the cells between each bin's accuracy and mean confidence, under the lines
  const sets = chart.bins ?? [];
  const binColumns = (b: ChartBin, k: number): [number, number] => {
    const [c0, c1] = b.to > b.from ? [column(b.from), column(b.to)] : [column(b.from), column(b.from) + 1];
    const n = Math.max(1, c1 - c0);
    return [c0 + Math.floor((n * k) / sets.length), c0 + Math.max(1, Math.floor((n * (k + 1)) / sets.length))];
  };
  sets.forEach((set, k) => {
    for (const b of set.bins) {
      if (b.count === 0) continue;
      const [r0, r1] = [row(b.value), row(b.reference)].sort((a, c) => a - c) as [number, number];
      const [c0, c1] = binColumns(b, k);
      for (let r = Math.max(0, r0); r <= Math.min(plotHeight - 1, r1); r++)
        for (let c = c0; c < Math.min(c1, plotWidth); c++) grid[r]![c] ??= paintOf(set.series)(GAPS[k % GAPS.length]!);
    }
  });

  const lines: string[] = [chalk.bold(chart.title), chalk.dim(chart.yLabel)];
  const tickRows = new Map(yTicks.map((t) => [row(t.value), t.label]));
  for (let r = 0; r < plotHeight; r++) {
    const label = tickRows.get(r);
    const axis = label === undefined ? '│' : '┤';
    lines.push(`${(label ?? '').padStart(labelWidth)} ${axis}${grid[r]!.map((cell) => cell ?? ' ').join('')}`);
  }
  lines.push(
    ...xAxisLines(
      ticks(chart.xDomain, chart.xScale, Math.max(2, Math.floor(plotWidth / 12))),
      column,
      plotWidth,
      labelWidth,
    ),
  );
  lines.push(`${' '.repeat(labelWidth + 2)}${chalk.dim(chart.xLabel)}`);
  // the bins' counts: a strip of bars per series, under the bins they count
  const most = Math.max(1, ...sets.flatMap((set) => set.bins.map((b) => b.count)));
  sets.forEach((set, k) => {
    const strip = new Array<string>(plotWidth).fill(' ');
    for (const b of set.bins) {
      if (b.count === 0) continue;
      const level = Math.max(0, Math.ceil((b.count / most) * BARS.length) - 1);
      const [c0, c1] = binColumns(b, k);
      for (let c = c0; c < Math.min(c1, plotWidth); c++) strip[c] = paintOf(set.series)(BARS[level]!);
    }
    // the series' glyph in the label column says whose counts these are
    lines.push(`${GLYPHS[set.series % GLYPHS.length]!.padStart(labelWidth)}  ${strip.join('')}`);
  });
  if (sets.length) {
    const shades = sets.map((set, k) => paintOf(set.series)(GAPS[k % GAPS.length]!)).join('');
    lines.push(
      `${' '.repeat(labelWidth + 2)}${shades} gap (confidence − accuracy); ${BARS[0]}${BARS[3]}${BARS[7]} samples per bin (highest ${most})`,
    );
  }
  chart.series.forEach((series, s) => {
    const paint = paintOf(s);
    lines.push(
      `${' '.repeat(labelWidth + 2)}${paint(`${GLYPHS[s % GLYPHS.length]!}${GLYPHS[s % GLYPHS.length]!}${GLYPHS[s % GLYPHS.length]!}`)} ${series.label}`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The x axis under a plot `width` columns wide, right of `labelWidth` columns of y labels: the
 * line with a tick mark per tick, and the tick labels centred below, skipping any that would
 * touch a neighbour. Shared by the line chart and the heatmap.
 */
export function xAxisLines(
  xTicks: readonly Tick[],
  column: (x: number) => number,
  width: number,
  labelWidth: number,
): [string, string] {
  const axis = new Array<string>(width).fill('─');
  const labels = new Array<string>(width + labelWidth + 2).fill(' ');
  for (const t of xTicks) {
    const c = column(t.value);
    if (c < 0 || c >= width) continue;
    axis[c] = '┬';
    const start = Math.min(
      Math.max(0, labelWidth + 2 + c - Math.floor(t.label.length / 2)),
      labels.length - t.label.length,
    );
    if (labels.slice(start - 1, start + t.label.length + 1).every((ch) => ch === ' ' || ch === undefined)) {
      for (let i = 0; i < t.label.length; i++) labels[start + i] = t.label[i]!;
    }
  }
  return [`${' '.repeat(labelWidth)} └${axis.join('')}`, labels.join('').trimEnd()];
}
