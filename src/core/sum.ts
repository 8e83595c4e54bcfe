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

/** The exact sum of the expansion p[0 … n − 1] rounded to the nearest double, ties to even (math.fsum's final step). */
function roundExpansion(p: ArrayLike<number>, n: number): number {
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

/*
 * The accumulator of ExactSum (after Radford Neal's xsum "small" accumulator, with float64
 * chunks as JavaScript has no fast int64). A finite double is ±M·2^(e−1075) with an integer M
 * < 2^53 (e the biased exponent, taken as 1 for subnormals); with q = e − 1 = 8i + s,
 * x = ±(Mlo + Mhi·2^32)·2^s · 2^(8i−1074), Mlo the low 32 bits of M. So chunk k holds an
 * integer in units of 2^(8k−1074): a term adds Mlo·2^s (< 2^39) to chunk i and Mhi·2^s (< 2^28)
 * to chunk i + 4, both exactly, as integers below 2^53 add exactly in float64. After
 * CARRY_EVERY terms (|chunk| < 2^39·2^13 + 2^8 < 2^53) a carry pass brings every chunk into
 * [−128, 128). The chunks only ever hold the exact sum, so any order or split of the
 * terms gives the same chunks after a carry pass, hence the same value and state.
 *
 * Why hand-written: Shewchuk's expansion (math.fsum's own loop, used here before) costs a
 * loop over its partials per term: 95 ns per CE loss and 157 ns per FL loss of p uniform in
 * (0, 1) (terms over ~25 binades), where this costs two typed-array reads, two chunk updates
 * and 1/8192 of a carry pass: 10–11 ns, against 7–9 ns for a CompensatedSum
 * (bench/exact-sum.mjs, 10^7 losses, node 20, x64). In `focal loss --input` (one thread,
 * 10^7 rows) the sums went from 13.5% to 6.3% of the CPU profile, and CPU time from 6.9 s to
 * 5.55 s. Chunks in a plain double array and the touched range keep new/from/state under 1 µs,
 * as collectors rebuild their sums from their states once per batch.
 */
/** chunk k is worth 2^(CHUNK_BITS·k − 1074) */
const CHUNK_BITS = 8;
const CHUNK_RADIX = 2 ** CHUNK_BITS;
/** chunks 0 … 259 take terms (q ≤ 2046); the others take carries: the last is worth 2^1094, beyond any sum of < 2^53 doubles */
const CHUNKS = 272;
/** terms between carry passes: each adds < 2^39 to a chunk, which must stay below 2^53 */
const CARRY_EVERY = 1 << 13;
/** scale of a term's parts by sign and s: SCALE[sign · 8 + s] = ±2^s */
const SCALE = Float64Array.from({ length: 16 }, (_, k) => (k < 8 ? 1 : -1) * 2 ** (k & 7));
/** the worth of chunk k (Infinity past the double range) */
const CHUNK_UNIT = Float64Array.from({ length: CHUNKS }, (_, k) => 2 ** (CHUNK_BITS * k - 1074));
/** zero chunks in an array of doubles, which V8 copies far faster than it allocates a Float64Array of 2 KiB (~4 µs) */
const NO_CHUNKS: number[] = Array.from({ length: CHUNKS }, () => 0.5).fill(0);
/** scratch for the digits of |sum| (`expansion` does not re-enter) */
const DIGITS = new Float64Array(CHUNKS);
/** a double's bits: BITS[HIGH] holds the sign, the exponent and the top 20 bits of the fraction */
const FLOAT = new Float64Array(1);
const BITS = new Uint32Array(FLOAT.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const LOW = 1 - HIGH;

/**
 * An exact sum (the correctly rounded sum of math.fsum): every term added so far is held
 * without any rounding, and `value` rounds the total once, correctly. So the result does not
 * depend on the order of the terms nor on how they were split and merged: shards, threads and
 * one pass give the same bits, equal to math.fsum of the same terms. (CompensatedSum cannot
 * promise that: its error, though tiny, depends on the order.) A term costs little more than a
 * CompensatedSum's add (a fixed-point accumulator, see above); `state()` gives the sum as
 * non-overlapping partials, Shewchuk's expansion (docs/partial-format.md).
 *
 * Special cases: ±Infinity and NaN terms are summed apart (∞ + (−∞) = NaN, as IEEE adds);
 * a finite sum whose correct rounding leaves the double range is ±Infinity; zeros are not
 * stored, and an empty sum is +0.
 * @example const s = new ExactSum(); for (const x of [0.1, 0.2, -0.3]) s.add(x); s.value // 2.7755575615628914e-17 (the exact sum of the three doubles)
 */
export class ExactSum {
  private readonly chunks = NO_CHUNKS.slice();
  /** the chunks outside low … high are 0 (so carry passes and conversions skip them) */
  private low = CHUNKS;
  private high = -1;
  /** terms added since the last carry pass */
  private pending = 0;
  private nonFinite = 0;

  add(x: number): void {
    FLOAT[0] = x;
    const high = BITS[HIGH]!;
    const e = (high >>> 20) & 0x7ff;
    if (e === 0 || e === 0x7ff) return this.addSpecial(x, high);
    const q = e - 1;
    const scale = SCALE[((high >>> 28) & 8) | (q & 7)]!;
    const c = this.chunks;
    const i = q >>> 3;
    c[i] = c[i]! + BITS[LOW]! * scale;
    c[i + 4] = c[i + 4]! + ((high & 0xfffff) | 0x100000) * scale;
    if (i < this.low) this.low = i;
    if (i + 4 > this.high) this.high = i + 4;
    if (++this.pending === CARRY_EVERY) this.carry();
  }

  /** A zero, subnormal, infinite or NaN term (FLOAT and BITS still hold it). */
  private addSpecial(x: number, high: number): void {
    if (x === 0) return;
    if (!Number.isFinite(x)) {
      this.nonFinite += x;
      return;
    }
    // a subnormal: ±M·2^−1074, M < 2^52 without the implicit bit, in chunks 0 and 4 (q = 0)
    const sign = high >>> 31 ? -1 : 1;
    this.chunks[0] = this.chunks[0]! + BITS[LOW]! * sign;
    this.chunks[4] = this.chunks[4]! + (high & 0xfffff) * sign;
    this.low = 0;
    if (this.high < 4) this.high = 4;
    if (++this.pending === CARRY_EVERY) this.carry();
  }

  /**
   * Brings the chunks into [−128, 128), keeping their exact sum (the last chunk, worth 2^1094,
   * takes what is left; no sum of doubles reaches it). Balanced digits keep a carry from
   * running up the chunks, as a borrow from a negative sum would with digits in [0, 256).
   */
  private carry(): void {
    const c = this.chunks;
    let carry = 0;
    let k = this.low;
    for (; (k <= this.high || carry !== 0) && k < CHUNKS - 1; k++) {
      const v = c[k]! + carry;
      carry = Math.floor(v / CHUNK_RADIX + 0.5);
      c[k] = v - carry * CHUNK_RADIX;
    }
    if (carry !== 0) c[CHUNKS - 1] = c[CHUNKS - 1]! + carry;
    if (carry !== 0 || k - 1 > this.high) this.high = carry !== 0 ? CHUNKS - 1 : k - 1;
    this.pending = 0;
  }

  /** Adds another exact sum: the result is the exact sum of both term lists, whatever the order. */
  merge(other: ExactSum | ExactSumState): void {
    if (other instanceof ExactSum) {
      this.carry();
      other.carry(); // keeps its sum: the merged chunks stay far below 2^53
      for (let k = other.low; k <= other.high; k++) this.chunks[k] = this.chunks[k]! + other.chunks[k]!;
      if (other.low < this.low) this.low = other.low;
      if (other.high > this.high) this.high = other.high;
      this.nonFinite += other.nonFinite;
      return;
    }
    for (const x of other.partials) this.add(x);
    this.nonFinite += other.nonFinite;
  }

  /**
   * The exact finite sum as partials: non-overlapping, of its sign, increasing in magnitude,
   * each the next 53 bits of the sum (truncated), so no partial exceeds the sum; or
   * `overflow` = ±Infinity when the sum reaches 2^1024 (so does its rounding).
   */
  private expansion(): { partials: number[]; overflow: number } {
    this.carry();
    const c = this.chunks;
    const low = this.low;
    let top = this.high;
    while (top >= low && c[top] === 0) top--;
    const partials: number[] = [];
    if (top < low) return { partials, overflow: 0 };
    // The digits below the top are in [−128, 128), worth less than half a unit of the top
    // digit: the sign is the top's. The digits of |sum|, base 256, in [0, 256):
    const sign = c[top]! < 0 ? -1 : 1;
    const digits = DIGITS;
    let carry = 0;
    for (let k = low; k <= top; k++) {
      const v = sign * c[k]! + carry;
      carry = Math.floor(v / CHUNK_RADIX);
      digits[k] = v - carry * CHUNK_RADIX;
    }
    // (no carry out of the top: the top digit of |sum| is at most 128, less a borrow)
    // From the top digit down, bit positions in units of 2^−1074: each partial takes the bits
    // from its highest one (lead) down to lead − 52, which its double holds exactly.
    let partial = 0;
    let lowest = Infinity;
    for (let k = top; k >= low; k--) {
      let d = digits[k]!;
      if (d === 0) continue;
      const at = CHUNK_BITS * k;
      if (partial !== 0 && at < lowest) {
        // bits of d below the window go to the next partial
        const below = Math.min(lowest - at, CHUNK_BITS);
        const high = d - (d % 2 ** below);
        partial += high * CHUNK_UNIT[k]!;
        partials.push(sign * partial);
        partial = 0;
        d -= high;
        if (d === 0) continue;
      }
      if (partial === 0) {
        lowest = at + 31 - Math.clz32(d) - 52;
        if (lowest + 52 >= 1074 + 1024) return { partials: [], overflow: sign * Infinity };
      }
      partial += d * CHUNK_UNIT[k]!;
    }
    if (partial !== 0) partials.push(sign * partial);
    return { partials: partials.reverse(), overflow: 0 };
  }

  state(): ExactSumState {
    const { partials, overflow } = this.expansion();
    return { partials, nonFinite: this.nonFinite + overflow };
  }

  static from(state: ExactSumState): ExactSum {
    const s = new ExactSum();
    s.merge(state);
    return s;
  }

  /** The exact sum rounded to the nearest double, ties to even (math.fsum's final step). */
  get value(): number {
    if (this.nonFinite !== 0) return this.nonFinite;
    const { partials, overflow } = this.expansion();
    return overflow !== 0 ? overflow : roundExpansion(partials, partials.length);
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
    const base = i * INLINE_PARTIALS;
    return roundExpansion(this.partials.subarray(base, base + this.counts[i]!), this.counts[i]!);
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
