import { normalise, ticks, type Chart } from './model.js';

/**
 * A standalone SVG: title, axis labels, ticks with grid lines, one line per series (a
 * colour-blind-safe palette, Okabe & Ito 2008, and a dash pattern each, so a grey print
 * still tells them apart) and a legend. No external resources; text in a common sans font.
 */

const SVG_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#F0E442'];
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '1 2', '12 4', '6 2 2 2'];
const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

/**
 * Series s: colour s mod 8 and a dash pattern shifted by one every eight series, so that the
 * first 64 series (MAX_SERIES is fewer) each get their own pair.
 */
function styleOf(s: number): string {
  const dash = DASHES[(s + Math.floor(s / SVG_COLOURS.length)) % DASHES.length];
  return `stroke="${SVG_COLOURS[s % SVG_COLOURS.length]}"${dash ? ` stroke-dasharray="${dash}"` : ''}`;
}

export function renderSvg(chart: Chart, width: number, height: number): string {
  // the legend sits right of the plot: as wide as its longest label (≈ 7.6 px a character at 13 px)
  const legendWidth = 38 + Math.ceil(chart.series.reduce((n, s) => Math.max(n, s.label.length), 0) * 7.6);
  const margin = { top: 48, right: 30 + legendWidth, bottom: 56, left: 72 };
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const X = (x: number) => margin.left + normalise(x, chart.xDomain, chart.xScale) * w;
  const Y = (y: number) => margin.top + (1 - normalise(y, chart.yDomain, chart.yScale)) * h;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`);
  out.push(`<title>${escape(chart.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="plot"><rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}"/></clipPath></defs>`);
  out.push(`<text x="${margin.left + w / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">${escape(chart.title)}</text>`);
  // grid and ticks
  out.push('<g class="x-ticks" font-size="12" fill="#333333">');
  for (const t of ticks(chart.xDomain, chart.xScale, 8)) {
    const x = fmt(X(t.value));
    out.push(`<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + h}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x}" y1="${margin.top + h}" x2="${x}" y2="${margin.top + h + 5}" stroke="#333333"/>`);
    out.push(`<text x="${x}" y="${margin.top + h + 19}" text-anchor="middle">${escape(t.label)}</text>`);
  }
  out.push('</g><g class="y-ticks" font-size="12" fill="#333333">');
  for (const t of ticks(chart.yDomain, chart.yScale, 6)) {
    const y = fmt(Y(t.value));
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + w}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${margin.left - 5}" y1="${y}" x2="${margin.left}" y2="${y}" stroke="#333333"/>`);
    out.push(`<text x="${margin.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escape(t.label)}</text>`);
  }
  out.push('</g>');
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}" fill="none" stroke="#333333"/>`);
  out.push(`<text x="${margin.left + w / 2}" y="${height - 14}" text-anchor="middle" font-size="14">${escape(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(20 ${margin.top + h / 2}) rotate(-90)" text-anchor="middle" font-size="14">${escape(chart.yLabel)}</text>`);
  // series
  out.push('<g clip-path="url(#plot)" fill="none" stroke-width="2.2" stroke-linejoin="round">');
  const [top, bottom] = [margin.top, margin.top + h];
  chart.series.forEach((series, s) => {
    // Polylines of the line segments that cross the plot's height: the rest is clipped anyway,
    // and a clipped group whose content lies wholly far off the picture makes resvg (PNG) abort.
    const lines: string[][] = [];
    let line: string[] = [];
    let previous: { text: string; py: number } | null = null;
    for (const [x, y] of series.points) {
      const drawable = Number.isFinite(y) && (chart.yScale === 'linear' || y > 0) && x >= chart.xDomain[0] && x <= chart.xDomain[1];
      // keep far-off values finite so that clipping, not overflow, cuts the line
      const point = drawable ? { text: '', py: Math.max(-10 * height, Math.min(11 * height, Y(y))) } : null;
      if (point) point.text = `${fmt(X(x))},${fmt(point.py)}`;
      const crosses = previous && point && Math.min(previous.py, point.py) <= bottom && Math.max(previous.py, point.py) >= top;
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
    const attrs = `class="series" data-label="${escape(series.label)}" ${styleOf(s)}`;
    out.push(`<g ${attrs}>${lines.map((g) => `<polyline points="${g.join(' ')}"/>`).join('')}</g>`);
  });
  out.push('</g>');
  // legend
  const lx = margin.left + w + 18;
  out.push(`<g class="legend" font-size="13">`);
  chart.series.forEach((series, s) => {
    const y = margin.top + 10 + s * 22;
    out.push(`<line x1="${lx}" y1="${y}" x2="${lx + 30}" y2="${y}" ${styleOf(s)} stroke-width="2.2"/>`);
    out.push(`<text x="${lx + 38}" y="${y}" dominant-baseline="middle">${escape(series.label)}</text>`);
  });
  out.push('</g></svg>');
  return `${out.join('\n')}\n`;
}
