/**
 * Columns → samples: which columns hold the prediction and the target, and what shape a sample
 * has. The one place where the values are checked (a prediction in range, a label a label);
 * every error names the file, the row (a text file's line and column) and the value.
 *
 * Shapes:
 * - binary: one prediction per row (p, logit or p_t) and a label y ∈ [0, 1] (soft labels allowed,
 *   except with p_t);
 * - softmax: a vector of K ≥ 2 scores per row (logits or probabilities) and a class index;
 * - sigmoid: a row of C one-vs-rest scores (torchvision's sigmoid_focal_loss on [N, C]) with
 *   either a row of C targets in [0, 1] (one-hot / multi-hot) or a class index per row, where an
 *   index outside 0…C−1 is background (every target 0, as mmdet and detectron2 write it) and the
 *   ignore label skips the row (counted).
 */
import type { BinaryInputKind, CategoricalInputKind } from '../core/index.js';
import { UsageError } from '../errors.js';
import type { Column, ColumnBatch, NumericArray } from './columns.js';

/** The ignore label of a sigmoid row's class index unless told otherwise (−1 and C are background). */
export const DEFAULT_IGNORE_LABEL = -2;

export type Layout =
  | { shape: 'binary'; input: BinaryInputKind; prediction: string; label: string }
  | { shape: 'softmax'; input: CategoricalInputKind; prediction: string; target: string }
  | { shape: 'sigmoid'; input: 'logit' | 'p'; prediction: string; target: string; ignoreLabel: number };

interface Rows {
  /** the first row's index in the whole input (for messages) */
  rowStart: number;
  rows: number;
}

export type SampleBatch =
  | (Rows & { shape: 'binary'; input: BinaryInputKind; value: NumericArray; label: NumericArray })
  | (Rows & {
      shape: 'softmax';
      input: CategoricalInputKind;
      classes: number;
      scores: NumericArray;
      target: NumericArray;
    })
  | (Rows & {
      shape: 'sigmoid';
      input: 'logit' | 'p';
      classes: number;
      scores: NumericArray;
      /** 'rows': C targets per row; 'index': a class index per row */
      targetForm: 'rows' | 'index';
      target: NumericArray;
      ignoreLabel: number;
    });

/** How a vector of scores becomes probabilities: one softmax over the row, or a sigmoid per element (one-vs-rest). */
export type Activation = 'softmax' | 'sigmoid';
export const ACTIVATIONS: readonly Activation[] = ['softmax', 'sigmoid'];

/** What a prediction column holds, by the role names of --columns and CSV headers. */
export type PredictionKind = 'p' | 'logit' | 'pt' | 'probs' | 'logits';

/**
 * The layout for a prediction of the given kind: p, logit and pt are binary and probs, logits
 * a softmax vector, unless an activation says otherwise (then p/probs and logit/logits are the
 * same thing: probabilities or logits, one per class).
 */
export function layoutOf(
  kind: PredictionKind,
  prediction: string,
  target: string,
  activation: Activation | undefined,
  ignoreLabel = DEFAULT_IGNORE_LABEL,
): Layout {
  const logits = kind === 'logit' || kind === 'logits';
  if (activation === undefined) {
    if (kind === 'probs' || kind === 'logits') return { shape: 'softmax', input: kind, prediction, target };
    return { shape: 'binary', input: kind, prediction, label: target };
  }
  if (kind === 'pt')
    throw new UsageError(
      `--activation ${activation} takes scores of every class (p or logit columns); p_t is one number per sample`,
    );
  if (activation === 'softmax') return { shape: 'softmax', input: logits ? 'logits' : 'probs', prediction, target };
  return { shape: 'sigmoid', input: logits ? 'logit' : 'p', prediction, target, ignoreLabel };
}

/**
 * The rules of a binary sample (and of each element of a sigmoid row), the same for files, the
 * command line (cli/values.ts) and the library (index.ts): p and p_t in [0, 1]; a logit any
 * number but NaN (±∞ are p = 1 and p = 0).
 */
export function isBinaryPrediction(input: BinaryInputKind, v: number): boolean {
  return input === 'logit' ? v === v : v >= 0 && v <= 1;
}

/** A binary label: in [0, 1] (a soft label), and 0 or 1 with p_t (defined per class only). */
export function isBinaryLabel(input: BinaryInputKind, y: number): boolean {
  return input === 'pt' ? y === 0 || y === 1 : y >= 0 && y <= 1;
}

/** The columns a layout reads, for decoders that read only what is needed. */
export function columnsOf(layout: Layout): string[] {
  return [layout.prediction, layout.shape === 'binary' ? layout.label : layout.target];
}

function column(batch: ColumnBatch, name: string, file: string): Column {
  const c = batch.columns[name];
  if (!c)
    throw new UsageError(
      `${file}: no column '${name}' (there are ${Object.keys(batch.columns)
        .map((k) => `'${k}'`)
        .join(', ')})`,
    );
  return c;
}

/**
 * The rules a value can break. Every input format is checked by the same rules (checkRows
 * below); only the wording of the message depends on where the value came from (a text file's
 * line and header name, or a binary file's row).
 */
type Rule =
  /** binary p or p_t, sigmoid p: a probability in [0, 1] */
  | 'unit'
  /** binary and sigmoid logits: any number but NaN (±∞ are p = 1 and 0) */
  | 'number'
  /** softmax logits: finite */
  | 'finiteLogit'
  /** softmax probabilities: ≥ 0, normalised by their sum */
  | 'nonNegative'
  /** softmax probabilities: the row's sum, positive and finite */
  | 'sum'
  /** binary label in [0, 1] (soft labels allowed) */
  | 'label'
  /** binary label with p_t: 0 or 1 */
  | 'hardLabel'
  /** softmax target: an integer in 0…K−1 */
  | 'classIndex'
  /** sigmoid class index: an integer (outside 0…C−1: background) or the ignore label */
  | 'sigmoidIndex'
  /** sigmoid row of targets: each in [0, 1] */
  | 'target'
  /** a further rule of the caller's on the label (the --loss variants' domains) */
  | 'extra';

/** One broken rule: in which row, which element of the prediction (−1: the target) and what value. */
interface Problem {
  row: number;
  element: number;
  value: number;
  rule: Rule;
  /** the extra rule's words */
  detail?: string;
}

/** Where a text file's rows came from: each row's line, each slot's header name, and whether bad rows are skipped. */
export interface TextFrame {
  /** the line of each row of the batch */
  lines: ArrayLike<number>;
  /** header names: the prediction's K columns (or its one), then the target's */
  names: readonly string[];
  /** set with --skip-invalid: bad rows are dropped and logged here instead of stopping the run */
  skip: SkipLog | null;
  /**
   * without skip: the first bad row's error, set by layoutBatch, which then returns the rows
   * before it (whole and valid, e.g. for streamed per-sample rows); the caller throws it after
   */
  error?: InvalidRecord | null;
}

/** Rows skipped as invalid (--skip-invalid): how many, and the first SKIPPED_ROWS_SHOWN with why. */
export interface SkipLog {
  skipped: number;
  rows: SkippedRow[];
}

/** A record skipped by --skip-invalid: its line and why. */
export interface SkippedRow {
  line: number;
  detail: string;
}

/** Skipped records that are reported with their reason (the rest are only counted). */
export const SKIPPED_ROWS_SHOWN = 5;

/** A text record that is not a valid sample: the file, its line and why. */
export class InvalidRecord extends UsageError {
  constructor(
    readonly line: number,
    readonly detail: string,
    source: string,
  ) {
    super(`${source}:${line}: ${detail}`);
  }
}

/** Logs a bad record, or stops the run when rows are not skipped. */
export function rejectRecord(skip: SkipLog | null, source: string, line: number, detail: string): void {
  if (!skip) throw new InvalidRecord(line, detail, source);
  skip.skipped++;
  if (skip.rows.length < SKIPPED_ROWS_SHOWN) skip.rows.push({ line, detail });
}

/** A problem in a text file's words: "column p: 1.5 is outside [0, 1]". */
function textWords(p: Problem, names: readonly string[], classes: number, ignoreLabel: number): string {
  const name = names[p.element < 0 ? names.length - 1 : p.element];
  const v = p.value;
  switch (p.rule) {
    case 'unit':
      return `column ${name}: ${v} is ${classes > 1 ? 'not a probability in [0, 1]' : 'outside [0, 1]'}`;
    case 'number':
      return `column ${name}: ${v} is not a number`;
    case 'finiteLogit':
      return `column ${name}: ${v} is not a finite logit`;
    case 'nonNegative':
      return `column ${name}: ${v} is not a probability ≥ 0`;
    case 'sum':
      return `the probabilities sum to ${v}; they need a positive, finite sum`;
    case 'label':
      return `column ${name}: ${v} is not a label in [0, 1]`;
    case 'hardLabel':
      return `column ${name}: ${v} is not a label 0 or 1`;
    case 'classIndex':
      return `column ${name}: ${v} is not a class index 0 to ${classes - 1}`;
    case 'sigmoidIndex':
      return `column ${name}: ${v} is not a class index (0 to ${classes - 1} a class, others background, ${ignoreLabel} ignored)`;
    case 'target':
      return `column ${name}: ${v} is not a target in [0, 1]`;
    case 'extra':
      return `column ${name}: ${p.detail!}`;
  }
}

/** The rules broken by a label or target (named by its own file in the two-file form). */
const TARGET_RULES: ReadonlySet<Problem['rule']> = new Set([
  'label',
  'hardLabel',
  'classIndex',
  'sigmoidIndex',
  'target',
  'extra',
]);

/** A problem in a binary file's words: "row 12: p = 1.5 is not in [0, 1]". */
function rowWords(p: Problem, input: string, classes: number, ignoreLabel: number): string {
  const v = p.value;
  switch (p.rule) {
    case 'unit':
      return `${input} = ${v} is not in [0, 1]`;
    case 'number':
      return `${input} = ${v} is not a number`;
    case 'finiteLogit':
      return `score ${v} is not a finite logit`;
    case 'nonNegative':
      return `score ${v} is not a probability ≥ 0`;
    case 'sum':
      return `the probabilities sum to ${v}; they need a positive, finite sum`;
    case 'label':
      return `label ${v} is not in [0, 1]`;
    case 'hardLabel':
      return `label ${v} is not 0 or 1 (p_t needs hard labels)`;
    case 'classIndex':
      return `class index ${v} is not an integer in 0…${classes - 1}`;
    case 'sigmoidIndex':
      return `class index ${v} is not an integer (0…${classes - 1} a class, others background, ${ignoreLabel} ignored)`;
    case 'target':
      return `target ${v} is not in [0, 1]`;
    case 'extra':
      return `label ${v}: ${p.detail!}`;
  }
}

/**
 * The first problem of row r, or null: the one set of rules every format is checked by.
 * @param extra  a further rule on a binary label (returns what is wrong, or null)
 */
function problemOf(
  layout: Layout,
  r: number,
  prediction: NumericArray,
  classes: number,
  target: NumericArray,
  indexForm: boolean,
  extra: ((y: number) => string | null) | null,
): Problem | null {
  const bad = (element: number, value: number, rule: Rule, detail?: string): Problem => ({
    row: r,
    element,
    value,
    rule,
    detail,
  });
  if (layout.shape === 'binary') {
    const v = prediction[r]!;
    const y = target[r]!;
    if (!isBinaryPrediction(layout.input, v)) return bad(0, v, layout.input === 'logit' ? 'number' : 'unit');
    if (!isBinaryLabel(layout.input, y)) return bad(-1, y, layout.input === 'pt' ? 'hardLabel' : 'label');
    const detail = extra?.(y);
    return detail ? bad(-1, y, 'extra', detail) : null;
  }
  const from = r * classes;
  if (layout.shape === 'softmax') {
    const t = target[r]!;
    if (!(Number.isInteger(t) && t >= 0 && t < classes)) return bad(-1, t, 'classIndex');
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const x = prediction[from + j]!;
      if (layout.input === 'logits' ? !Number.isFinite(x) : !(x >= 0 && x <= Infinity))
        return bad(j, x, layout.input === 'logits' ? 'finiteLogit' : 'nonNegative');
      sum += x;
    }
    return layout.input === 'probs' && !(sum > 0 && sum < Infinity) ? bad(-1, sum, 'sum') : null;
  }
  if (indexForm) {
    const t = target[r]!;
    if (t === layout.ignoreLabel) return null; // skipped and counted by the evaluation, whatever its scores
    if (!Number.isInteger(t)) return bad(-1, t, 'sigmoidIndex');
  }
  for (let j = 0; j < classes; j++) {
    const x = prediction[from + j]!;
    if (!isBinaryPrediction(layout.input, x)) return bad(j, x, layout.input === 'logit' ? 'number' : 'unit');
  }
  if (!indexForm) {
    for (let j = 0; j < classes; j++) {
      const y = target[from + j]!;
      if (!isBinaryLabel('p', y)) return bad(-1, y, 'target');
    }
  }
  return null;
}

/**
 * The first row that may break a rule: binary batches (the common case) are scanned with the
 * rules inlined, and only from a suspect row on does each row go through problemOf.
 */
function firstSuspect(
  layout: Layout,
  values: NumericArray,
  targets: NumericArray,
  rows: number,
  extra: ((y: number) => string | null) | null,
): number {
  if (layout.shape !== 'binary') return 0;
  if (layout.input === 'logit') {
    for (let r = 0; r < rows; r++) {
      const y = targets[r]!;
      if (values[r]! !== values[r]! || !(y >= 0 && y <= 1) || (extra !== null && extra(y) !== null)) return r;
    }
    return rows;
  }
  const hard = layout.input === 'pt';
  for (let r = 0; r < rows; r++) {
    const v = values[r]!;
    const y = targets[r]!;
    if (!(v >= 0 && v <= 1) || !(y >= 0 && y <= 1) || (hard && y !== 0 && y !== 1)) return r;
    if (extra !== null && extra(y) !== null) return r;
  }
  return rows;
}

/** The rows of `values` (width w each) whose `keep` is 1, as a new array. */
function keptRows(values: NumericArray, w: number, keep: Uint8Array, kept: number): Float64Array {
  const out = new Float64Array(kept * w);
  let at = 0;
  for (let r = 0; r < keep.length; r++) if (keep[r]) for (let j = 0; j < w; j++) out[at++] = values[r * w + j]!;
  return out;
}

/**
 * A layout applied to a batch of columns, every value checked by the same rules whatever the
 * format. A bad value stops the run with one line naming the file, the row (or a text file's
 * line and column) and the value; with a text frame whose `skip` is set, bad rows are dropped
 * and logged instead.
 * @param extra  a further rule on binary labels (the --loss variants' domains)
 * @param targetFile  the file of the labels when they come from a file of their own (--labels)
 */
export function layoutBatch(
  layout: Layout,
  batch: ColumnBatch,
  file: string,
  frame: TextFrame | null = null,
  extra: ((y: number) => string | null) | null = null,
  targetFile: string = file,
): SampleBatch {
  const { rowStart } = batch;
  let rows = batch.rows;
  const prediction = column(batch, layout.prediction, file);
  const targetName = layout.shape === 'binary' ? layout.label : layout.target;
  const target = column(batch, targetName, file);
  if (layout.shape !== 'sigmoid' && target.width !== 1)
    throw new UsageError(
      `${file}: '${targetName}' has ${target.width} values per row; one ${layout.shape === 'binary' ? 'label' : 'class index'} per row is needed`,
    );
  if (layout.shape === 'binary' && prediction.width !== 1)
    throw new UsageError(
      `${file}: '${layout.prediction}' has ${prediction.width} values per row: a binary prediction is one number (use --activation softmax or sigmoid for vectors)`,
    );
  const classes = prediction.width;
  if (classes < 2 && layout.shape === 'softmax')
    throw new UsageError(
      `${file}: '${layout.prediction}' has ${classes} value per row; a softmax needs a vector of at least 2`,
    );
  if (layout.shape === 'sigmoid' && target.width !== 1 && target.width !== classes)
    throw new UsageError(
      `${file}: '${targetName}' has ${target.width} values per row and '${layout.prediction}' ${classes}: give ${classes} targets per row or one class index`,
    );
  const ignoreLabel = layout.shape === 'sigmoid' ? layout.ignoreLabel : 0;
  // a one-class sigmoid row with one target is a row of targets, not a class index
  const indexForm = layout.shape === 'sigmoid' && target.width === 1 && classes !== 1;

  let values = prediction.values;
  let targets = target.values;
  let keep: Uint8Array | null = null;
  let kept = rows;
  for (let r = firstSuspect(layout, values, targets, rows, extra); r < rows; r++) {
    const problem = problemOf(layout, r, values, classes, targets, indexForm, extra);
    if (problem === null) continue;
    if (frame === null)
      throw new UsageError(
        `${TARGET_RULES.has(problem.rule) ? targetFile : file}: row ${rowStart + r + 1}: ${rowWords(problem, layout.input, classes, ignoreLabel)}`,
      );
    const detail = textWords(problem, frame.names, classes, ignoreLabel);
    if (!frame.skip) {
      frame.error = new InvalidRecord(frame.lines[r]!, detail, file);
      values = values.subarray(0, r * classes);
      targets = targets.subarray(0, r * target.width);
      rows = r;
      break;
    }
    rejectRecord(frame.skip, file, frame.lines[r]!, detail);
    keep ??= new Uint8Array(rows).fill(1);
    keep[r] = 0;
    kept--;
  }
  if (keep) {
    values = keptRows(values, classes, keep, kept);
    targets = keptRows(targets, target.width, keep, kept);
    rows = kept;
  }

  if (layout.shape === 'binary')
    return { shape: 'binary', input: layout.input, rowStart, rows, value: values, label: targets };
  if (layout.shape === 'softmax')
    return { shape: 'softmax', input: layout.input, rowStart, rows, classes, scores: values, target: targets };
  return {
    shape: 'sigmoid',
    input: layout.input,
    rowStart,
    rows,
    classes,
    scores: values,
    targetForm: indexForm ? 'index' : 'rows',
    target: targets,
    ignoreLabel,
  };
}
