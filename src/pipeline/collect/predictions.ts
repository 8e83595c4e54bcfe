/**
 * Predictions as the sweep and calibration collectors take them: the raw prediction of each
 * sample in the form it was given (so the core computes every quantity from the most accurate
 * input, a logit rather than a rounded p), with its label. No losses here: the collectors
 * evaluate what they need, at every γ they need.
 */
import { UsageError } from '../../errors.js';
import type { SampleBatch } from '../layout.js';
import type { NumericArray } from '../columns.js';

export type PredictionKind = 'p' | 'logit' | 'pt' | 'probs' | 'logits';

export interface PredictionBatch {
  kind: PredictionKind;
  /** values per sample: 1 for binary kinds, K for probs/logits */
  width: number;
  count: number;
  /** count × width predictions */
  values: Float64Array;
  /** the label 0 or 1 (binary) or the target index (multiclass) */
  labels: Float64Array;
  /** the input's sample number of the first sample in the batch (for messages) */
  first: number;
}

export function isMulticlass(kind: PredictionKind): kind is 'probs' | 'logits' {
  return kind === 'probs' || kind === 'logits';
}

/** Fills batches of a fixed size and hands each full one on. */
export class PredictionBatcher {
  private values: Float64Array;
  private labels: Float64Array;
  private count = 0;
  private taken = 0;

  constructor(
    readonly kind: PredictionKind,
    readonly width: number,
    private readonly onBatch: (batch: PredictionBatch) => void,
    private readonly size = 4096,
  ) {
    this.values = new Float64Array(size * width);
    this.labels = new Float64Array(size);
  }

  /** Copies `rows` samples (`values`: `width` numbers a row; `labels`: one) a run at a time, no view per row. */
  pushRows(values: NumericArray, labels: NumericArray, rows: number): void {
    for (let r = 0; r < rows;) {
      const n = Math.min(rows - r, this.size - this.count);
      this.values.set(values.subarray(r * this.width, (r + n) * this.width), this.count * this.width);
      this.labels.set(labels.subarray(r, r + n), this.count);
      this.count += n;
      r += n;
      if (this.count === this.size) this.flush();
    }
  }

  flush(): void {
    if (this.count === 0) return;
    const batch = {
      kind: this.kind,
      width: this.width,
      count: this.count,
      values: this.values.subarray(0, this.count * this.width),
      labels: this.labels.subarray(0, this.count),
      first: this.taken,
    };
    this.onBatch(batch);
    this.taken += this.count;
    this.count = 0;
  }
}

/** Soft labels have no class and no "right": these analyses need hard labels. */
export function requireHardLabel(batch: PredictionBatch, i: number, what: string): void {
  const y = batch.labels[i]!;
  if (!isMulticlass(batch.kind) && y !== 0 && y !== 1)
    throw new UsageError(`sample ${batch.first + i + 1} has the soft label ${y}; ${what} needs hard labels 0 or 1.`);
}

/**
 * Sample batches (binary or softmax) → fixed-size PredictionBatches, the raw predictions in the
 * form they were given; the batcher is made at the first batch, when the kind is known.
 */
export class PredictionFeed {
  private batcher: PredictionBatcher | null = null;

  constructor(private readonly take: (batch: PredictionBatch) => void) {}

  add(samples: SampleBatch): void {
    // no --activation here: a binary prediction or a softmax vector
    if (samples.shape === 'sigmoid') throw new Error('unreachable: sigmoid rows without --activation');
    const width = samples.shape === 'binary' ? 1 : samples.classes;
    this.batcher ??= new PredictionBatcher(samples.input, width, this.take);
    const values = samples.shape === 'binary' ? samples.value : samples.scores;
    const labels = samples.shape === 'binary' ? samples.label : samples.target;
    this.batcher.pushRows(values, labels, samples.rows);
  }

  /** Hands on the last, partly filled batch. */
  flush(): void {
    this.batcher?.flush();
  }
}
