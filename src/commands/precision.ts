import { Option, type Command } from 'commander';
import { DTYPES, type DType } from '../precision/dtype.js';
import { FRAMEWORK_MEANING, FRAMEWORKS, unsupported, type Framework } from '../precision/frameworks.js';
import { DEFAULT_TOLERANCE, measureSample, type Measured, type Problem } from '../precision/measure.js';
import type { EmulationInput } from '../precision/frameworks.js';
import type { Column, Row } from '../output/index.js';
import { UsageError } from '../cli/errors.js';
import { oneOf } from '../cli/values.js';
import { InvalidArgumentError } from 'commander';

/** --as and --dtype, shared by compare and loss: a framework's formula in a dtype next to the exact value. */
export interface PrecisionOptionValues {
  as?: Framework[];
  dtype?: DType;
}

/** Comma-separated frameworks; the option may repeat. */
function frameworkList(text: string, previous: Framework[] | undefined): Framework[] {
  const out = [...(previous ?? [])];
  for (const part of text.split(',')) {
    const name = part.trim();
    if (!(FRAMEWORKS as readonly string[]).includes(name))
      throw new InvalidArgumentError(`"${name}" is not a framework; choose from ${FRAMEWORKS.join(', ')}.`);
    if (!out.includes(name as Framework)) out.push(name as Framework);
  }
  return out;
}

export const PRECISION_HELP = `
Frameworks (--as, several give side-by-side columns; --dtype rounds after every operation):
${FRAMEWORKS.map((f) => `  ${f.padEnd(12)}${FRAMEWORK_MEANING[f]}`).join('\n')}
Each framework's CE, FL and (--grad) gradient with respect to the input, its error against
the exact value at the same input (in ulps of the dtype, and relative) and a flag: NaN, ±Inf,
0 where the exact value is not, or off by more than 1%. '--as exact --dtype float16' is the
exact value rounded once: the best a float16 computation can do.
`;

export function addPrecisionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--as <frameworks>',
      `emulate a framework's formula: ${FRAMEWORKS.join(', ')} (comma list; repeatable)`,
      frameworkList,
    )
    .addOption(
      new Option(
        '--dtype <t>',
        `the dtype the framework computes in: ${DTYPES.join(', ')} (default float32 with --as)`,
      ).argParser(oneOf(DTYPES, 'a dtype')),
    );
}

export interface Precision {
  frameworks: Framework[];
  dtype: DType;
}

/** The frameworks and dtype asked for, or null when neither --as nor --dtype was given. */
export function precisionOf(o: PrecisionOptionValues): Precision | null {
  if (!o.as && !o.dtype) return null;
  return { frameworks: o.as ?? ['exact'], dtype: o.dtype ?? 'float32' };
}

/** One clear error for an input some framework asked for cannot take. */
export function checkPrecision(
  p: Precision,
  kind: 'logit' | 'p' | 'pt',
  ys: readonly number[],
  alphas: readonly (number | null)[],
  smoothing: number,
): void {
  for (const fw of p.frameworks) {
    for (const y of ys) {
      for (const alpha of alphas) {
        const why = unsupported(fw, p.dtype, kind, y, alpha, smoothing);
        if (why) throw new UsageError(`option '--as' ${fw}: ${why}`);
      }
    }
  }
}

const PROBLEM_TEXT: Readonly<Record<Problem, string>> = {
  NaN: 'NaN',
  '+Inf': '+Inf',
  '-Inf': '−Inf',
  zero: '0',
  off: '>1%',
};

/** A problem as a flag shows it ('' for none). */
export function flagText(problem: Problem | null): string {
  return problem ? PROBLEM_TEXT[problem] : '';
}

/** Column keys of a framework; `exact` in a dtype is the exact value rounded, e.g. exact_float16_fl. */
function prefixOf(fw: Framework, dtype: DType): string {
  return fw === 'exact' ? `exact_${dtype}` : fw;
}

/** The columns: the input as the dtype holds it, the exact values, then each framework's. */
export function precisionColumns(
  p: Precision,
  o: { kind: 'logit' | 'p'; grad: boolean; gamma: boolean; alpha: boolean; smoothing: boolean },
): Column[] {
  const cols: Column[] = [
    { key: o.kind, label: o.kind === 'logit' ? 'logit' : 'p' },
    { key: 'input', label: `in ${p.dtype}` },
    { key: 'y', label: 'y' },
  ];
  if (o.smoothing) cols.push({ key: 'y_smoothed', label: 'y smoothed' });
  cols.push({ key: 'gamma', label: 'γ', table: o.gamma }, { key: 'alpha', label: 'α', table: o.alpha });
  cols.push({ key: 'exact_ce', label: 'CE exact' }, { key: 'exact_fl', label: 'FL exact' });
  if (o.grad)
    cols.push(
      { key: 'exact_grad', label: `dFL/d${o.kind === 'logit' ? 'x' : 'p'} exact` },
      { key: 'exact_grad_ce', label: 'dCE exact', table: false },
    );
  for (const fw of p.frameworks) {
    const name = prefixOf(fw, p.dtype);
    const quantities: [string, string, boolean][] = [
      ['ce', 'CE', false],
      ['fl', 'FL', true],
    ];
    if (o.grad) quantities.push(['grad', 'dFL', true], ['grad_ce', 'dCE', false]);
    for (const [key, label, ulpsInTable] of quantities) {
      cols.push({ key: `${name}_${key}`, label: `${name} ${label}`, table: key !== 'grad_ce' });
      cols.push({ key: `${name}_${key}_ulps`, label: `${label} ulps`, table: ulpsInTable });
      cols.push({ key: `${name}_${key}_rel`, label: `${label} rel. err.`, table: false });
    }
    cols.push({ key: `${name}_flag`, label: `${name} flag`, kind: 'text' });
  }
  return cols;
}

/** One row: every framework measured on one input. */
export function precisionRow(
  p: Precision,
  input: EmulationInput,
  extra: { gamma: number; alpha: number | null; grad: boolean },
): Row {
  const row: Record<string, number | string | null> = {};
  const measures = p.frameworks.map((fw) => measureSample(fw, p.dtype, input, DEFAULT_TOLERANCE));
  const first = measures[0]!;
  row[input.kind] = input.value;
  row.input = first.input;
  row.y = input.y;
  if (input.smoothing) row.y_smoothed = first.y;
  Object.assign(row, { gamma: extra.gamma, alpha: extra.alpha, exact_ce: first.ce.exact, exact_fl: first.fl.exact });
  if (extra.grad) Object.assign(row, { exact_grad: first.grad.exact, exact_grad_ce: first.gradCe.exact });
  p.frameworks.forEach((fw, k) => {
    const m = measures[k]!;
    const name = prefixOf(fw, p.dtype);
    const entries: [string, string, Measured][] = [
      ['ce', 'CE', m.ce],
      ['fl', 'FL', m.fl],
    ];
    if (extra.grad) entries.push(['grad', 'grad', m.grad], ['grad_ce', 'dCE', m.gradCe]);
    const flags: string[] = [];
    for (const [key, label, v] of entries) {
      // a framework's NaN is data here (the output layer refuses a numeric NaN as a bug): the string "NaN"
      row[`${name}_${key}`] = v.value !== v.value ? 'NaN' : v.value;
      row[`${name}_${key}_ulps`] = v.ulps;
      row[`${name}_${key}_rel`] = v.relative;
      if (v.problem) flags.push(`${label} ${PROBLEM_TEXT[v.problem]}`);
    }
    row[`${name}_flag`] = flags.join(', ');
  });
  return row;
}
