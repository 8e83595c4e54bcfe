import type { Chart } from './model.js';
import type { Heatmap } from './heatmap.js';
import { writeNewFile } from '../files.js';

export {
  domainOf,
  doublesBetween,
  MAX_SERIES,
  MIN_AXIS_DOUBLES,
  normalise,
  PICTURE_EXTENSIONS,
  ticks,
  type BinnedSeries,
  type Chart,
  type ChartBin,
  type Scale,
  type Series,
  type Tick,
} from './model.js';
export type { Heatmap, HeatClass } from './heatmap.js';

/** Where a chart goes: the terminal (text) or a file (.svg or .png). Renderers load lazily. */
export async function chartToTerminal(
  chart: Chart,
  options: { width: number; height: number; color: boolean },
): Promise<string> {
  const { renderTerminalChart } = await import('./terminal.js');
  return renderTerminalChart(chart, options);
}

/** Writes the chart to `path` (.svg or .png, by extension); returns a one-line description. */
export async function chartToFile(
  chart: Chart,
  path: string,
  options: { width: number; height: number; force: boolean },
): Promise<string> {
  const { renderSvg } = await import('./svg.js');
  return writeSvg(renderSvg(chart, options.width, options.height), path, options);
}

/** Writes a picture's SVG text to `path`: as it is for .svg, rasterised for .png. */
async function writeSvg(
  svg: string,
  path: string,
  options: { width: number; height: number; force: boolean },
): Promise<string> {
  if (path.toLowerCase().endsWith('.png')) {
    const { svgToPng } = await import('./png.js');
    writeNewFile(path, svgToPng(svg, options.width), options.force);
    return `wrote ${path} (PNG, ${options.width}×${options.height})`;
  }
  writeNewFile(path, svg, options.force);
  return `wrote ${path} (SVG, ${options.width}×${options.height})`;
}

/** A heatmap in the terminal, or written to `path` (.svg or .png) like a chart. */
export async function heatmapToTerminal(map: Heatmap, options: { color: boolean }): Promise<string> {
  const { renderHeatmapTerminal } = await import('./heatmap.js');
  return renderHeatmapTerminal(map, options);
}

export async function heatmapToFile(
  map: Heatmap,
  path: string,
  options: { width: number; height: number; force: boolean },
): Promise<string> {
  const { renderHeatmapSvg } = await import('./heatmap-svg.js');
  return writeSvg(renderHeatmapSvg(map, options.width, options.height), path, options);
}
