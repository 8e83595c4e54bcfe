import { InvalidArgumentError, Option, type Command } from 'commander';
import { CURVE_KINDS, CURVE_MEANING, type CurveKind } from '../core/index.js';
import { figureChart, figureCurves, type FigureSpec } from './plot-chart.js';
import type { Report, Row } from '../output/index.js';
import { chartToFile, chartToTerminal, PICTURE_EXTENSIONS, type Scale } from '../output/chart/index.js';
import { gammas as gammaList, alphas as alphaList, integerIn, numberIn, oneOf, parseNumber } from '../cli/values.js';
import { LOG_BASES } from '../cli/options.js';
import { UsageError } from '../cli/errors.js';
import type { LogBase } from '../core/index.js';
import { alphaText, captionOf, type CommandContext } from './shared.js';

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
  return [a, b];
}

const positive = numberIn(0, Infinity, 'the top of the y axis is a number > 0', '()');

export function registerPlot(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('plot')
    .description('Loss curves against p_t, one per γ: in the terminal, as an SVG or PNG file, or as data.')
    .option('--gamma <list>', 'γ values, one curve each (default 0,0.5,1,2,5)', gammaList)
    .option('--alpha <α>', 'α ∈ [0, 1] or "none" (default none, as in the paper\'s Figure 1)', alphaList)
    .addOption(new Option('--log-base <b>', 'logarithm base: e, 2 or 10 (default e)').argParser(oneOf(LOG_BASES, 'a log base')))
    .addOption(new Option('--kind <k>', `${CURVE_KINDS.join(', ')} (default loss)`).argParser(oneOf(CURVE_KINDS, 'a curve kind')))
    .addOption(new Option('--y-scale <s>', 'linear or log (default linear; log for ratio)').argParser(oneOf(['linear', 'log'] as const, 'a scale')))
    .option('--x <from:to>', 'the range of p_t (default 0:1)', xRange)
    .option('--y-max <v>', 'clip the y axis at this value (default 5 for loss, as in the paper; else the data)', positive)
    .option('--width <n>', 'width: characters in the terminal (default: the terminal\'s), pixels in a file (default 800)', integerIn(20, 10000))
    .option('--height <n>', 'height: lines in the terminal (default 24), pixels in a file (default 500)', integerIn(10, 10000))
    .option('--samples <n>', 'points per curve in data and files (default 400)', integerIn(2, 1_000_000))
    .option('--out <file>', `write the picture to a file: ${PICTURE_EXTENSIONS.join(' or ')}`)
    .option('--force', 'replace --out if it exists')
    .addOption(new Option('--format <f>', `${FORMATS.join(', ')} (default chart)`).argParser(oneOf(FORMATS, 'a plot format')))
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
    const format = opts.json ? 'json' : (opts.format ?? 'chart');
    if (opts.out && format !== 'chart') throw new UsageError(`option '--out' writes a picture; --format ${format} writes data to stdout. Give one.`);
    if (opts.out && !PICTURE_EXTENSIONS.some((e) => opts.out!.toLowerCase().endsWith(e))) {
      throw new UsageError(`option '--out' ${JSON.stringify(opts.out)}: the file name must end in .svg or .png.`);
    }
    const terminal = format === 'chart' && !opts.out;
    const width = opts.width ?? (terminal ? ctx.columns() : 800);
    const samples = opts.samples ?? (terminal ? Math.max(200, width * 4) : 400);
    const spec: FigureSpec = { kind, gammas, alpha, base, yScale, x: [from, to], samples, yMax: opts.yMax };
    const curves = figureCurves(spec);
    const params = { kind, gamma: gammas, alpha, log_base: base, x: [from, to], y_scale: yScale };

    if (format !== 'chart') {
      const rows: Row[] = curves.flatMap((c) => c.points.map(([pt, value]) => ({ gamma: c.gamma, pt, value })));
      const report: Report = {
        command: 'plot',
        params,
        caption: captionOf({ kind, α: alphaText(alpha), 'log base': base }),
        columns: [
          { key: 'gamma', label: 'γ' },
          { key: 'pt', label: 'p_t' },
          { key: 'value', label: kind },
        ],
        rows,
        rowCount: rows.length,
        summary: () => ({ curves: curves.length, points: rows.length }),
      };
      return ctx.emit(report, { format, color: false });
    }

    const chart = figureChart(spec, curves);
    if (opts.out) {
      ctx.stderr.write(`focal: ${await chartToFile(chart, opts.out, { width, height: opts.height ?? 500, force: opts.force ?? false })}\n`);
      return;
    }
    ctx.write(await chartToTerminal(chart, { width, height: opts.height ?? 24, color: ctx.color(opts.color) }));
  });
}
