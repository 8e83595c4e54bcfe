import { InvalidArgumentError, Option, type Command } from 'commander';
import { DTYPES, rounderOf, type DType } from '../precision/dtype.js';
import { FRAMEWORKS, unsupported, type Framework } from '../precision/frameworks.js';
import { measureSample, PROBLEM_MEANING, type Problem } from '../precision/measure.js';
import { stabilityIntervals, type Quantity } from '../precision/stability.js';
import type { Report, Row } from '../output/index.js';
import {
  heatmapToFile,
  heatmapToTerminal,
  PICTURE_EXTENSIONS,
  type HeatClass,
  type Heatmap,
} from '../output/chart/index.js';
import { addOutputOptions, type OutputOptionValues } from '../cli/options.js';
import {
  alphas as alphaList,
  gammas as gammaList,
  integerIn,
  labels,
  numberIn,
  oneOf,
  parseNumber,
} from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import { alphaText, captionOf, type CommandContext } from './shared.js';

interface StabilityOptions extends OutputOptionValues {
  as?: Framework[];
  dtype?: DType[];
  gamma?: number[];
  alpha?: (number | null)[];
  y?: number[];
  logit?: [number, number];
  p?: [number, number];
  tolerance?: number;
  heatmap?: Quantity;
  out?: string;
  force?: boolean;
  width?: number;
  height?: number;
}

const EXAMPLES = `
For each framework × dtype × γ × α × label, the intervals of the input where the framework's
focal loss or its gradient is NaN, ±Infinity, 0 where the exact value is not, or off by more
than the tolerance (relative), against focal's exact value at the same input. float16 and
bfloat16 are scanned value by value (every value of the dtype in the range: complete and
exact); float32 and float64 are probed at ~6,000 points and every change between two probes
is bisected down to two adjacent values of the dtype (exact boundaries; a run narrower than
the probe spacing can be missed). Runs of one problem separated only by good stretches are
one interval; "share" is the part of it that has the problem.

--heatmap loss|grad draws logit × γ instead, coloured by the error class (one framework,
dtype, α and label), in the terminal or --out FILE.svg|.png.

Examples:
  $ focal stability --as torchvision --dtype float16 --gamma 0.5,2 --y 1
  $ focal stability --as torchvision,mmcv --dtype float16 --gamma 2 --y 1 --format json
  $ focal stability --as keras --dtype bfloat16 --p 0:1 --y 0
  $ focal stability --as mmcv --dtype float16 --y 1 --heatmap grad --out mmcv-fp16.svg
`;

function frameworks(text: string, previous: Framework[] | undefined): Framework[] {
  const out = [...(previous ?? [])];
  for (const name of text.split(',').map((s) => s.trim())) {
    if (!(FRAMEWORKS as readonly string[]).includes(name) || name === 'exact') {
      throw new InvalidArgumentError(
        `"${name}" is not a framework to scan; choose from ${FRAMEWORKS.filter((f) => f !== 'exact').join(', ')}.`,
      );
    }
    if (!out.includes(name as Framework)) out.push(name as Framework);
  }
  return out;
}

function dtypes(text: string, previous: DType[] | undefined): DType[] {
  const out = [...(previous ?? [])];
  for (const name of text.split(',').map((s) => s.trim())) {
    if (!(DTYPES as readonly string[]).includes(name))
      throw new InvalidArgumentError(`"${name}" is not a dtype; choose from ${DTYPES.join(', ')}.`);
    if (!out.includes(name as DType)) out.push(name as DType);
  }
  return out;
}

function range(what: 'logit' | 'p') {
  return (text: string): [number, number] => {
    const parts = text.split(':');
    if (parts.length !== 2)
      throw new InvalidArgumentError(`"${text}" is not a range FROM:TO, e.g. ${what === 'logit' ? '-20:20' : '0:1'}.`);
    const [a, b] = parts.map((s) => parseNumber(s, `the range's ends are numbers`)) as [number, number];
    if (!(a < b)) throw new InvalidArgumentError(`"${text}" needs FROM < TO.`);
    if (what === 'p' && !(a >= 0 && b <= 1)) throw new InvalidArgumentError(`"${text}" needs 0 ≤ FROM < TO ≤ 1.`);
    return [a, b];
  };
}

const PROBLEM_TEXT: Readonly<Record<Problem, string>> = {
  NaN: 'NaN',
  '+Inf': '+Inf',
  '-Inf': '−Inf',
  zero: '0',
  off: 'off',
};

const COLUMNS = [
  { key: 'framework', label: 'framework', kind: 'text' },
  { key: 'dtype', label: 'dtype', kind: 'text' },
  { key: 'gamma', label: 'γ' },
  { key: 'alpha', label: 'α' },
  { key: 'y', label: 'y' },
  { key: 'quantity', label: 'of', kind: 'text' },
  { key: 'problem', label: 'problem', kind: 'text' },
  { key: 'from', label: 'from' },
  { key: 'to', label: 'to' },
  { key: 'share', label: 'share' },
  { key: 'worst', label: 'worst rel. err.' },
] as const;

export function registerStability(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('stability')
    .description(
      "Where a framework's focal loss and gradient break in a dtype: intervals of NaN, ±Inf, 0 and large errors, or a logit × γ heatmap.",
    )
    .option(
      '--as <frameworks>',
      `frameworks to scan: ${FRAMEWORKS.filter((f) => f !== 'exact').join(', ')} (comma list; default torchvision)`,
      frameworks,
    )
    .option('--dtype <list>', `${DTYPES.join(', ')} (comma list; default float32,float16,bfloat16)`, dtypes)
    .option(
      '--gamma <list>',
      'γ values (comma list or range; default 0,0.5,1,2,5, or 0:5:0.25 for --heatmap)',
      gammaList,
    )
    .option('--alpha <list>', 'α values or "none" (default 0.25)', alphaList)
    .option('--y <list>', 'labels 0, 1 or soft (default 0,1)', labels)
    .option('--logit <from:to>', 'the logit range to scan (default -100:100)', range('logit'))
    .option('--p <from:to>', 'scan probabilities instead (keras, tfa, naive)', range('p'))
    .option(
      '--tolerance <r>',
      'relative error above which a value is "off" (default 0.01)',
      numberIn(0, Infinity, 'the tolerance is a number > 0', '()'),
    )
    .addOption(
      new Option('--heatmap <of>', 'draw logit × γ for loss or grad instead of the table').argParser(
        oneOf(['loss', 'grad'] as const, 'loss or grad'),
      ),
    )
    .option('--out <file>', `with --heatmap: write it to a file (${PICTURE_EXTENSIONS.join(' or ')})`)
    .option('--force', 'replace --out if it exists')
    .option('--width <n>', 'heatmap width: cells in the terminal, pixels in a file (default 800)', integerIn(20, 10000))
    .option('--height <n>', 'heatmap height in pixels in a file (default 500)', integerIn(10, 10000));
  addOutputOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (opts: StabilityOptions) => {
    if (opts.logit && opts.p) throw new UsageError('stability scans one input: give --logit or --p, not both.');
    const kind = opts.p ? 'p' : 'logit';
    const [from, to] = opts.p ?? opts.logit ?? [-100, 100];
    const fws = opts.as ?? ['torchvision'];
    const dts = opts.dtype ?? ['float32', 'float16', 'bfloat16'];
    const alphas = opts.alpha ?? [0.25];
    const ys = opts.y ?? [0, 1];
    const tolerance = opts.tolerance ?? 0.01;
    if (opts.out && !opts.heatmap)
      throw new UsageError("option '--out' writes a heatmap; give --heatmap loss or --heatmap grad.");
    if (opts.heatmap) {
      if (opts.format || opts.json)
        throw new UsageError(
          "option '--heatmap' draws a picture; --format/--json give the intervals as data. Give one.",
        );
      if (fws.length !== 1 || dts.length !== 1 || alphas.length !== 1 || ys.length !== 1) {
        throw new UsageError(
          'a heatmap shows one framework, one dtype, one α and one label; give one of each (--as, --dtype, --alpha, --y).',
        );
      }
    }
    const gammas = opts.gamma ?? (opts.heatmap ? Array.from({ length: 21 }, (_, i) => i / 4) : [0, 0.5, 1, 2, 5]);
    for (const fw of fws)
      for (const dt of dts)
        for (const y of ys)
          for (const a of alphas) {
            const why = unsupported(fw, dt, kind, y, a, 0);
            if (why) throw new UsageError(`option '--as' ${fw} with --dtype ${dt}: ${why}`);
          }
    if (opts.heatmap)
      return drawHeatmap(ctx, opts, {
        fw: fws[0]!,
        dtype: dts[0]!,
        alpha: alphas[0]!,
        y: ys[0]!,
        gammas,
        kind,
        from,
        to,
        tolerance,
        quantity: opts.heatmap,
      });

    const rows: Row[] = [];
    for (const fw of fws)
      for (const dtype of dts)
        for (const gamma of gammas)
          for (const alpha of alphas)
            for (const y of ys) {
              const found = stabilityIntervals({ framework: fw, dtype, kind, gamma, alpha, y, from, to, tolerance });
              const base = { framework: fw, dtype, gamma, alpha, y };
              for (const quantity of ['loss', 'grad'] as const) {
                const mine = found.filter((i) => i.quantity === quantity);
                if (mine.length === 0)
                  rows.push({ ...base, quantity, problem: 'none', from, to, share: 0, worst: null });
                for (const i of mine)
                  rows.push({
                    ...base,
                    quantity,
                    problem: PROBLEM_TEXT[i.problem],
                    from: i.from,
                    to: i.to,
                    share: i.share,
                    worst: i.worst,
                  });
              }
            }
    const report: Report = {
      command: 'stability',
      params: { prediction: kind, as: fws, dtypes: dts, gammas, alphas, y: ys, from, to, tolerance },
      caption: captionOf({
        [kind]: `${from} … ${to}`,
        tolerance: String(tolerance),
        α: alphas.map(alphaText).join(', '),
      }),
      columns: COLUMNS.map((c) => ({ ...c })),
      rows,
      rowCount: rows.length,
      summary: () => ({ intervals: rows.filter((r) => r.problem !== 'none').length }),
      notes: [
        `problems: ${(Object.keys(PROBLEM_MEANING) as Problem[]).map((p) => `${PROBLEM_TEXT[p]} = ${PROBLEM_MEANING[p]}`).join('; ')}`,
        'from/to are values of the dtype; float16/bfloat16 scanned exhaustively, float32/float64 probed and bisected',
      ],
    };
    await ctx.emit(report, opts);
  });
}

const HEAT_CLASSES: readonly (HeatClass & { key: string })[] = [
  { key: 'fine', label: '≤ 1 ulp (or correctly rounded)', colour: '#f7fcf5', glyph: ' ', terminal: 'white' },
  { key: 'small', label: '≤ 16 ulps', colour: '#a1d99b', glyph: '.', terminal: 'green' },
  { key: 'tol', label: '> 16 ulps, within tolerance', colour: '#fdd49e', glyph: ':', terminal: 'yellow' },
  { key: 'off', label: 'error > tolerance', colour: '#fc8d59', glyph: 'o', terminal: 'yellow' },
  { key: 'zero', label: '0 (exact is not)', colour: '#6baed6', glyph: '0', terminal: 'blue' },
  { key: 'inf', label: '±Infinity', colour: '#d7301f', glyph: 'I', terminal: 'red' },
  { key: 'nan', label: 'NaN', colour: '#000000', glyph: 'N', terminal: 'magenta' },
];

async function drawHeatmap(
  ctx: CommandContext,
  opts: StabilityOptions,
  h: {
    fw: Framework;
    dtype: DType;
    alpha: number | null;
    y: number;
    gammas: number[];
    kind: 'logit' | 'p';
    from: number;
    to: number;
    tolerance: number;
    quantity: Quantity;
  },
): Promise<void> {
  if (opts.out && !PICTURE_EXTENSIONS.some((e) => opts.out!.toLowerCase().endsWith(e))) {
    throw new UsageError(`option '--out' ${JSON.stringify(opts.out)}: the file name must end in .svg or .png.`);
  }
  const cellsWide = opts.out ? Math.min(opts.width ?? 800, 800) : Math.max(20, (opts.width ?? ctx.columns()) - 8);
  const round = rounderOf(h.dtype);
  const index = (key: string) => HEAT_CLASSES.findIndex((c) => c.key === key);
  // top row: the largest γ, as a y axis reads
  const rows = [...h.gammas].reverse().map((gamma) => {
    const cells: number[] = [];
    for (let i = 0; i < cellsWide; i++) {
      const v = round(h.from + ((h.to - h.from) * (i + 0.5)) / cellsWide);
      const m = measureSample(h.fw, h.dtype, { kind: h.kind, value: v, y: h.y, gamma, alpha: h.alpha }, h.tolerance);
      const q = h.quantity === 'loss' ? m.fl : m.grad;
      const key =
        q.problem === 'NaN'
          ? 'nan'
          : q.problem === '+Inf' || q.problem === '-Inf'
            ? 'inf'
            : q.problem === 'zero'
              ? 'zero'
              : q.problem === 'off'
                ? 'off'
                : q.ulps <= 1 || q.value === round(q.exact)
                  ? 'fine'
                  : q.ulps <= 16
                    ? 'small'
                    : 'tol';
      cells.push(index(key));
    }
    return { label: `γ = ${gamma}`, cells };
  });
  const map: Heatmap = {
    title: `${h.fw}, ${h.dtype}: ${h.quantity === 'loss' ? 'focal loss' : 'dFL/d' + (h.kind === 'logit' ? 'x' : 'p')} against exact (α = ${alphaText(h.alpha)}, y = ${h.y})`,
    xLabel: h.kind === 'logit' ? 'logit x' : 'p',
    yLabel: 'γ',
    xDomain: [h.from, h.to],
    classes: HEAT_CLASSES,
    rows,
  };
  if (opts.out) {
    ctx.stderr.write(
      `focal: ${await heatmapToFile(map, opts.out, { width: opts.width ?? 800, height: opts.height ?? 500, force: opts.force ?? false })}\n`,
    );
    return;
  }
  ctx.write(await heatmapToTerminal(map, { color: ctx.color(opts.color) }));
}
