import { InvalidArgumentError, Option, type Command } from 'commander';
import { CURVE_KINDS, CURVE_MEANING, type CurveKind } from '../core/index.js';
import { figureChart, figureCurves, type FigureSpec } from './plot-chart.js';
import type { Report, Row } from '../output/index.js';
import {
  chartToFile,
  chartToTerminal,
  doublesBetween,
  MAX_SERIES,
  MIN_AXIS_DOUBLES,
  type Scale,
} from '../output/chart/index.js';
import {
  gammas as gammaList,
  alphas as alphaList,
  integerIn,
  numberIn,
  oneOf,
  parseNumber,
  pictureFile,
} from '../cli/values.js';
import { LOG_BASES, outputFormat } from '../cli/options.js';
import { UsageError } from '../cli/errors.js';
import type { LogBase } from '../core/index.js';
import { alphaText, captionOf, checkPictureOptions, type CommandContext } from './shared.js';

const FORMATS = ['chart', 'json', 'csv', 'tsv', 'ndjson'] as const;

interface PlotOptions {
  gamma?: number[];
  alpha?: (number | null)[];
  logBase?: LogBase;
  kind?: CurveKind;
  yScale?: Scale;
  x?: [number, number];
  yMax?: number;
  width?: number;
  height?: number;
  out?: string;
  force?: boolean;
  format?: (typeof FORMATS)[number];
  json?: boolean;
  color?: boolean;
  samples?: number;
}

const EXAMPLES = `
Draws the loss against p_t (the probability of the true class, for a positive), one curve per
γ: the focal-loss paper's Figure 1 by default (γ = 0, 0.5, 1, 2, 5, no α). In the terminal
(colour on a TTY; every curve has its own glyph), or --out FILE.svg / FILE.png. --format
json|csv|tsv|ndjson gives the sampled curves as data instead.

Kinds:
${CURVE_KINDS.map((k) => `  ${k.padEnd(7)}${CURVE_MEANING[k]}`).join('\n')}

Examples:
  $ focal plot
  $ focal plot --kind ratio --y-scale log --gamma 1,2,5
  $ focal plot --kind grad --alpha 0.25 --out grad.svg
  $ focal plot --x 0.5:1 --kind weight --out weight.png --width 1200 --height 750
  $ focal plot --format csv > curves.csv
`;

function xRange(text: string): [number, number] {
  const parts = text.split(':');
  if (parts.length !== 2) throw new InvalidArgumentError(`"${text}" is not a range FROM:TO of p_t, e.g. 0.5:1.`);
  const [a, b] = parts.map((p) => parseNumber(p, 'p_t is a number in [0, 1]')) as [number, number];
  if (!(a >= 0 && b <= 1 && a < b)) throw new InvalidArgumentError(`"${text}" needs 0 ≤ FROM < TO ≤ 1.`);
  const doubles = doublesBetween(a, b);
  if (doubles < MIN_AXIS_DOUBLES) {
    throw new InvalidArgumentError(
      `"${text}" is ${doubles} double${doubles === 1 ? '' : 's'} wide; a range needs at least ${MIN_AXIS_DOUBLES} to be sampled and drawn.`,
    );
  }
  return [a, b];
}

/** Below the smallest normal double an axis from 0 has too few doubles to draw on. */
const SMALLEST_NORMAL = 2 ** -1022;
const yTop = numberIn(
  SMALLEST_NORMAL,
  Infinity,
  'the top of the y axis is a number ≥ 2.2250738585072014e-308, the smallest normal double',
  '[)',
);

/**
 * Most points a chart holds, all curves together: each costs ~200 bytes on the way to the
 * picture (16 curves of 10^6 took 3.5 GB and 6 minutes). Data formats stream, without limit.
 */
const MAX_CHART_POINTS = 1_000_000;

/** The terminal chart's height without --height: 14 lines of plot, whatever the legend takes. */
const TERMINAL_PLOT_LINES = 14;

export function registerPlot(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('plot')
    .description('Loss curves against p_t, one per γ: in the terminal, as an SVG or PNG file, or as data.')
    .option(
      '--gamma <list>',
      `γ values, one curve each (default 0,0.5,1,2,5; at most ${MAX_SERIES} in a chart)`,
      gammaList,
    )
    .option('--alpha <α>', 'α ∈ [0, 1] or "none" (default none, as in the paper\'s Figure 1)', alphaList)
    .addOption(
      new Option('--log-base <b>', 'logarithm base: e, 2 or 10 (default e)').argParser(oneOf(LOG_BASES, 'a log base')),
    )
    .addOption(
      new Option('--kind <k>', `${CURVE_KINDS.join(', ')} (default loss)`).argParser(
        oneOf(CURVE_KINDS, 'a curve kind'),
      ),
    )
    .addOption(
      new Option('--y-scale <s>', 'linear or log (default linear; log for ratio)').argParser(
        oneOf(['linear', 'log'] as const, 'a scale'),
      ),
    )
    .option('--x <from:to>', `the range of p_t (default 0:1), at least ${MIN_AXIS_DOUBLES} doubles wide`, xRange)
    .option('--y-max <v>', 'clip the y axis at this value (default 5 for loss, as in the paper; else the data)', yTop)
    .option(
      '--width <n>',
      "width: characters in the terminal (default: the terminal's), pixels in a file (default 800)",
      integerIn(20, 10000),
    )
    .option(
      '--height <n>',
      'height: lines in the terminal (default 24, one more per curve past 5), pixels in a file (default 500)',
      integerIn(10, 10000),
    )
    .option(
      '--samples <n>',
      `points per curve in data and files (default 400; a chart holds at most ${MAX_CHART_POINTS.toLocaleString('en-US')} in all)`,
      integerIn(2, 1_000_000),
    )
    .option('--out <file>', 'write the picture to a file: .svg or .png', pictureFile)
    .option('--force', 'replace a file or symbolic link at --out (the link, not what it points to)')
    .addOption(
      new Option('--format <f>', `${FORMATS.join(', ')} (default chart)`).argParser(oneOf(FORMATS, 'a plot format')),
    )
    .option('--json', 'shorthand for --format json')
    .option('--no-color', 'no colour in the terminal chart');
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (opts: PlotOptions) => {
    const kind = opts.kind ?? 'loss';
    const gammas = opts.gamma ?? [0, 0.5, 1, 2, 5];
    const alphas = opts.alpha ?? [null];
    if (alphas.length !== 1) throw new UsageError("option '--alpha' takes one value in 'plot'.");
    const alpha = alphas[0]!;
    const base = opts.logBase ?? 'e';
    const yScale: Scale = opts.yScale ?? (kind === 'ratio' ? 'log' : 'linear');
    const [from, to] = opts.x ?? [0, 1];
    const format = outputFormat(opts, 'chart');
    checkPictureOptions(opts);
    if (format === 'chart' && gammas.length > MAX_SERIES) {
      throw new UsageError(
        `option '--gamma' gives ${gammas.length} curves; a chart draws at most ${MAX_SERIES}, each in its own style. Give fewer, or --format csv (or tsv, ndjson, json) for the data.`,
      );
    }
    const terminal = format === 'chart' && opts.out === undefined;
    const width = opts.width ?? (terminal ? ctx.columns() : 800);
    const samples = opts.samples ?? (terminal ? Math.max(200, width * 4) : 400);
    if (format === 'chart' && gammas.length * samples > MAX_CHART_POINTS) {
      const fits = Math.floor(MAX_CHART_POINTS / gammas.length);
      throw new UsageError(
        `option '--samples' ${samples} × ${gammas.length} curves is ${(samples * gammas.length).toLocaleString('en-US')} points; a chart holds at most ${MAX_CHART_POINTS.toLocaleString('en-US')} (--samples ${fits} here). A data format (--format csv…) streams any number.`,
      );
    }
    const spec: FigureSpec = { kind, gammas, alpha, base, yScale, x: [from, to], samples, yMax: opts.yMax };
    const params = { kind, gammas, alpha, log_base: base, x: [from, to], y_scale: yScale };

    if (format !== 'chart') {
      // one curve at a time, streamed: any number of γ takes the memory of one curve
      function* rows(): Generator<Row> {
        for (const gamma of gammas)
          for (const [pt, value] of figureCurves({ ...spec, gammas: [gamma] })[0]!.points) yield { gamma, pt, value };
      }
      const points = gammas.length * samples;
      const report: Report = {
        command: 'plot',
        params,
        caption: captionOf({ kind, α: alphaText(alpha), 'log base': base }),
        columns: [
          { key: 'gamma', label: 'γ' },
          { key: 'pt', label: 'p_t' },
          { key: 'value', label: kind },
        ],
        rows: rows(),
        rowCount: points,
        summary: () => ({ curves: gammas.length, points }),
      };
      return ctx.emit(report, { format, color: false });
    }

    const curves = figureCurves(spec);
    const chart = figureChart(spec, curves);
    if (opts.out !== undefined) {
      ctx.stderr.write(
        `focal: ${await chartToFile(chart, opts.out, { width, height: opts.height ?? 500, force: opts.force ?? false })}\n`,
      );
      return;
    }
    // title, y label, x axis, tick labels and x label take 5 lines; the legend one per curve
    const height = opts.height ?? TERMINAL_PLOT_LINES + 5 + curves.length;
    ctx.write(await chartToTerminal(chart, { width, height, color: ctx.color(opts.color) }));
  });
}
