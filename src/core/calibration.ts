import { twoProduct } from './float.js';
import { ExactSum } from './sum.js';

/**
 * Calibration measures as torchmetrics defines them (CalibrationError, v1.x:
 * functional/classification/calibration_error.py), in float64:
 *   bin edges   torch.linspace(0, 1, B + 1) (B = 15 by default, as Guo et al. 2017 and
 *               Mukhoti et al. 2020 use); a confidence c goes to bin bucketize(c, edges,
 *               right=True) − 1, i.e. the number of edges ≤ c, minus 1: bins [e_b, e_{b+1}) and a
 *               last bin of its own for c = 1 exactly (torchmetrics keeps B + 1 slots);
 *   ECE (l1)    Σ_b (n_b/n)·|acc_b − conf_b|, acc_b and conf_b the means in bin b;
 *   MCE (max)   max_b |acc_b − conf_b| (an empty bin counts 0, as nan_to_num makes it there).
 * Binary input: the confidence is p of class 1 and the "accuracy" the label (torchmetrics'
 * binary_calibration_error); multiclass: the top-label confidence max_j p_j, correct when the
 * arg-max is the target.
 */

/** Equal-width bins by default (Guo et al. 2017; Mukhoti et al. 2020). */
export const DEFAULT_CALIBRATION_BINS = 15;

/**
 * torch.linspace(0, 1, bins + 1) in float64, to the bit: step = 1/bins, the first half
 * start + i·step, the second half end − (steps − 1 − i)·step (torch's symmetric formula).
 * @example calibrationEdges(15)[15] // 1
 */
export function calibrationEdges(bins: number): Float64Array {
  const steps = bins + 1;
  const step = 1 / bins;
  const half = Math.floor(steps / 2);
  const edges = new Float64Array(steps);
  for (let i = 0; i < steps; i++) edges[i] = i < half ? i * step : 1 - (steps - 1 - i) * step;
  return edges;
}

/** torch.bucketize(c, edges, right=True) − 1 for c ∈ [0, 1]: 0 … bins (bins: c = 1). */
export function calibrationBin(c: number, edges: Float64Array): number {
  const bins = edges.length - 1;
  let b = Math.min(bins, Math.max(0, Math.floor(c * bins)));
  while (b > 0 && edges[b]! > c) b--;
  while (b < bins && edges[b + 1]! <= c) b++;
  return b;
}

/** One bin: how many samples, the sum of their confidences, how many were right. */
export interface BinSums {
  count: number;
  confidence: number;
  hits: number;
}

export interface BinResult {
  count: number;
  /** mean confidence (0 for an empty bin, as torchmetrics' nan_to_num) */
  confidence: number;
  /** fraction right (0 for an empty bin) */
  accuracy: number;
}

/** Per-bin means as torchmetrics computes them. */
export function binMeans(bins: readonly BinSums[]): BinResult[] {
  return bins.map((b) => ({
    count: b.count,
    confidence: b.count > 0 ? b.confidence / b.count : 0,
    accuracy: b.count > 0 ? b.hits / b.count : 0,
  }));
}

/** ECE (norm l1) and MCE (norm max) from per-bin means; null for no samples. */
export function calibrationErrors(bins: readonly BinResult[]): { ece: number; mce: number } | null {
  let n = 0;
  for (const b of bins) n += b.count;
  if (n === 0) return null;
  let ece = 0;
  let mce = 0;
  for (const b of bins) {
    const gap = Math.abs(b.accuracy - b.confidence);
    ece += gap * (b.count / n);
    mce = Math.max(mce, gap);
  }
  return { ece, mce };
}

/**
 * AdaECE (Mukhoti et al. 2020): the l1 calibration error over B equal-mass bins. Defined here
 * by rank, exactly: the samples sorted by (confidence, hit) ascending, bin b holds ranks
 * ⌊b·n/B⌋ … ⌊(b + 1)·n/B⌋ − 1, so every sample is in one bin and bins differ by at most one
 * sample. (Mukhoti et al.'s code places edges with np.interp over the sorted confidences and
 * drops samples equal to the lowest edge; on data without ties the bins agree up to those
 * edge samples.) Sums are exact, so the result does not depend on the input order.
 * @param confidence  the confidences (any order)
 * @param hit         1 where the sample was right, else 0
 */
export function adaptiveCalibrationError(
  confidence: ArrayLike<number>,
  hit: ArrayLike<number>,
  bins: number,
): number | null {
  const n = confidence.length;
  if (n === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => confidence[a]! - confidence[b]! || hit[a]! - hit[b]!,
  );
  const result: BinResult[] = [];
  for (let b = 0; b < bins; b++) {
    const [from, to] = [Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins)];
    const conf = new ExactSum();
    let hits = 0;
    for (let r = from; r < to; r++) {
      conf.add(confidence[order[r]!]!);
      hits += hit[order[r]!]!;
    }
    const count = to - from;
    result.push({ count, confidence: count > 0 ? conf.value / count : 0, accuracy: count > 0 ? hits / count : 0 });
  }
  return calibrationErrors(result)!.ece;
}

/** A pass over the samples: calls `visit` once per sample, in any order, the same samples every time. */
export type ConfidencePass = (visit: (confidence: number, hit: number) => void) => void;

const BITS64 = new Float64Array(1);
const WORDS = new Uint32Array(BITS64.buffer);
const [LOW_WORD, HIGH_WORD] = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? [0, 1] : [1, 0];

/**
 * The top 16·depth bits of a confidence's bit pattern as one number (depth 0 … 3: at most 48
 * bits, exact in a double), and the next 16 bits (digitOf). For doubles ≥ 0 the bit pattern
 * orders as the values, so prefixes order as the values they start.
 */
let digitOf = 0;
function prefixAt(c: number, depth: number): number {
  BITS64[0] = c + 0; // −0 → +0
  const hi = WORDS[HIGH_WORD]!;
  const lo = WORDS[LOW_WORD]!;
  // (the digit into a variable rather than a returned pair: this runs for every sample of a pass)
  if (depth === 0) {
    digitOf = hi >>> 16;
    return 0;
  }
  if (depth === 1) {
    digitOf = hi & 0xffff;
    return hi >>> 16;
  }
  if (depth === 2) {
    digitOf = lo >>> 16;
    return hi;
  }
  digitOf = lo & 0xffff;
  return hi * 65536 + (lo >>> 16);
}

/** Samples whose prefix ties with a boundary's: held (value and hit) for the last pass to sort, up to this many. */
export const ADAPTIVE_CANDIDATES = 1 << 16;

/**
 * AdaECE exactly as adaptiveCalibrationError defines it, in constant memory: from passes over
 * the samples instead of the samples sorted in memory. The confidences at the B − 1 bin
 * boundaries (ranks ⌊b·n/B⌋) are narrowed down by a radix selection on their bit patterns,
 * 16 bits a pass (one histogram of 2^16 counts per distinct prefix), only until the samples that
 * share a boundary's prefix are few (at most `candidates` in all; usually after two passes). The
 * last pass then sums every other sample into its bin exactly — its bin follows from its prefix
 * alone — and holds those few, which are sorted by (confidence, hit) and shared out by rank. At
 * the full 64 bits the samples sharing a prefix are equal, so only their hits are counted (ties
 * sorted by (confidence, hit) are identical within a hit value). The bins, and the result, are
 * those of the sort, bit for bit.
 * @param n           the number of samples a pass visits
 * @param candidates  how many samples the last pass may hold in memory (9 bytes each)
 */
export function adaptiveCalibrationErrorByPasses(
  pass: ConfidencePass,
  n: number,
  bins: number,
  candidates = ADAPTIVE_CANDIDATES,
): number | null {
  if (n === 0) return null;
  const start = (b: number) => Math.floor((b * n) / bins);
  // per boundary b = 1 … B − 1: the prefix found so far (at the full 64 bits: the value, as a
  // 64-bit integer is not exact in a double), its rank among the samples sharing it, how many share it
  const targets = Array.from({ length: bins - 1 }, (_, i) => ({ prefix: 0, rank: start(i + 1), sharing: n }));
  let depth = 0;
  // (boundaries ascend with their ranks, so equal prefixes are neighbours)
  const distinct = () => targets.filter((t, i) => i === 0 || t.prefix !== targets[i - 1]!.prefix);
  while (depth < 4 && distinct().reduce((a, t) => a + t.sharing, 0) > candidates) {
    // (counts below 2^32 fit 4 bytes: 256 KiB a histogram)
    const histograms = new Map<number, Uint32Array | Float64Array>();
    for (const t of distinct())
      histograms.set(t.prefix, n < 2 ** 32 ? new Uint32Array(65536) : new Float64Array(65536));
    // one prefix shared by every boundary (the first level, and often later ones): no map look-up
    const only = histograms.size === 1 ? [...histograms.entries()][0]! : null;
    const level = depth;
    pass((c) => {
      const prefix = prefixAt(c, level);
      const h = only ? (only[0] === prefix ? only[1] : undefined) : histograms.get(prefix);
      if (h) h[digitOf]!++;
    });
    for (const t of targets) {
      const h = histograms.get(t.prefix)!;
      let d = 0;
      while (t.rank >= h[d]!) t.rank -= h[d++]!;
      t.prefix = level < 3 ? t.prefix * 65536 + d : valueOfBits(t.prefix, d);
      t.sharing = h[d]!;
    }
    depth++;
  }
  // the distinct boundary prefixes (ascending), the samples below each, and a group per prefix
  // for the samples sharing it: ranks rankStart … rankStart + sharing − 1
  const groups = distinct().map((t) => ({
    prefix: t.prefix,
    below: targets.filter((u) => u.prefix < t.prefix).length,
    rankStart: start(targets.indexOf(t) + 1) - t.rank,
    size: 0,
    values: depth < 4 ? new Float64Array(t.sharing) : null,
    hits: new Uint8Array(depth < 4 ? t.sharing : 0),
    counted: [0, 0],
  }));
  // at the full 64 bits the prefix is the value (doubles ≥ 0 order as their bits)
  const full = depth === 4;
  const keys = groups.map((g) => g.prefix);
  const sums = Array.from({ length: bins }, () => ({ count: 0, hits: 0, confidence: new ExactSum() }));
  pass((c, hit) => {
    const key = full ? c + 0 : prefixAt(c, depth);
    // the groups whose key is below this one's
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo < keys.length && keys[lo] === key) {
      const g = groups[lo]!;
      if (g.values) {
        g.values[g.size] = c;
        g.hits[g.size++] = hit;
      } else g.counted[hit]!++;
      return;
    }
    // below every boundary of the groups above, above every one of the groups below
    const s = sums[lo < keys.length ? groups[lo]!.below : bins - 1]!;
    s.count++;
    s.hits += hit;
    s.confidence.add(c);
  });
  // each group in (confidence, hit) order: rank rankStart + k goes to the bin holding that rank
  const binOf = (rank: number) => {
    let b = Math.min(bins - 1, Math.floor((rank * bins) / n));
    while (b > 0 && start(b) > rank) b--;
    while (b < bins - 1 && start(b + 1) <= rank) b++;
    return b;
  };
  for (const g of groups) {
    if (g.values) {
      const order = Uint32Array.from({ length: g.size }, (_, k) => k).sort(
        (a, b) => g.values![a]! - g.values![b]! || g.hits[a]! - g.hits[b]!,
      );
      order.forEach((k, r) => {
        const s = sums[binOf(g.rankStart + r)]!;
        s.count++;
        s.hits += g.hits[k]!;
        s.confidence.add(g.values![k]!);
      });
      continue;
    }
    // equal values: ranks rankStart … end − 1, the misses first
    const value = keys[groups.indexOf(g)]!;
    const [misses, hits] = g.counted as [number, number];
    const end = g.rankStart + misses + hits;
    for (let b = 0; b < bins; b++) {
      const [from, to] = [Math.max(start(b), g.rankStart), Math.min(start(b + 1), end)];
      if (to <= from) continue;
      const s = sums[b]!;
      s.count += to - from;
      s.hits += Math.max(0, to - Math.max(from, g.rankStart + misses));
      const [p, e] = twoProduct(to - from, value);
      s.confidence.add(p);
      s.confidence.add(e);
    }
  }
  return calibrationErrors(
    sums.map((s) => ({
      count: s.count,
      confidence: s.count > 0 ? s.confidence.value / s.count : 0,
      accuracy: s.count > 0 ? s.hits / s.count : 0,
    })),
  )!.ece;
}

/** The double whose bit pattern is the 48-bit `prefix` followed by the 16-bit `last`. */
function valueOfBits(prefix: number, last: number): number {
  const hi = Math.floor(prefix / 65536);
  WORDS[HIGH_WORD] = hi;
  WORDS[LOW_WORD] = (prefix - hi * 65536) * 65536 + last;
  return BITS64[0]!;
}

/**
 * Softmax of a logit vector, or a probability vector divided by its sum, into `out`.
 * Logits are shifted by their maximum first (no overflow).
 */
export function probabilitiesInto(out: Float64Array, kind: 'probs' | 'logits', v: ArrayLike<number>): Float64Array {
  const k = v.length;
  if (kind === 'probs') {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += v[j]!;
    for (let j = 0; j < k; j++) out[j] = v[j]! / sum;
    return out;
  }
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, v[j]!);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += out[j] = Math.exp(v[j]! - max);
  for (let j = 0; j < k; j++) out[j]! /= sum;
  return out;
}

/** The fitted temperature, or why there is none. */
export interface TemperatureFit {
  /** T minimising the mean NLL of softmax(z/T); null when no finite positive T does */
  temperature: number | null;
  /** 1/T, the variable the fit solves for */
  inverse: number | null;
  iterations: number;
  /** why temperature is null */
  reason?: string;
}

/**
 * Temperature scaling (Guo et al. 2017): the T > 0 minimising Σ_i NLL_i(T) with
 * NLL_i = logsumexp(β·z_i) − β·z_{i,t}, β = 1/T. In β the sum is convex (a log-sum-exp of
 * linear functions minus a linear one):
 *   f'(β)  = Σ_i (E_{softmax(βz_i)}[z] − z_{i,t}),   f''(β) = Σ_i Var_{softmax(βz_i)}[z] ≥ 0,
 * so β* is the one root of f'. It is found by a safeguarded Newton iteration — Newton steps
 * inside a bracket [lo, hi] with f'(lo) < 0 < f'(hi), bisection when a step leaves it — on
 * exact sums (ExactSum) of the per-sample terms, so the result is the same however the samples
 * were split and ordered. A binary sample is the pair of logits (0, x) with label y.
 *
 * Special cases: f'(0) ≥ 0 (the predictions are no better than uniform) → no finite T (null);
 * f'(β) < 0 up to β = 2^40 (separable: NLL falls as T → 0) → null; a sample whose target
 * has logit −∞ (p = 0 on the true class) makes the NLL infinite for every T → null.
 * @param logits   n·width values: a binary logit per sample (width 1) or a K-vector (width K)
 * @param labels   the label 0/1 (binary) or the target index
 */
export function fitTemperature(logits: ArrayLike<number>, labels: ArrayLike<number>, width: number): TemperatureFit {
  return fitTemperatureBy((beta) => {
    const sums = new TemperatureSums(beta);
    for (let i = 0; i < labels.length; i++) sums.add(logits, i * width, width, labels[i]!);
    return sums;
  });
}

/**
 * The per-sample terms of f'(β) and f''(β) (see fitTemperature), summed exactly; `infinite`
 * once a sample's NLL is infinite at every T.
 */
export class TemperatureSums {
  private readonly first = new ExactSum();
  private readonly second = new ExactSum();
  infinite = false;

  constructor(readonly beta: number) {}

  /** the sample whose logits are z[at … at + width − 1] (width 1: a binary logit) and whose label or target is `label` */
  add(z: ArrayLike<number>, at: number, width: number, label: number): void {
    const beta = this.beta;
    if (width === 1) {
      const x = z[at]!;
      if (!Number.isFinite(x)) {
        // p = 1 or 0: no gradient when right, an infinite NLL when wrong
        if (x > 0 !== (label === 1)) this.infinite = true;
        return;
      }
      // σ(βx) and σ(−βx) from one exp, as core/sigmoid.ts's sigmoid computes each (the same bits)
      const t = beta * x;
      const e = Math.exp(-Math.abs(t));
      const p = t >= 0 ? 1 / (1 + e) : e / (1 + e);
      const complement = t >= 0 ? e / (1 + e) : 1 / (1 + e);
      this.first.add(x * (p - label));
      this.second.add(x * x * p * complement);
      return;
    }
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, z[at + j]!);
    const zt = z[at + label]! - max;
    if (zt === -Infinity) {
      this.infinite = true;
      return;
    }
    let sum = 0;
    let first = 0;
    for (let j = 0; j < width; j++) {
      const d = z[at + j]! - max;
      const w = Math.exp(beta * d);
      if (w === 0) continue;
      sum += w;
      first += w * d;
    }
    const mean = first / sum;
    let variance = 0;
    for (let j = 0; j < width; j++) {
      const d = z[at + j]! - max;
      const w = Math.exp(beta * d);
      if (w === 0) continue;
      variance += w * (d - mean) * (d - mean);
    }
    this.first.add(mean - zt);
    this.second.add(variance / sum);
  }

  /** `count` samples: logits z[i·width …], labels[i] (a block of a spool, with no call per sample) */
  addAll(z: Float64Array, labels: Float64Array, count: number, width: number): void {
    for (let i = 0; i < count; i++) this.add(z, i * width, width, labels[i]!);
  }

  get derivatives(): [number, number] {
    return [this.first.value, this.second.value];
  }
}

/**
 * fitTemperature's iteration with the sums over the samples computed by `pass` (one pass over
 * the samples per call: a file read again, in constant memory).
 *
 * The result is defined by the sums alone, not by the path to it: β* is the double at which the
 * exactly summed f'(β) changes sign, f'(β*) ≥ 0 > f'(β* − 1 ulp) — so a better start or another
 * order of steps gives the same bits (unless f' rounds to exactly 0 somewhere: that β is taken,
 * as before; or its rounding noise exceeds f''·ulp, where it may change sign more than once). The iteration: a bracket [lo, hi] with f'(lo) < 0 ≤ f'(hi)
 * by doubling from 1 (no finite T past 2^40), a first iterate by regula falsi from the values
 * known already, then Newton steps inside the bracket (bisection when one leaves it) until lo
 * and hi are neighbouring doubles. Newton's quadratic convergence leaves β within an ulp or two
 * of the sign change; where its step falls below an ulp, the neighbouring double on the root's
 * side is tested instead, so the end costs a pass or two rather than a bisection down to 2^-52.
 */
export function fitTemperatureBy(pass: (beta: number) => TemperatureSums): TemperatureFit {
  let infinite = false;
  // every β's derivatives, so no β costs a second pass
  const known = new Map<number, [number, number]>();
  const derivatives = (beta: number): [number, number] => {
    let value = known.get(beta);
    if (value) return value;
    const sums = pass(beta);
    infinite ||= sums.infinite;
    known.set(beta, (value = sums.derivatives));
    return value;
  };
  let iterations = 0;
  const [atZero] = derivatives(0);
  if (infinite)
    return {
      temperature: null,
      inverse: null,
      iterations,
      reason: 'a sample gives its true class probability 0: the NLL is infinite at every T',
    };
  if (!(atZero < 0))
    return {
      temperature: null,
      inverse: null,
      iterations,
      reason: 'the NLL does not fall below that of uniform predictions for any T > 0',
    };
  let [lo, atLo] = [0, atZero];
  let hi = 1;
  let atHi: number;
  for (;;) {
    [atHi] = derivatives(hi);
    iterations++;
    if (atHi >= 0) break;
    [lo, atLo] = [hi, atHi];
    hi *= 2;
    if (hi > 2 ** 40)
      return {
        temperature: null,
        inverse: null,
        iterations,
        reason: 'the classes are separable: the NLL keeps falling as T → 0',
      };
  }
  const falsi = lo - (atLo * (hi - lo)) / (atHi - atLo);
  let beta = falsi > lo && falsi < hi ? falsi : (lo + hi) / 2;
  // Newton steps in a row that fell below an ulp
  let stalls = 0;
  for (let k = 0; k < 200 && nextUp(lo) < hi; k++) {
    const [f, g] = derivatives(beta);
    iterations++;
    // exactly 0 (in practice: every term underflowed, far out on separable data) ends it here
    if (f === 0) return { temperature: 1 / beta, inverse: beta, iterations };
    if (f < 0) lo = beta;
    else hi = beta;
    if (nextUp(lo) >= hi) break;
    const newton = beta - f / g;
    let next: number;
    if (g > 0 && newton === beta) {
      // a step below an ulp: the neighbour on the root's side, then (the sum's rounding noise
      // exceeds f''·ulp) 2, 4, 8 … doubles on, until the bracket's ends are neighbours
      next = stepDoubles(beta, (f < 0 ? 1 : -1) * 2 ** stalls++);
      if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    } else {
      stalls = 0;
      next = g > 0 && newton > lo && newton < hi ? newton : (lo + hi) / 2;
    }
    beta = next;
  }
  return { temperature: 1 / hi, inverse: hi, iterations };
}

/** The double `k` doubles above (k < 0: below) a finite x ≥ 0, for |k| < 2^32: its bit pattern plus k. */
function stepDoubles(x: number, k: number): number {
  BITS64[0] = x + 0;
  const low = WORDS[LOW_WORD]! + k;
  const carry = Math.floor(low / 2 ** 32);
  WORDS[LOW_WORD] = low - carry * 2 ** 32;
  WORDS[HIGH_WORD] = WORDS[HIGH_WORD]! + carry;
  return BITS64[0]!;
}

const nextUp = (x: number) => stepDoubles(x, 1);

/**
 * The binary logit of a probability p of class 1: log p − log1p(−p) (±Infinity at p = 1, 0).
 * @example logitOf(0.5) // 0
 */
export function logitOf(p: number): number {
  return Math.log(p) - Math.log1p(-p);
}
