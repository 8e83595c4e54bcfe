import { nextUp, rounderOf, type DType } from './dtype.js';
import type { Framework } from './frameworks.js';
import { measureSample, DEFAULT_TOLERANCE, type Problem, type SampleMeasure } from './measure.js';

/** One framework × dtype × γ × α × label, over a range of logits (or probabilities). */
export interface StabilityQuery {
  framework: Framework;
  dtype: DType;
  kind: 'logit' | 'p';
  gamma: number;
  alpha: number | null;
  y: number;
  from: number;
  to: number;
  tolerance?: number;
}

export type Quantity = 'loss' | 'grad';

/** A maximal run of the dtype's grid where one quantity has one problem. */
export interface Interval {
  quantity: Quantity;
  problem: Problem;
  /** first and last input of the run, both values of the dtype */
  from: number;
  to: number;
  /** the largest relative error seen in the run (Infinity for NaN/±Inf/0) */
  worst: number;
  /**
   * the share of the run's points that have the problem: runs of one problem separated only by
   * stretches without a problem are one interval (an error that flickers across a threshold
   * is one region, not hundreds); 1 when it holds throughout. For float16/bfloat16 the points
   * are every value of the dtype; for float32/float64, the probes and bisection points.
   */
  share: number;
}

/** 16-bit formats are scanned value by value; wider ones at this many points, then bisected. */
const UNIFORM_POINTS = 4096;
/** log-spaced points per side, so that runs near 0 (or near p = 0 and 1) are seen too */
const LOG_POINTS = 1024;

type State = Problem | null;

/**
 * The intervals of the input range where the framework's loss or gradient is NaN, ±Inf, 0
 * where the exact value is not, or off by more than the tolerance (relative).
 *
 * float16 and bfloat16 are scanned exhaustively, every value of the dtype in the range, so
 * the intervals are complete and exact. float32 and float64 are probed at uniformly and
 * logarithmically spaced points of the dtype; wherever two neighbouring probes differ, the
 * boundary is found by bisection down to two adjacent values of the dtype, so every boundary
 * reported is exact, but a run narrower than the probe spacing can be missed.
 */
export function stabilityIntervals(q: StabilityQuery): Interval[] {
  const tolerance = q.tolerance ?? DEFAULT_TOLERANCE;
  const cache = new Map<number, SampleMeasure>();
  const measure = (v: number): SampleMeasure => {
    let m = cache.get(v);
    if (!m) {
      m = measureSample(
        q.framework,
        q.dtype,
        { kind: q.kind, value: v, y: q.y, gamma: q.gamma, alpha: q.alpha },
        tolerance,
      );
      cache.set(v, m);
    }
    return m;
  };
  const exhaustive = q.dtype === 'float16' || q.dtype === 'bfloat16';
  const probes = exhaustive ? gridOf(q.dtype, q.from, q.to) : probesOf(q.dtype, q.from, q.to);
  const out: Interval[] = [];
  for (const quantity of ['loss', 'grad'] as const) {
    const stateOf = (v: number): State => (quantity === 'loss' ? measure(v).fl : measure(v).grad).problem;
    const points = exhaustive ? probes : refine(q.dtype, probes, stateOf);
    let run: Interval | null = null;
    let bad = 0; // points with the run's problem, and all points, from its first to its last bad one
    let total = 0;
    let pendingGood = 0; // points without a problem since the run's last bad one
    for (const v of points) {
      const state = stateOf(v);
      if (state === null) {
        if (run) pendingGood++;
        continue;
      }
      const m = quantity === 'loss' ? measure(v).fl : measure(v).grad;
      if (run && state === run.problem) {
        total += pendingGood + 1;
        bad++;
        pendingGood = 0;
        run.to = v;
        run.worst = Math.max(run.worst, m.relative);
        continue;
      }
      if (run) out.push({ ...run, share: bad / total });
      run = { quantity, problem: state, from: v, to: v, worst: m.relative, share: 1 };
      bad = 1;
      total = 1;
      pendingGood = 0;
    }
    if (run) out.push({ ...(run as Interval), share: bad / total });
  }
  return out;
}

/** Every value of the dtype in [from, to], in order. */
function gridOf(dtype: DType, from: number, to: number): number[] {
  const out: number[] = [];
  let v = roundInto(dtype, from, from, to);
  while (v <= to) {
    out.push(v);
    v = nextUp(dtype, v);
  }
  return out;
}

/** A dtype value in [from, to] near v (the range's ends rounded inwards). */
function roundInto(dtype: DType, v: number, from: number, to: number): number {
  const r = rounderOf(dtype)(v);
  if (r < from) return nextUp(dtype, r);
  if (r > to) return -nextUp(dtype, -r);
  return r;
}

function probesOf(dtype: DType, from: number, to: number): number[] {
  const set = new Set<number>();
  for (let i = 0; i <= UNIFORM_POINTS; i++) set.add(from + ((to - from) * i) / UNIFORM_POINTS);
  const top = Math.max(Math.abs(from), Math.abs(to));
  // from the smallest normal of the dtype up to the range's end, on both sides of 0
  const bottom = dtype === 'float64' ? 1e-300 : 1e-37;
  for (let i = 0; i <= LOG_POINTS; i++) {
    const m = bottom * (top / bottom) ** (i / LOG_POINTS);
    for (const v of [m, -m, 1 - m, m - 1]) if (v >= from && v <= to) set.add(v);
  }
  if (0 >= from && 0 <= to) set.add(0);
  const values = [...set].map((v) => roundInto(dtype, v, from, to));
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The probes with, between every two whose states differ, the two adjacent dtype values where the state changes. */
function refine(dtype: DType, probes: readonly number[], stateOf: (v: number) => State): number[] {
  const round = rounderOf(dtype);
  const out: number[] = [];
  for (let i = 0; i < probes.length; i++) {
    const b = probes[i]!;
    if (i > 0) {
      let lo = probes[i - 1]!;
      let hi = b;
      const left = stateOf(lo);
      if (stateOf(hi) !== left) {
        while (nextUp(dtype, lo) < hi) {
          const mid = round(lo / 2 + hi / 2);
          if (mid <= lo || mid >= hi) break;
          if (stateOf(mid) === left) lo = mid;
          else hi = mid;
        }
        if (lo !== out[out.length - 1]) out.push(lo);
        if (hi !== b) out.push(hi);
      }
    }
    out.push(b);
  }
  return out;
}
