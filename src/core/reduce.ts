import { CompensatedSum } from './sum.js';

/** How per-sample losses become one number. */
export type Reduction = 'none' | 'mean' | 'sum' | 'positives';
/** Every reduction, in the order the CLI lists them. */
export const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum', 'positives'];

/** Class keys: 0 and 1 for hard binary labels, 'soft' for soft labels, the target index for multiclass. */
export type ClassKey = number | 'soft';

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

/** One class's part of a batch's loss. */
export interface ClassLoss {
  key: ClassKey;
  count: number;
  ceTotal: number;
  flTotal: number;
  /** this class's part of the total (null when the total is 0 or this part is infinite) */
  ceShare: number | null;
  flShare: number | null;
}

interface ClassTotals {
  count: number;
  ce: CompensatedSum;
  fl: CompensatedSum;
}

/** Plain data for sending an accumulator between threads: per class, then the extra sums. */
export type AccumulatorState = {
  classes: [ClassKey, number, [number, number], [number, number]][];
  extras: [number, number][];
};

/** A share of a total: undefined (null) when the total is 0 or the part itself is infinite. */
export function shareOf(part: number, total: number): number | null {
  return total === 0 || part === Infinity ? null : part / total;
}

/**
 * Accumulates per-sample CE and FL by class with compensated sums, so totals and means over
 * millions of samples keep ~1e-16 relative accuracy; partial accumulators (one per worker)
 * merge without losing that.
 * @example const a = new LossAccumulator(); a.add(0.1, 0.01, 1); a.add(0.3, 0.02, 0); a.reduce('mean').fl // 0.015
 */
export class LossAccumulator {
  private readonly classes = new Map<ClassKey, ClassTotals>();
  /** totals of further losses (the focal family's variants), in the caller's order */
  private readonly extras: CompensatedSum[];

  constructor(extraLosses = 0) {
    this.extras = Array.from({ length: extraLosses }, () => new CompensatedSum());
  }

  /** Adds the further losses of the sample just added. */
  addExtras(values: ArrayLike<number>): void {
    for (let k = 0; k < this.extras.length; k++) this.extras[k]!.add(values[k]!);
  }

  /** The totals of the further losses. */
  extraSums(): number[] {
    return this.extras.map((s) => s.value);
  }

  /** The divisor a reduction applies to a total. */
  divisor(reduction: Reduction): number {
    return reduction === 'mean' ? this.n : reduction === 'positives' ? Math.max(1, this.positives) : 1;
  }

  add(ce: number, fl: number, key: ClassKey): void {
    let totals = this.classes.get(key);
    if (totals === undefined) {
      totals = { count: 0, ce: new CompensatedSum(), fl: new CompensatedSum() };
      this.classes.set(key, totals);
    }
    totals.count++;
    totals.ce.add(ce);
    totals.fl.add(fl);
  }

  get n(): number {
    let n = 0;
    for (const t of this.classes.values()) n += t.count;
    return n;
  }

  get positives(): number {
    return this.classes.get(1)?.count ?? 0;
  }

  state(): AccumulatorState {
    return {
      classes: [...this.classes].map(([key, t]) => [key, t.count, t.ce.state(), t.fl.state()]),
      extras: this.extras.map((e) => e.state()),
    };
  }

  merge(state: AccumulatorState): void {
    state.extras.forEach((e, k) => this.extras[k]!.merge(e));
    for (const [key, count, ce, fl] of state.classes) {
      let totals = this.classes.get(key);
      if (totals === undefined) {
        totals = { count: 0, ce: new CompensatedSum(), fl: new CompensatedSum() };
        this.classes.set(key, totals);
      }
      totals.count += count;
      totals.ce.merge(ce);
      totals.fl.merge(fl);
    }
  }

  private totals(): { ce: number; fl: number } {
    const ce = new CompensatedSum();
    const fl = new CompensatedSum();
    for (const t of this.classes.values()) {
      ce.merge(t.ce);
      fl.merge(t.fl);
    }
    return { ce: ce.value, fl: fl.value };
  }

  /** Per class, in key order (numbers ascending, 'soft' last). */
  byClass(): ClassLoss[] {
    const { ce, fl } = this.totals();
    return [...this.classes]
      .sort(([a], [b]) => (a === 'soft' ? 1 : b === 'soft' ? -1 : a - b))
      .map(([key, t]) => ({
        key,
        count: t.count,
        ceTotal: t.ce.value,
        flTotal: t.fl.value,
        ceShare: shareOf(t.ce.value, ce),
        flShare: shareOf(t.fl.value, fl),
      }));
  }

  reduce(reduction: Reduction): ReducedLoss {
    const { ce, fl } = this.totals();
    const n = this.n;
    const divisor = this.divisor(reduction);
    // no reduced value for 'none', nor a mean of nothing
    const reduced = reduction !== 'none' && divisor > 0;
    return {
      reduction,
      n,
      positives: this.positives,
      ce: reduced ? ce / divisor : null,
      fl: reduced ? fl / divisor : null,
      ce_sum: ce,
      fl_sum: fl,
    };
  }
}
