import { normalise, ticks, type Chart } from './model.js';

/**
 * A standalone SVG: title, axis labels, ticks with grid lines, one line per series (a
 * colour-blind-safe palette, Okabe & Ito 2008, and a dash pattern each, so a grey print
 * still tells them apart) and a legend. No external resources; text in a common sans font.
 *
 * The picture is built as a tree of elements (svgTree) and then either written as text
 * (renderSvg, for files) or built as DOM nodes by the explorer page (src/page/dom.ts), which
 * sets every attribute and text with setAttribute/textContent: labels are never parsed as markup.
 */

export const SVG_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#F0E442'];
export const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '1 2', '12 4', '6 2 2 2'];
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** One SVG element: its attributes, and either child elements or a text. */
export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number>;
  children?: SvgNode[];
  text?: string;
}

export const el = (tag: string, attrs: SvgNode['attrs'], children?: SvgNode[], text?: string): SvgNode => ({
  tag,
  attrs,
  ...(children ? { children } : {}),
  ...(text !== undefined ? { text } : {}),
});

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

/**
 * Series s: colour s mod 8 and a dash pattern shifted by one every eight series, so that the
 * first 64 series (MAX_SERIES is fewer) each get their own pair.
 */
function styleOf(s: number): SvgNode['attrs'] {
  const dash = DASHES[(s + Math.floor(s / SVG_COLOURS.length)) % DASHES.length];
  return { stroke: SVG_COLOURS[s % SVG_COLOURS.length]!, ...(dash ? { 'stroke-dasharray': dash } : {}) };
}

/** The histogram strip of bin counts under a reliability diagram: its height, and its bars' tallest. */
const STRIP = 80;
const STRIP_BAR = 36;
const GAP_LEGEND = 'gap (shaded: confidence − accuracy)';

/** Where the plot area lies in a chart of this size, and the maps from data to pixels. */
export function layoutOf(chart: Chart, width: number, height: number) {
  // the legend sits right of the plot: as wide as its longest label (≈ 7.6 px a character at 13 px)
  const labels = [...chart.series.map((s) => s.label), ...(chart.bins?.length ? [GAP_LEGEND] : [])];
  const legendWidth = 38 + Math.ceil(labels.reduce((n, l) => Math.max(n, l.length), 0) * 7.6);
  const strip = chart.bins?.length ? STRIP : 0;
  const margin = { top: 48, right: 30 + legendWidth, bottom: 56 + strip, left: 72 };
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const X = (x: number) => margin.left + normalise(x, chart.xDomain, chart.xScale) * w;
  const Y = (y: number) => margin.top + (1 - normalise(y, chart.yDomain, chart.yScale)) * h;
  return { margin, w, h, X, Y, strip };
}

/** Series s's colour. */
const colourOf = (s: number) => SVG_COLOURS[s % SVG_COLOURS.length]!;

/**
 * A reliability diagram's bins: each non-empty bin's gap shaded between the series' accuracy
 * and the mean confidence (the diagonal), and its count as a bar (with the number) in a strip
 * below the x axis; several series side by side within a bin, each in its colour.
 */
function binNodes(chart: Chart, layout: ReturnType<typeof layoutOf>): { gaps: SvgNode; counts: SvgNode } {
  const { margin, w, h, X, Y } = layout;
  const sets = chart.bins ?? [];
  const most = Math.max(1, ...sets.flatMap((set) => set.bins.map((b) => b.count)));
  const stripBottom = margin.top + h + 44 + STRIP;
  const gaps: SvgNode[] = [];
  const counts: SvgNode[] = [
    el('line', { x1: margin.left, y1: stripBottom, x2: margin.left + w, y2: stripBottom, stroke: '#333333' }),
    el(
      'text',
      {
        class: 'axis-label',
        transform: `translate(20 ${stripBottom - STRIP / 2 + 6}) rotate(-90)`,
        'text-anchor': 'middle',
        'font-size': 12,
      },
      undefined,
      'samples',
    ),
  ];
  sets.forEach((set, k) => {
    const label = chart.series[set.series]?.label ?? '';
    for (const b of set.bins) {
      if (b.count === 0) continue;
      // a bin of one value (confidence exactly 1) gets a few pixels, left of its edge
      const [left, right] = b.to > b.from ? [X(b.from), X(b.to)] : [X(b.from) - 4 * sets.length, X(b.from)];
      const width = (right - left) / sets.length;
      const x = left + k * width;
      const gap = b.reference - b.value;
      const title = `${label}: confidence ${b.from}–${b.to}, ${b.count} samples, gap ${gap}`;
      const [y1, y2] = [Y(b.value), Y(b.reference)].sort((a, c) => a - c) as [number, number];
      gaps.push(
        el(
          'rect',
          {
            class: 'gap',
            'data-gap': String(gap),
            x: fmt(x),
            y: fmt(y1),
            width: fmt(width),
            height: fmt(y2 - y1),
            fill: colourOf(set.series),
          },
          [el('title', {}, undefined, title)],
        ),
      );
      const barHeight = Math.max(1, (b.count / most) * STRIP_BAR);
      counts.push(
        el(
          'rect',
          {
            class: 'count-bar',
            'data-count': b.count,
            x: fmt(x + 0.5),
            y: fmt(stripBottom - barHeight),
            width: fmt(Math.max(1, width - 1)),
            height: fmt(barHeight),
            fill: colourOf(set.series),
          },
          [el('title', {}, undefined, title)],
        ),
      );
      counts.push(
        el(
          'text',
          {
            class: 'count',
            transform: `translate(${fmt(x + width / 2)} ${fmt(stripBottom - barHeight - 3)}) rotate(-90)`,
            'dominant-baseline': 'middle',
          },
          undefined,
          String(b.count),
        ),
      );
    }
  });
  return {
    gaps: el('g', { class: 'gaps', 'clip-path': 'url(#plot)', 'fill-opacity': 0.28 }, gaps),
    counts: el('g', { class: 'counts', 'font-size': 10, fill: '#333333' }, counts),
  };
}

export function svgTree(chart: Chart, width: number, height: number): SvgNode {
  const layout = layoutOf(chart, width, height);
  const { margin, w, h, X, Y } = layout;
  const binned = chart.bins?.length ? binNodes(chart, layout) : null;
  const root: SvgNode[] = [];
  root.push(el('title', {}, undefined, chart.title));
  root.push(el('rect', { class: 'background', width, height, fill: '#ffffff' }));
  root.push(
    el('defs', {}, [
      el('clipPath', { id: 'plot' }, [el('rect', { x: margin.left, y: margin.top, width: w, height: h })]),
    ]),
  );
  root.push(
    el(
      'text',
      {
        class: 'title',
        x: margin.left + w / 2,
        y: 28,
        'text-anchor': 'middle',
        'font-size': 17,
        'font-weight': 'bold',
      },
      undefined,
      chart.title,
    ),
  );
  // grid and ticks
  const xTicks: SvgNode[] = [];
  for (const t of ticks(chart.xDomain, chart.xScale, 8)) {
    const x = fmt(X(t.value));
    xTicks.push(el('line', { class: 'grid', x1: x, y1: margin.top, x2: x, y2: margin.top + h, stroke: '#e5e5e5' }));
    xTicks.push(el('line', { x1: x, y1: margin.top + h, x2: x, y2: margin.top + h + 5, stroke: '#333333' }));
    xTicks.push(el('text', { x, y: margin.top + h + 19, 'text-anchor': 'middle' }, undefined, t.label));
  }
  root.push(el('g', { class: 'x-ticks', 'font-size': 12, fill: '#333333' }, xTicks));
  const yTicks: SvgNode[] = [];
  for (const t of ticks(chart.yDomain, chart.yScale, 6)) {
    const y = fmt(Y(t.value));
    yTicks.push(el('line', { class: 'grid', x1: margin.left, y1: y, x2: margin.left + w, y2: y, stroke: '#e5e5e5' }));
    yTicks.push(el('line', { x1: margin.left - 5, y1: y, x2: margin.left, y2: y, stroke: '#333333' }));
    yTicks.push(
      el('text', { x: margin.left - 8, y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, undefined, t.label),
    );
  }
  root.push(el('g', { class: 'y-ticks', 'font-size': 12, fill: '#333333' }, yTicks));
  root.push(
    el('rect', { class: 'frame', x: margin.left, y: margin.top, width: w, height: h, fill: 'none', stroke: '#333333' }),
  );
  root.push(
    el(
      'text',
      {
        class: 'axis-label',
        x: margin.left + w / 2,
        // above the strip of bin counts, which shares the x axis
        y: layout.strip ? margin.top + h + 40 : height - 14,
        'text-anchor': 'middle',
        'font-size': 14,
      },
      undefined,
      chart.xLabel,
    ),
  );
  root.push(
    el(
      'text',
      {
        class: 'axis-label',
        transform: `translate(20 ${margin.top + h / 2}) rotate(-90)`,
        'text-anchor': 'middle',
        'font-size': 14,
      },
      undefined,
      chart.yLabel,
    ),
  );
  if (binned) root.push(binned.gaps, binned.counts);
  // series
  const [top, bottom] = [margin.top, margin.top + h];
  const series = chart.series.map((s, k) => {
    // Polylines of the line segments that cross the plot's height: the rest is clipped anyway,
    // and a clipped group whose content lies wholly far off the picture makes resvg (PNG) abort.
    const lines: string[][] = [];
    let line: string[] = [];
    let previous: { text: string; py: number } | null = null;
    for (const [x, y] of s.points) {
      const drawable =
        Number.isFinite(y) && (chart.yScale === 'linear' || y > 0) && x >= chart.xDomain[0] && x <= chart.xDomain[1];
      // keep far-off values finite so that clipping, not overflow, cuts the line
      const point = drawable ? { text: '', py: Math.max(-10 * height, Math.min(11 * height, Y(y))) } : null;
      if (point) point.text = `${fmt(X(x))},${fmt(point.py)}`;
      const crosses =
        previous && point && Math.min(previous.py, point.py) <= bottom && Math.max(previous.py, point.py) >= top;
      if (crosses) {
        if (line.length === 0) line.push(previous!.text);
        line.push(point!.text);
      } else if (line.length) {
        lines.push(line);
        line = [];
      }
      previous = point;
    }
    if (line.length) lines.push(line);
    return el(
      'g',
      { class: 'series', 'data-label': s.label, ...styleOf(k) },
      lines.map((g) => el('polyline', { points: g.join(' ') })),
    );
  });
  root.push(
    el('g', { 'clip-path': 'url(#plot)', fill: 'none', 'stroke-width': 2.2, 'stroke-linejoin': 'round' }, series),
  );
  // legend
  const lx = margin.left + w + 18;
  const legend = chart.series.flatMap((s, k) => {
    const y = margin.top + 10 + k * 22;
    return [
      el('line', { x1: lx, y1: y, x2: lx + 30, y2: y, ...styleOf(k), 'stroke-width': 2.2 }),
      el('text', { x: lx + 38, y, 'dominant-baseline': 'middle' }, undefined, s.label),
    ];
  });
  if (binned) {
    const y = margin.top + 10 + chart.series.length * 22;
    legend.push(
      el('rect', { x: lx, y: y - 7, width: 30, height: 14, fill: '#777777', 'fill-opacity': 0.28 }),
      el('text', { x: lx + 38, y, 'dominant-baseline': 'middle' }, undefined, GAP_LEGEND),
    );
  }
  root.push(el('g', { class: 'legend', 'font-size': 13 }, legend));
  return el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': FONT },
    root,
  );
}

/** An SVG node as XML text: attributes and texts escaped. */
export function svgText(node: SvgNode): string {
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escape(String(v))}"`)
    .join('');
  if (node.text !== undefined) return `<${node.tag}${attrs}>${escape(node.text)}</${node.tag}>`;
  if (!node.children?.length) return `<${node.tag}${attrs}/>`;
  return `<${node.tag}${attrs}>\n${node.children.map(svgText).join('\n')}\n</${node.tag}>`;
}

export function renderSvg(chart: Chart, width: number, height: number): string {
  return `${svgText(svgTree(chart, width, height))}\n`;
}
