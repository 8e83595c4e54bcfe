/**
 * Loss totals per class: counts, positives and exact sums of CE and FL, so that every
 * reduction (mean, sum, RetinaNet's sum over the positives) comes out of `finish`, and merging
 * shards gives the bits one pass would (ExactSum: the sums are rounded once, at the end).
 */
import { ExactSum, shareOf, type ExactSumState } from '../../core/index.js';
import type { EvaluatedBatch } from '../evaluate.js';
import { SOFT_CLASS } from '../evaluate.js';
import type { Collector } from './collector.js';

interface ClassTotalsState {
  count: number;
  positives: number;
  ce: ExactSumState;
  fl: ExactSumState;
}

export interface TotalsState {
  /** rows taken */
  rows: number;
  /** rows skipped for their ignore label */
  ignored: number;
  /** rows skipped as invalid (--skip-invalid) */
  skipped: number;
  /** by class key: "0", "1", "soft" (binary), the target index (softmax), the column (sigmoid) */
  classes: Record<string, ClassTotalsState>;
}

export interface ClassTotals {
  key: number | 'soft';
  count: number;
  positives: number;
  ceTotal: number;
  flTotal: number;
  /** this class's part of the whole (null when the whole is 0 or the part infinite) */
  ceShare: number | null;
  flShare: number | null;
}

/** The reduced losses: mean over the elements, sum, and the sum over max(1, positives). */
export interface Reduced {
  mean: number | null;
  sum: number;
  positives: number;
}

export interface TotalsResult {
  rows: number;
  ignored: number;
  skipped: number;
  /** losses summed: rows, or rows × C for sigmoid rows */
  elements: number;
  positives: number;
  ce: Reduced;
  fl: Reduced;
  /** by class key, numbers ascending, 'soft' last */
  classes: ClassTotals[];
}

function keyOf(code: number): string {
  return code === SOFT_CLASS ? 'soft' : String(code);
}

function emptyClass(): ClassTotalsState {
  return { count: 0, positives: 0, ce: { partials: [], nonFinite: 0 }, fl: { partials: [], nonFinite: 0 } };
}

function reduced(sum: number, elements: number, positives: number): Reduced {
  return { mean: elements > 0 ? sum / elements : null, sum, positives: sum / Math.max(1, positives) };
}

export const totalsCollector: Collector<TotalsState, EvaluatedBatch, TotalsResult> = {
  kind: 'totals',
  version: 1,

  create: () => ({ rows: 0, ignored: 0, skipped: 0, classes: {} }),

  add(state, batch) {
    state.rows += batch.rows;
    state.ignored += batch.ignored;
    // one live sum per class for the batch, found by class code (−1 … C − 1) without a Map lookup per element
    const live: ({ t: ClassTotalsState; ce: ExactSum; fl: ExactSum } | undefined)[] = [];
    for (let i = 0; i < batch.count; i++) {
      const code = batch.classOf[i]!;
      let c = live[code + 1];
      if (c === undefined) {
        const t = (state.classes[keyOf(code)] ??= emptyClass());
        c = { t, ce: ExactSum.from(t.ce), fl: ExactSum.from(t.fl) };
        live[code + 1] = c;
      }
      c.t.count++;
      c.t.positives += batch.positive[i]!;
      c.ce.add(batch.ce[i]!);
      c.fl.add(batch.fl[i]!);
    }
    for (const c of live) {
      if (!c) continue;
      c.t.ce = c.ce.state();
      c.t.fl = c.fl.state();
    }
  },

  merge(into, other) {
    into.rows += other.rows;
    into.ignored += other.ignored;
    into.skipped += other.skipped;
    for (const [key, o] of Object.entries(other.classes)) {
      const t = (into.classes[key] ??= emptyClass());
      t.count += o.count;
      t.positives += o.positives;
      const ce = ExactSum.from(t.ce);
      ce.merge(o.ce);
      const fl = ExactSum.from(t.fl);
      fl.merge(o.fl);
      t.ce = ce.state();
      t.fl = fl.state();
    }
  },

  finish(state) {
    const ce = new ExactSum();
    const fl = new ExactSum();
    let elements = 0;
    let positives = 0;
    const keys = Object.keys(state.classes).sort((a, b) =>
      a === 'soft' ? 1 : b === 'soft' ? -1 : Number(a) - Number(b),
    );
    for (const key of keys) {
      const t = state.classes[key]!;
      ce.merge(t.ce);
      fl.merge(t.fl);
      elements += t.count;
      positives += t.positives;
    }
    const ceSum = ce.value;
    const flSum = fl.value;
    const classes = keys.map((key): ClassTotals => {
      const t = state.classes[key]!;
      const ceTotal = ExactSum.from(t.ce).value;
      const flTotal = ExactSum.from(t.fl).value;
      return {
        key: key === 'soft' ? 'soft' : Number(key),
        count: t.count,
        positives: t.positives,
        ceTotal,
        flTotal,
        ceShare: shareOf(ceTotal, ceSum),
        flShare: shareOf(flTotal, flSum),
      };
    });
    return {
      rows: state.rows,
      ignored: state.ignored,
      skipped: state.skipped,
      elements,
      positives,
      ce: reduced(ceSum, elements, positives),
      fl: reduced(flSum, elements, positives),
      classes,
    };
  },
};

/** Losses fed one at a time are passed to the collector in batches of this many. */
const FEED_BATCH = 4096;

/**
 * The totals collector fed one loss at a time (the text path, the command line) rather than
 * by evaluated batches: the same state, hence the same bits, as the batch path gives for the
 * same losses.
 */
export class TotalsFeed {
  readonly state: TotalsState = totalsCollector.create();
  private n = 0;
  private rows = 0;
  private ignored = 0;
  private readonly batch: EvaluatedBatch = {
    rows: 0,
    ignored: 0,
    count: 0,
    ce: new Float64Array(FEED_BATCH),
    fl: new Float64Array(FEED_BATCH),
    classOf: new Int32Array(FEED_BATCH),
    positive: new Uint8Array(FEED_BATCH),
    pt: null,
  };

  /**
   * One sample's losses; `classCode` as EvaluatedBatch.classOf (SOFT_CLASS for a soft label).
   * @param newRow  false for the second and later elements of a sigmoid row
   */
  add(ce: number, fl: number, classCode: number, positive: boolean, newRow = true): void {
    const b = this.batch;
    if (newRow) this.rows++;
    b.ce[this.n] = ce;
    b.fl[this.n] = fl;
    b.classOf[this.n] = classCode;
    b.positive[this.n] = positive ? 1 : 0;
    if (++this.n === FEED_BATCH) this.flush();
  }

  /** A row skipped for its ignore label. */
  ignore(): void {
    this.ignored++;
  }

  /** The state with every loss added so far. */
  totals(): TotalsState {
    this.flush();
    return this.state;
  }

  private flush(): void {
    if (this.n === 0 && this.ignored === 0) return;
    const b = this.batch;
    b.count = this.n;
    b.rows = this.rows;
    b.ignored = this.ignored;
    totalsCollector.add(this.state, b);
    this.n = this.rows = this.ignored = 0;
  }
}
