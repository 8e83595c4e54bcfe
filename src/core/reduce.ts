import { CompensatedSum } from './sum.js';

/** How per-sample losses become one number. */
export type Reduction = 'none' | 'mean' | 'sum' | 'positives';
export const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum', 'positives'];

/** The reduced CE and FL of a batch, with the totals they come from. */
export interface ReducedLoss {
  reduction: Reduction;
  n: number;
  /** samples with label y = 1 (RetinaNet's number of foreground anchors) */
  positives: number;
  /** reduced CE: the mean, the sum, or the sum over max(1, positives); null for 'none' */
  ce: number | null;
  fl: number | null;
  ce_sum: number;
  fl_sum: number;
}

/**
 * Accumulates per-sample CE and FL with compensated sums, so totals and means over millions of
 * samples keep ~1e-16 relative accuracy.
 */
export class LossAccumulator {
  private readonly ce = new CompensatedSum();
  private readonly fl = new CompensatedSum();
  n = 0;
  positives = 0;

  add(ce: number, fl: number, positive: boolean): void {
    this.ce.add(ce);
    this.fl.add(fl);
    this.n++;
    if (positive) this.positives++;
  }

  get ceSum(): number {
    return this.ce.value;
  }

  get flSum(): number {
    return this.fl.value;
  }

  reduce(reduction: Reduction): ReducedLoss {
    const ceSum = this.ceSum;
    const flSum = this.flSum;
    const divisor = reduction === 'mean' ? this.n : reduction === 'positives' ? Math.max(1, this.positives) : 1;
    const reduced = reduction !== 'none';
    return {
      reduction,
      n: this.n,
      positives: this.positives,
      ce: reduced ? ceSum / divisor : null,
      fl: reduced ? flSum / divisor : null,
      ce_sum: ceSum,
      fl_sum: flSum,
    };
  }
}
