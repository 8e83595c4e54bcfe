import { ExactSum, ExactSumArray, type ExactSumArrayState, type ExactSumState } from './sum.js';
import { shareOf, type ClassKey, type ClassLoss } from './reduce.js';

/**
 * Where the loss of real predictions goes: per class, per p_t bucket, easy (p_t > 0.5) versus
 * hard, and the cumulative share of each class's loss carried by its hardest samples (Lin et
 * al. 2017, Figure 4). Streaming in constant memory: the cumulative curve comes from a
 * histogram over the margin z = logit(p_t), never from sorting the samples.
 *
 * Within a class, CE and FL both fall as p_t rises, so "hardest first" is "lowest z first"
 * for either loss. The histogram has HARDNESS_BINS bins of width 1/32 over z ∈ [−64, 64] and
 * one tail bin on each side; the cumulative shares are exact at bin edges, and between edges
 * are interpolated linearly (an error below one bin's share of the class loss).
 */

const Z_LIMIT = 64;
const BINS_PER_UNIT = 32;
/** Bins of the hardness histogram: 2·64·32 over z ∈ [−64, 64] and one tail on each side. */
export const HARDNESS_BINS = 2 * Z_LIMIT * BINS_PER_UNIT + 2;

/** Exact sums: the same bits however the samples were split across threads or shards. */
interface Totals {
  count: number;
  ce: ExactSum;
  fl: ExactSum;
}

const totals = (): Totals => ({ count: 0, ce: new ExactSum(), fl: new ExactSum() });

function addTo(t: Totals, ce: number, fl: number): void {
  t.count++;
  t.ce.add(ce);
  t.fl.add(fl);
}

/** Totals as plain data, for sending between threads. */
type TotalsState = [number, ExactSumState, ExactSumState];
const stateOf = (t: Totals): TotalsState => [t.count, t.ce.state(), t.fl.state()];
function mergeInto(t: Totals, [count, ce, fl]: TotalsState): void {
  t.count += count;
  t.ce.merge(ce);
  t.fl.merge(fl);
}

/** A LossAnatomy as plain data (structured-cloneable), for merging the work of threads. */
export interface AnatomyState {
  buckets: number;
  classes: {
    key: ClassKey;
    all: TotalsState;
    buckets: TotalsState[];
    easy: TotalsState;
    hard: TotalsState;
    binCount: Float64Array;
    binCe: ExactSumArrayState;
    binFl: ExactSumArrayState;
  }[];
}

interface ClassAnatomy {
  all: Totals;
  buckets: Totals[];
  easy: Totals;
  hard: Totals;
  /**
   * per hardness bin: count, CE sum, FL sum. The sums are exact, so the cumulative shares
   * have the same bits however the file was split across threads.
   */
  binCount: Float64Array;
  binCe: ExactSumArray;
  binFl: ExactSumArray;
}

/** The correctly rounded value of each bin's exact sum. */
const binValues = (sums: ExactSumArray): Float64Array =>
  Float64Array.from({ length: sums.length }, (_, b) => sums.value(b));

function binOf(pt: number): number {
  const z = Math.log(pt) - Math.log1p(-pt); // +∞ at p_t = 1, −∞ at 0
  if (!(z >= -Z_LIMIT)) return 0;
  if (z >= Z_LIMIT) return HARDNESS_BINS - 1;
  return 1 + Math.floor((z + Z_LIMIT) * BINS_PER_UNIT);
}

export interface BucketShare {
  key: ClassKey;
  /** [from, to) in p_t (the last bucket includes 1) */
  from: number;
  to: number;
  count: number;
  ceShare: number | null;
  flShare: number | null;
}

export interface CdfPoint {
  /** fraction of the class's samples, hardest first */
  fraction: number;
  /** share of the class's total CE and FL they carry */
  ce: number;
  fl: number;
}

/**
 * A running share of a class's total. An infinite total (a sample at p_t = 0) is carried
 * entirely by the samples that have an infinite loss, and they come first (hardest): the share
 * is 1 from them on, 0 before.
 */
function cumulativeShare(part: number, total: number): number {
  if (total === Infinity) return part === Infinity ? 1 : 0;
  return total > 0 ? part / total : 0;
}

/** Accumulates the anatomy of a stream of samples (see the module comment); memory does not grow with the count.
 * @example const a = new LossAnatomy(); a.add(0, 0.99, 0.01, 1e-6); a.add(1, 0.1, 2.3, 0.4); a.byClass()[1].flShare // 0.9999975
 */
export class LossAnatomy {
  private readonly classes = new Map<ClassKey, ClassAnatomy>();

  constructor(readonly buckets = 10) {}

  private classOf(key: ClassKey): ClassAnatomy {
    let c = this.classes.get(key);
    if (!c) {
      c = {
        all: totals(),
        buckets: Array.from({ length: this.buckets }, totals),
        easy: totals(),
        hard: totals(),
        binCount: new Float64Array(HARDNESS_BINS),
        binCe: new ExactSumArray(HARDNESS_BINS),
        binFl: new ExactSumArray(HARDNESS_BINS),
      };
      this.classes.set(key, c);
    }
    return c;
  }

  add(key: ClassKey, pt: number, ce: number, fl: number): void {
    const c = this.classOf(key);
    addTo(c.all, ce, fl);
    addTo(c.buckets[Math.min(this.buckets - 1, Math.floor(pt * this.buckets))]!, ce, fl);
    addTo(pt > 0.5 ? c.easy : c.hard, ce, fl);
    const b = binOf(pt);
    c.binCount[b]!++;
    c.binCe.add(b, ce);
    c.binFl.add(b, fl);
  }

  state(): AnatomyState {
    return {
      buckets: this.buckets,
      classes: [...this.classes].map(([key, c]) => ({
        key,
        all: stateOf(c.all),
        buckets: c.buckets.map(stateOf),
        easy: stateOf(c.easy),
        hard: stateOf(c.hard),
        binCount: c.binCount,
        binCe: c.binCe.state(),
        binFl: c.binFl.state(),
      })),
    };
  }

  /** Adds another anatomy's samples (a worker's share of a file). */
  merge(state: AnatomyState): void {
    for (const other of state.classes) {
      const c = this.classOf(other.key);
      mergeInto(c.all, other.all);
      other.buckets.forEach((b, i) => mergeInto(c.buckets[i]!, b));
      mergeInto(c.easy, other.easy);
      mergeInto(c.hard, other.hard);
      for (let b = 0; b < HARDNESS_BINS; b++) c.binCount[b]! += other.binCount[b]!;
      c.binCe.merge(other.binCe);
      c.binFl.merge(other.binFl);
    }
  }

  private sorted(): [ClassKey, ClassAnatomy][] {
    return [...this.classes].sort(([a], [b]) => (a === 'soft' ? 1 : b === 'soft' ? -1 : a - b));
  }

  private grand(): { ce: number; fl: number } {
    const ce = new ExactSum();
    const fl = new ExactSum();
    for (const c of this.classes.values()) {
      ce.merge(c.all.ce);
      fl.merge(c.all.fl);
    }
    return { ce: ce.value, fl: fl.value };
  }

  get n(): number {
    let n = 0;
    for (const c of this.classes.values()) n += c.all.count;
    return n;
  }

  byClass(): ClassLoss[] {
    const g = this.grand();
    return this.sorted().map(([key, c]) => ({
      key,
      count: c.all.count,
      ceTotal: c.all.ce.value,
      flTotal: c.all.fl.value,
      ceShare: shareOf(c.all.ce.value, g.ce),
      flShare: shareOf(c.all.fl.value, g.fl),
    }));
  }

  /** Every class × bucket, shares of the grand totals (so all rows sum to 1). */
  byBucket(): BucketShare[] {
    const g = this.grand();
    return this.sorted().flatMap(([key, c]) =>
      c.buckets.map((t, i) => ({
        key,
        from: i / this.buckets,
        to: (i + 1) / this.buckets,
        count: t.count,
        ceShare: shareOf(t.ce.value, g.ce),
        flShare: shareOf(t.fl.value, g.fl),
      })),
    );
  }

  /** Every class × {easy: p_t > 0.5, hard: p_t ≤ 0.5}, shares of the grand totals. */
  easyHard(): (Omit<BucketShare, 'from' | 'to'> & { easy: boolean })[] {
    const g = this.grand();
    return this.sorted().flatMap(([key, c]) =>
      [true, false].map((easy) => {
        const t = easy ? c.easy : c.hard;
        return { key, easy, count: t.count, ceShare: shareOf(t.ce.value, g.ce), flShare: shareOf(t.fl.value, g.fl) };
      }),
    );
  }

  /** The cumulative curve of one class at bin edges (hardest first), from (0, 0) to (1, 1). */
  cdf(key: ClassKey): CdfPoint[] {
    const c = this.classes.get(key);
    if (!c || c.all.count === 0) return [];
    const n = c.all.count;
    const [binCe, binFl] = [binValues(c.binCe), binValues(c.binFl)];
    const ceTotal = binCe.reduce((a, b) => a + b, 0);
    const flTotal = binFl.reduce((a, b) => a + b, 0);
    const points: CdfPoint[] = [{ fraction: 0, ce: 0, fl: 0 }];
    let count = 0;
    let ce = 0;
    let fl = 0;
    for (let b = 0; b < HARDNESS_BINS; b++) {
      if (c.binCount[b] === 0) continue;
      count += c.binCount[b]!;
      ce += binCe[b]!;
      fl += binFl[b]!;
      points.push({ fraction: count / n, ce: cumulativeShare(ce, ceTotal), fl: cumulativeShare(fl, flTotal) });
    }
    return points;
  }

  /** The share of a class's CE and FL carried by its hardest `fraction` of samples. */
  hardestShare(key: ClassKey, fraction: number): { ce: number; fl: number } | null {
    const points = this.cdf(key);
    if (points.length === 0) return null;
    for (let i = 1; i < points.length; i++) {
      const [a, b] = [points[i - 1]!, points[i]!];
      if (fraction <= b.fraction) {
        const t = b.fraction === a.fraction ? 1 : (fraction - a.fraction) / (b.fraction - a.fraction);
        return { ce: a.ce + t * (b.ce - a.ce), fl: a.fl + t * (b.fl - a.fl) };
      }
    }
    return { ce: 1, fl: 1 };
  }

  classKeys(): ClassKey[] {
    return this.sorted().map(([k]) => k);
  }
}

/**
 * Class weights from class counts, normalised to sum to 1 (for two classes the positive's
 * weight is the α that torchvision and Keras take):
 *   inverse frequency  w_c ∝ 1/n_c;
 *   effective number   w_c ∝ (1 − β)/(1 − β^n_c)  (Cui et al. 2019), with β^n_c = e^(n_c·log1p(β − 1)).
 * @example classWeights([990, 10], 0.999).effectiveNumber // [0.0156, 0.9844]
 */
export function classWeights(
  counts: readonly number[],
  beta: number,
): { inverseFrequency: number[]; effectiveNumber: number[] } {
  const normalise = (w: number[]) => {
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  };
  const logBeta = Math.log1p(beta - 1); // beta − 1 is exact for beta in [0.5, 1]
  return {
    inverseFrequency: normalise(counts.map((n) => 1 / n)),
    effectiveNumber: normalise(counts.map((n) => (1 - beta) / -Math.expm1(n * logBeta))),
  };
}
