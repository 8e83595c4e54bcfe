/**
 * Neumaier's compensated summation (an improved Kahan–Babuška): the error of a sum of n terms
 * is about one rounding of the result instead of growing with n, so the mean of 10^7 losses
 * is accurate to ~1e-16 relative rather than ~1e-13. Infinite terms give an infinite sum.
 * @example const s = new CompensatedSum(); for (const x of [1, 1e100, 1, -1e100]) s.add(x); s.value // 2 (a plain sum gives 0)
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  /** Adds another sum's state (partial sums from workers), keeping its compensation. */
  merge(other: CompensatedSum | readonly [number, number]): void {
    const [sum, compensation] = other instanceof CompensatedSum ? other.state() : other;
    this.add(sum);
    if (Number.isFinite(sum)) this.add(compensation); // an infinite sum's compensation is NaN
  }

  /** [sum, compensation]: a plain pair to send between threads */
  state(): [number, number] {
    return [this.sum, this.compensation];
  }

  get value(): number {
    // Once the sum is infinite the compensation is NaN (∞ − ∞); the sum alone is the answer.
    return Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
  }
}

/** An ExactSum as plain data: the non-overlapping partials, and the sum of the non-finite terms. */
export interface ExactSumState {
  partials: number[];
  /** 0, or ±Infinity / NaN once such a term was added (or the finite sum left the double range) */
  nonFinite: number;
}

/**
 * An exact sum (Shewchuk's non-overlapping expansions, the algorithm of Python's math.fsum):
 * the partials represent the sum of every term added so far without any rounding, and `value`
 * rounds it once, correctly. So the result does not depend on the order of the terms nor on
 * how they were split and merged: shards, threads and one pass give the same bits, equal to
 * math.fsum of the same terms. (CompensatedSum cannot promise that: its error, though tiny,
 * depends on the order.) Costs a short loop per term (the expansion rarely holds more than
 * three partials for terms of one sign).
 *
 * Special cases: ±Infinity and NaN terms are summed apart (∞ + (−∞) = NaN, as IEEE adds);
 * a finite sum that leaves the double range becomes ±Infinity; zeros are not stored, and an
 * empty sum is +0.
 * @example const s = new ExactSum(); for (const x of [0.1, 0.2, -0.3]) s.add(x); s.value // 2.7755575615628914e-17 (the exact sum of the three doubles)
 */
export class ExactSum {
  /** partials[0 … count − 1], increasing in magnitude; the array is reused, never shortened (no reallocation per term) */
  private partials: number[] = [];
  private count = 0;
  private nonFinite = 0;

  add(x: number): void {
    if (x === 0) return;
    if (!Number.isFinite(x)) {
      this.nonFinite += x;
      return;
    }
    const p = this.partials;
    const count = this.count;
    let used = 0;
    for (let j = 0; j < count; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      if (!Number.isFinite(hi)) {
        // the exact sum has left the double range: its rounding is ±Infinity
        this.nonFinite += hi;
        this.count = 0;
        return;
      }
      const lo = y - (hi - x);
      if (lo !== 0) p[used++] = lo;
      x = hi;
    }
    p[used] = x;
    this.count = used + 1;
  }

  /** Adds another exact sum: the result is the exact sum of both term lists, whatever the order. */
  merge(other: ExactSum | ExactSumState): void {
    const state = other instanceof ExactSum ? other.state() : other;
    for (const x of state.partials) this.add(x);
    this.nonFinite += state.nonFinite;
  }

  state(): ExactSumState {
    return { partials: this.partials.slice(0, this.count), nonFinite: this.nonFinite };
  }

  static from(state: ExactSumState): ExactSum {
    const s = new ExactSum();
    s.merge(state);
    return s;
  }

  /** The exact sum rounded to the nearest double, ties to even (math.fsum's final step). */
  get value(): number {
    if (this.nonFinite !== 0) return this.nonFinite;
    const p = this.partials;
    let n = this.count;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Half-way cases: hi + lo was rounded to even, but the partials below lo push it past the tie.
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/** Partials an ExactSumArray keeps in place per sum before it moves that sum to an ExactSum. */
const INLINE_PARTIALS = 4;

/** An ExactSumArray as plain data. */
export interface ExactSumArrayState {
  partials: Float64Array;
  counts: Uint8Array;
  /** the sums that outgrew their place: [index, state] */
  spilled: [number, ExactSumState][];
}

/**
 * Many exact sums (a histogram's bins), each as ExactSum computes it, with their partials in
 * one flat array: a bin's terms are of similar size and need two or three partials, so the
 * per-term cost stays near a compensated sum's, where one ExactSum object per bin cost 2×. A
 * sum that needs more than INLINE_PARTIALS partials (or meets an infinite term) moves to an
 * ExactSum of its own.
 */
export class ExactSumArray {
  private readonly partials: Float64Array;
  private readonly counts: Uint8Array;
  private readonly spilled = new Map<number, ExactSum>();

  constructor(readonly length: number) {
    this.partials = new Float64Array(length * INLINE_PARTIALS);
    this.counts = new Uint8Array(length);
  }

  add(i: number, x: number): void {
    const spilled = this.counts[i] === 255 ? this.spilled.get(i)! : undefined;
    if (spilled) return spilled.add(x);
    const p = this.partials;
    const base = i * INLINE_PARTIALS;
    const n = this.counts[i]!;
    let k = base;
    if (x - x === 0) {
      for (let j = base; j < base + n; j++) {
        let y = p[j]!;
        if (Math.abs(x) < Math.abs(y)) {
          const t = x;
          x = y;
          y = t;
        }
        const hi = x + y;
        const lo = y - (hi - x);
        if (lo !== 0) p[k++] = lo;
        x = hi;
      }
      if (k < base + INLINE_PARTIALS && x - x === 0) {
        p[k] = x;
        this.counts[i] = k - base + 1;
        return;
      }
    }
    // an infinite term or sum, or one partial too many: this sum continues as an ExactSum
    const sum = new ExactSum();
    for (let j = base; j < k; j++) sum.add(p[j]!);
    sum.add(x);
    this.spilled.set(i, sum);
    this.counts[i] = 255;
  }

  /** Sum i, correctly rounded. */
  value(i: number): number {
    if (this.counts[i] === 255) return this.spilled.get(i)!.value;
    const sum = new ExactSum();
    const base = i * INLINE_PARTIALS;
    sum.merge({ partials: Array.from(this.partials.subarray(base, base + this.counts[i]!)), nonFinite: 0 });
    return sum.value;
  }

  state(): ExactSumArrayState {
    return { partials: this.partials, counts: this.counts, spilled: [...this.spilled].map(([i, s]) => [i, s.state()]) };
  }

  /** Adds another array's sums, exactly (a worker's histogram). */
  merge(other: ExactSumArrayState): void {
    for (let i = 0; i < this.length; i++) {
      const n = other.counts[i]!;
      if (n === 255) continue;
      for (let j = 0; j < n; j++) this.add(i, other.partials[i * INLINE_PARTIALS + j]!);
    }
    for (const [i, { partials, nonFinite }] of other.spilled) {
      if (nonFinite !== 0) this.add(i, nonFinite);
      for (const x of partials) this.add(i, x);
    }
  }
}
