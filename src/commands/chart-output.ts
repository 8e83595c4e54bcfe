import type { Heatmap } from '../output/chart/heatmap.js';
import type { Chart } from '../output/chart/model.js';
import type { Report } from '../output/index.js';
import { isPageFile, type CommandContext } from './shared.js';

/**
 * Where a charting command's picture goes: --out FILE.svg|png, the terminal (--chart), or, for
 * the commands that read predictions, --out FILE.html: the whole report as one offline page.
 * Kept out of shared.ts, which the browser page bundles: these reach the file system.
 */

/** The chart options every charting command takes. */
export interface ChartOutputOptions {
  out?: string;
  width?: number;
  height?: number;
  force?: boolean;
  color?: boolean;
}

/** Shows a chart: written to --out (.svg or .png, 800×500 by default), else drawn in the terminal. */
export async function showChart(ctx: CommandContext, chart: Chart, opts: ChartOutputOptions): Promise<void> {
  const { chartToFile, chartToTerminal } = await import('../output/chart/index.js');
  if (opts.out) {
    ctx.stderr.write(
      `focal: ${await chartToFile(chart, opts.out, { width: opts.width ?? 800, height: opts.height ?? 500, force: opts.force ?? false })}\n`,
    );
    return;
  }
  ctx.write(
    await chartToTerminal(chart, {
      width: opts.width ?? ctx.columns(),
      height: opts.height ?? 24,
      color: ctx.color(opts.color),
    }),
  );
}

/**
 * --out FILE.html: `report` (every table: rows and sections), its chart (null: none) and a
 * heatmap above it (sweep) as one page, headed by `rowsTitle`; else the chart as showChart shows it. `report` is the one the
 * page shows, whatever --rows chose for CSV.
 */
export async function showChartOrPage(
  ctx: CommandContext,
  report: Report,
  chart: Chart | null,
  opts: ChartOutputOptions,
  rowsTitle: string,
  heatmap: Heatmap | null = null,
): Promise<void> {
  if (opts.out !== undefined && isPageFile(opts.out)) {
    const { writeReportPage } = await import('../page/report-page.js');
    ctx.stderr.write(
      `focal: ${await writeReportPage(opts.out, report, chart, { force: opts.force ?? false, rowsTitle, heatmap })}\n`,
    );
    return;
  }
  if (!chart) throw new Error('a chart was asked for, but the report has none');
  await showChart(ctx, chart, opts);
}
