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
