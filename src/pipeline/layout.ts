/**
 * Columns → samples: which columns hold the prediction and the target, and what shape a sample
 * has. The one place where the values are checked (a prediction in range, a label a label);
 * every error names the file, the row and the value.
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
  | (Rows & { shape: 'softmax'; input: CategoricalInputKind; classes: number; scores: NumericArray; target: NumericArray })
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
export function layoutOf(kind: PredictionKind, prediction: string, target: string, activation: Activation | undefined, ignoreLabel = DEFAULT_IGNORE_LABEL): Layout {
  const logits = kind === 'logit' || kind === 'logits';
  if (activation === undefined) {
    if (kind === 'probs' || kind === 'logits') return { shape: 'softmax', input: kind, prediction, target };
    return { shape: 'binary', input: kind, prediction, label: target };
  }
  if (kind === 'pt') throw new UsageError(`--activation ${activation} takes scores of every class (p or logit columns); p_t is one number per sample`);
  if (activation === 'softmax') return { shape: 'softmax', input: logits ? 'logits' : 'probs', prediction, target };
  return { shape: 'sigmoid', input: logits ? 'logit' : 'p', prediction, target, ignoreLabel };
}

/** The columns a layout reads, for decoders that read only what is needed. */
export function columnsOf(layout: Layout): string[] {
  return [layout.prediction, layout.shape === 'binary' ? layout.label : layout.target];
}

function column(batch: ColumnBatch, name: string, file: string): Column {
  const c = batch.columns[name];
  if (!c) throw new UsageError(`${file}: no column '${name}' (there are ${Object.keys(batch.columns).map((k) => `'${k}'`).join(', ')})`);
  return c;
}

/** A layout applied to a batch of columns, every value checked. */
export function layoutBatch(layout: Layout, batch: ColumnBatch, file: string): SampleBatch {
  const { rowStart, rows } = batch;
  const prediction = column(batch, layout.prediction, file);
  const targetName = layout.shape === 'binary' ? layout.label : layout.target;
  const target = column(batch, targetName, file);
  const bad = (row: number, what: string): UsageError => new UsageError(`${file}: row ${rowStart + row + 1}: ${what}`);
  if (layout.shape !== 'sigmoid' && target.width !== 1) throw new UsageError(`${file}: '${targetName}' has ${target.width} values per row; one ${layout.shape === 'binary' ? 'label' : 'class index'} per row is needed`);

  if (layout.shape === 'binary') {
    if (prediction.width !== 1) throw new UsageError(`${file}: '${layout.prediction}' has ${prediction.width} values per row: a binary prediction is one number (use --activation softmax or sigmoid for vectors)`);
    const { input } = layout;
    const value = prediction.values;
    const label = target.values;
    for (let r = 0; r < rows; r++) {
      const v = value[r]!;
      const y = label[r]!;
      if (input === 'logit' ? v !== v : !(v >= 0 && v <= 1)) throw bad(r, `${input} = ${v} is not ${input === 'logit' ? 'a number' : 'in [0, 1]'}`);
      if (input === 'pt' ? y !== 0 && y !== 1 : !(y >= 0 && y <= 1)) throw bad(r, `label ${y} is not ${input === 'pt' ? '0 or 1 (p_t needs hard labels)' : 'in [0, 1]'}`);
    }
    return { shape: 'binary', input, rowStart, rows, value, label };
  }

  const classes = prediction.width;
  if (classes < 2 && layout.shape === 'softmax') throw new UsageError(`${file}: '${layout.prediction}' has ${classes} value per row; a softmax needs a vector of at least 2`);
  const scores = prediction.values;
  if (layout.shape === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const t = target.values[r]!;
      if (!(Number.isInteger(t) && t >= 0 && t < classes)) throw bad(r, `class index ${t} is not an integer in 0…${classes - 1}`);
      let sum = 0;
      for (let j = r * classes; j < (r + 1) * classes; j++) {
        const x = scores[j]!;
        if (layout.input === 'logits' ? !Number.isFinite(x) : !(x >= 0 && x <= 1)) throw bad(r, `score ${x} is not ${layout.input === 'logits' ? 'a finite logit' : 'a probability in [0, 1]'}`);
        sum += x;
      }
      if (layout.input === 'probs' && !(sum > 0)) throw bad(r, 'the probabilities sum to 0');
    }
    return { shape: 'softmax', input: layout.input, rowStart, rows, classes, scores, target: target.values };
  }

  const { input, ignoreLabel } = layout;
  for (let j = 0; j < rows * classes; j++) {
    const x = scores[j]!;
    if (input === 'logit' ? x !== x : !(x >= 0 && x <= 1)) throw bad(Math.floor(j / classes), `${input} = ${x} is not ${input === 'logit' ? 'a number' : 'in [0, 1]'}`);
  }
  if (target.width === 1 && classes !== 1) {
    for (let r = 0; r < rows; r++) {
      const t = target.values[r]!;
      if (!Number.isInteger(t) && t !== ignoreLabel) throw bad(r, `class index ${t} is not an integer (0…${classes - 1} a class, others background, ${ignoreLabel} ignored)`);
    }
    return { shape: 'sigmoid', input, rowStart, rows, classes, scores, targetForm: 'index', target: target.values, ignoreLabel };
  }
  if (target.width !== classes) throw new UsageError(`${file}: '${targetName}' has ${target.width} values per row and '${layout.prediction}' ${classes}: give ${classes} targets per row or one class index`);
  for (let j = 0; j < rows * classes; j++) {
    const y = target.values[j]!;
    if (!(y >= 0 && y <= 1)) throw bad(Math.floor(j / classes), `target ${y} is not in [0, 1]`);
  }
  return { shape: 'sigmoid', input, rowStart, rows, classes, scores, targetForm: 'rows', target: target.values, ignoreLabel };
}
