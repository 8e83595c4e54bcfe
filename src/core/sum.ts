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

/**
 * An exact sum (Shewchuk 1997, the algorithm of Python's math.fsum): the running sum is kept
 * as a list of non-overlapping partials whose exact total is the exact sum of every term, and
 * `value` rounds that total once, correctly. So the value does not depend on the order of the
 * terms nor on how they were split and merged: two threads give the bits of one.
 *
 * Cost: one TwoSum per partial and term. Terms of similar magnitude (one histogram bin's
 * losses: see ExactSumArray) keep two or three partials; a sum over the whole double range up
 * to ~40 (10^7 losses of one class: ~350 ns a term against Neumaier's ~20), which is why the
 * per-class totals use CompensatedSum instead.
 *
 * Special cases: an infinite term makes the sum infinite (+∞ and −∞ together give NaN); a
 * finite sum beyond the double range is ±Infinity.
 * @example const s = new ExactSum(); for (const x of [0.1, 0.2, 0.3, -0.6]) s.add(x); s.value // 2.7755575615628914e-17 (the exact sum of those doubles, as math.fsum; a plain sum gives 1.1102230246251565e-16)
 */
export class ExactSum {
  /** partials[0, count): non-overlapping, increasing in magnitude */
  private partials: number[] = [];
  private count = 0;
  private special = 0;

  add(x: number): void {
    if (!(x - x === 0)) {
      this.special += x; // ±∞ (or NaN)
      return;
    }
    const p = this.partials;
    const n = this.count;
    let i = 0;
    for (let j = 0; j < n; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (!(x - x === 0)) {
      // the exact sum left the double range: it is ±∞ from here on
      this.special += x;
      this.count = 0;
      return;
    }
    if (i < p.length) p[i] = x;
    else p.push(x);
    this.count = i + 1;
  }

  /** Adds another exact sum's state (a worker's), exactly. */
  merge(state: ExactSumState): void {
    this.special += state[0];
    for (const x of state[1]) this.add(x);
  }

  /** [infinite part, partials]: plain data to send between threads */
  state(): ExactSumState {
    return [this.special, this.partials.slice(0, this.count)];
  }

  /** The exact sum, rounded to nearest (ties to even) once. */
  get value(): number {
    if (!(this.special === 0)) return this.special; // ±∞ or NaN
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
    // Round half-even correctly: if the rest has the sign of lo, a tie in hi + lo is not a tie.
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/** An ExactSum as plain data: [sum of its infinite terms (0 if none), partials]. */
export type ExactSumState = [number, number[]];

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
    sum.merge([0, Array.from(this.partials.subarray(base, base + this.counts[i]!))]);
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
    for (const [i, [special, partials]] of other.spilled) {
      this.add(i, special);
      for (const x of partials) this.add(i, x);
    }
  }
}
