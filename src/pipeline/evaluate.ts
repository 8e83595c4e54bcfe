/**
 * Samples → losses, through the core (binaryLossAt, evaluateCategorical): no loss
 * mathematics here, only the loop over a batch and the class each loss belongs to.
 */
import {
  alphaWeight,
  binaryLossAt,
  evaluateBinary,
  evaluateCategorical,
  LN_OF_BASE,
  smoothLabel,
  type BinaryInputKind,
  type FocalParams,
} from '../core/index.js';
import type { SampleBatch } from './layout.js';

/** The class key of a soft binary label (hard labels are 0 and 1). */
export const SOFT_CLASS = -1;

/**
 * The losses of one batch, element by element: a row for binary and softmax samples, a
 * (row, class) element for sigmoid rows (ignored rows contribute none).
 */
export interface EvaluatedBatch {
  /** rows taken (ignored ones excluded) */
  rows: number;
  /** rows skipped for carrying the ignore label */
  ignored: number;
  /** elements evaluated */
  count: number;
  ce: Float64Array;
  fl: Float64Array;
  /** the class of each element: the label (binary, SOFT_CLASS for a soft one), the target (softmax), the column (sigmoid) */
  classOf: Int32Array;
  /** 1 where the element's target is 1: RetinaNet's positives */
  positive: Uint8Array;
  /** p_t of each element, when asked for (the anatomy needs it, the totals do not) */
  pt: Float64Array | null;
}

/** Parameters of the evaluation; α may be per class for softmax rows. */
export interface EvaluationParams extends FocalParams {
  /** per-class α for softmax rows (overrides `alpha` there) */
  classAlpha?: readonly number[] | null;
  /** label smoothing ε of binary labels and softmax targets (0: none); a binary sample keeps its class */
  labelSmoothing?: number;
}

/**
 * The output arrays of evaluateBatch, kept from batch to batch and grown when a batch needs
 * more: V8 frees a dropped ArrayBuffer late, so fresh arrays per batch made a 10⁸-row .npz run
 * peak at ~135 MiB where reused ones stay near 80. A batch's arrays are valid until the next
 * batch is evaluated into the same scratch: collectors read them in `add` and keep none.
 */
export class EvaluationScratch {
  private capacity = 0;
  private arrays: Pick<EvaluatedBatch, 'ce' | 'fl' | 'classOf' | 'positive' | 'pt'> = allocate(0, false);

  /** Arrays of at least n elements (views of exactly n), p_t among them when asked. */
  take(n: number, withPt: boolean): Pick<EvaluatedBatch, 'ce' | 'fl' | 'classOf' | 'positive' | 'pt'> {
    if (n > this.capacity || (withPt && this.arrays.pt === null)) {
      this.capacity = Math.max(n, this.capacity);
      this.arrays = allocate(this.capacity, withPt);
    }
    const { ce, fl, classOf, positive, pt } = this.arrays;
    return {
      ce: ce.subarray(0, n),
      fl: fl.subarray(0, n),
      classOf: classOf.subarray(0, n),
      positive: positive.subarray(0, n),
      pt: withPt ? pt!.subarray(0, n) : null,
    };
  }
}

/**
 * @param withPt  also give each element's p_t (through evaluateBinary, which gives the same
 *                CE and FL bits as the faster binaryLossAt)
 * @param scratch  where the output arrays come from (reused: the previous batch's are overwritten);
 *                 without one, fresh arrays
 */
export function evaluateBatch(
  batch: SampleBatch,
  params: EvaluationParams,
  withPt = false,
  scratch: EvaluationScratch | null = null,
): EvaluatedBatch {
  const output = (n: number) => (scratch ?? new EvaluationScratch()).take(n, withPt);
  const { gamma, alpha } = params;
  const smoothing = params.labelSmoothing ?? 0;
  const scale = LN_OF_BASE[params.base ?? 'e'];
  const [alpha0, alpha1] = [alphaWeight(alpha, 0), alphaWeight(alpha, 1)];
  const binaryInto = (
    at: number,
    result: Pick<EvaluatedBatch, 'ce' | 'fl' | 'pt'>,
    kind: BinaryInputKind,
    value: number,
    y: number,
  ): void => {
    const { ce, fl, pt } = result;
    if (pt === null) {
      binaryLossAt(
        ce,
        fl,
        at,
        kind,
        value,
        y,
        gamma,
        y === 1 ? alpha1 : y === 0 ? alpha0 : alphaWeight(alpha, y),
        scale,
      );
      return;
    }
    const e = evaluateBinary(kind, value, y, params);
    ce[at] = e.ce;
    fl[at] = e.fl;
    pt[at] = e.pt;
  };

  if (batch.shape === 'binary') {
    const n = batch.rows;
    const result = output(n);
    for (let r = 0; r < n; r++) {
      const y = batch.label[r]!;
      binaryInto(r, result, batch.input, batch.value[r]!, smoothing === 0 ? y : smoothLabel(y, smoothing));
      result.classOf[r] = y === 0 || y === 1 ? y : SOFT_CLASS;
      result.positive[r] = y === 1 ? 1 : 0;
    }
    return { ...result, rows: n, ignored: 0, count: n };
  }

  if (batch.shape === 'softmax') {
    const { rows: n, classes: k } = batch;
    const result = output(n);
    const categorical = {
      gamma,
      alpha: params.classAlpha ?? alpha,
      base: params.base ?? 'e',
      labelSmoothing: smoothing,
    } as const;
    for (let r = 0; r < n; r++) {
      const t = batch.target[r]!;
      const e = evaluateCategorical(batch.input, batch.scores.subarray(r * k, (r + 1) * k), t, categorical);
      result.ce[r] = e.ce;
      result.fl[r] = e.fl;
      result.classOf[r] = t;
      result.positive[r] = 0;
      if (result.pt) result.pt[r] = e.pt;
    }
    return { ...result, rows: n, ignored: 0, count: n };
  }

  // sigmoid: every element of a kept row is one binary sample (torchvision's sigmoid_focal_loss)
  const { rows: n, classes: c, scores, target, targetForm, ignoreLabel, input } = batch;
  let kept = n;
  if (targetForm === 'index') for (let r = 0; r < n; r++) if (target[r] === ignoreLabel) kept--;
  const result = output(kept * c);
  let at = 0;
  for (let r = 0; r < n; r++) {
    const index = targetForm === 'index' ? target[r]! : NaN;
    if (index === ignoreLabel) continue;
    for (let j = 0; j < c; j++) {
      // a class index outside 0…C−1 (background) makes every target of the row 0
      const y = targetForm === 'rows' ? target[r * c + j]! : index === j ? 1 : 0;
      binaryInto(at, result, input, scores[r * c + j]!, y);
      result.classOf[at] = j;
      result.positive[at] = y === 1 ? 1 : 0;
      at++;
    }
  }
  return { ...result, rows: kept, ignored: n - kept, count: kept * c };
}

function allocate(n: number, withPt: boolean): Pick<EvaluatedBatch, 'ce' | 'fl' | 'classOf' | 'positive' | 'pt'> {
  return {
    ce: new Float64Array(n),
    fl: new Float64Array(n),
    classOf: new Int32Array(n),
    positive: new Uint8Array(n),
    pt: withPt ? new Float64Array(n) : null,
  };
}
