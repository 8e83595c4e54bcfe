/**
 * The calibration report of `focal calibration` (definitions in core/calibration.ts). Streaming
 * and exact: per equal-width bin a count, an exact sum of confidences and a hit count, for the
 * top label and for each class (classwise ECE), and exact sums of the NLL and the Brier score.
 * AdaECE (equal-mass bins) needs the confidences sorted and temperature scaling needs every
 * logit at each trial T: for those the state keeps the samples themselves, up to KEEP_LIMIT
 * (beyond, both are reported as null with a note). Merge concatenates them; finish sorts and
 * sums exactly, so the result does not depend on how the input was split.
 */
import {
  adaptiveCalibrationError,
  binaryTermsInto,
  binMeans,
  calibrationBin,
  calibrationEdges,
  calibrationErrors,
  emptyTerms,
  evaluateCategorical,
  ExactSum,
  fitTemperature,
  logitOf,
  probabilitiesInto,
  type BinResult,
  type ExactSumState,
  type TemperatureFit,
} from '../../core/index.js';
import { UsageError } from '../../errors.js';
import type { Collector } from './collector.js';
import { isMulticlass, requireHardLabel, type PredictionBatch } from './predictions.js';

/** Samples kept for AdaECE and the temperature fit (16 bytes + 8 per logit each). */
export const KEEP_LIMIT = 2_000_000;

interface BinState {
  counts: number[];
  confidence: ExactSumState[];
  hits: number[];
}

export interface CalibrationState {
  bins: number;
  /** null until the first batch */
  kind: PredictionBatch['kind'] | null;
  width: number;
  n: number;
  correct: number;
  nll: ExactSumState;
  brier: ExactSumState;
  /** the top label (binary: p of class 1 against the label) */
  top: BinState;
  /** per class c: p_c against [target = c] */
  classwise: BinState[];
  /** the samples, for AdaECE and temperature scaling; null once more than KEEP_LIMIT */
  kept: { confidence: number[]; hit: number[]; logits: number[]; labels: number[] } | null;
}

export interface ReliabilityBin extends BinResult {
  from: number;
  to: number;
}

export interface CalibrationResult {
  n: number;
  classes: number;
  accuracy: number;
  ece: number;
  mce: number;
  adaptiveEce: number | null;
  classwiseEce: number;
  brier: number;
  nll: number;
  reliability: ReliabilityBin[];
  temperature: TemperatureFit | null;
  /** the report again on the logits divided by T (no further fit) */
  scaled: Omit<CalibrationResult, 'temperature' | 'scaled' | 'reliability'> | null;
}

const empty = (): ExactSumState => ({ partials: [], nonFinite: 0 });
const emptyBins = (bins: number): BinState => ({ counts: new Array(bins + 1).fill(0), confidence: Array.from({ length: bins + 1 }, empty), hits: new Array(bins + 1).fill(0) });

function mergeBins(into: BinState, other: BinState): void {
  other.counts.forEach((c, b) => {
    into.counts[b]! += c;
    into.hits[b]! += other.hits[b]!;
    const s = ExactSum.from(into.confidence[b]!);
    s.merge(other.confidence[b]!);
    into.confidence[b] = s.state();
  });
}

function means(b: BinState): BinResult[] {
  return binMeans(b.counts.map((count, i) => ({ count, confidence: ExactSum.from(b.confidence[i]!).value, hits: b.hits[i]! })));
}

export function calibrationCollector(bins: number, keepLimit = KEEP_LIMIT): Collector<CalibrationState, PredictionBatch, CalibrationResult> {
  const edges = calibrationEdges(bins);
  const terms = emptyTerms();
  return {
    kind: 'calibration',
    version: 1,

    create: () => ({ bins, kind: null, width: 0, n: 0, correct: 0, nll: empty(), brier: empty(), top: emptyBins(bins), classwise: [], kept: { confidence: [], hit: [], logits: [], labels: [] } }),

    add(state, batch) {
      if (state.kind === null) {
        state.kind = batch.kind;
        state.width = batch.width;
        state.classwise = Array.from({ length: isMulticlass(batch.kind) ? batch.width : 2 }, () => emptyBins(bins));
      } else if (isMulticlass(state.kind) !== isMulticlass(batch.kind) || state.width !== batch.width) throw new UsageError('calibration: binary and multiclass predictions (or different class counts) do not mix in one report');
      const classes = state.classwise.length;
      const live = (b: BinState) => ({ b, sums: b.confidence.map((s) => ExactSum.from(s)) });
      const top = live(state.top);
      const classwise = state.classwise.map(live);
      const nll = ExactSum.from(state.nll);
      const brier = ExactSum.from(state.brier);
      const probs = new Float64Array(classes);
      const put = (l: ReturnType<typeof live>, c: number, hit: number) => {
        const b = calibrationBin(c, edges);
        l.b.counts[b]!++;
        l.b.hits[b]! += hit;
        l.sums[b]!.add(c);
      };
      if (state.kept && state.kept.labels.length + batch.count > keepLimit) state.kept = null;
      for (let i = 0; i < batch.count; i++) {
        requireHardLabel(batch, i, 'calibration');
        const y = batch.labels[i]!;
        let confidence: number;
        let hit: number;
        if (!isMulticlass(batch.kind)) {
          const v = binaryTermsInto(terms, batch.kind, batch.values[i]!, y);
          // torchmetrics' binary calibration: p of class 1 against the label; accuracy at p > 0.5
          confidence = v.p;
          hit = y;
          if ((v.p > 0.5 ? 1 : 0) === y) state.correct++;
          put(classwise[1]!, v.p, y);
          put(classwise[0]!, v.pNeg, 1 - y);
          nll.add(v.ce);
          brier.add((v.p - y) * (v.p - y));
          if (state.kept) state.kept.logits.push(batch.kind === 'logit' ? batch.values[i]! : logitOf(v.p));
        } else {
          const vector = batch.values.subarray(i * classes, (i + 1) * classes);
          probabilitiesInto(probs, batch.kind, vector);
          let top = 0;
          for (let j = 1; j < classes; j++) if (probs[j]! > probs[top]!) top = j;
          confidence = probs[top]!;
          hit = top === y ? 1 : 0;
          state.correct += hit;
          let b = 0;
          for (let j = 0; j < classes; j++) {
            const d = probs[j]! - (j === y ? 1 : 0);
            b += d * d;
            put(classwise[j]!, probs[j]!, j === y ? 1 : 0);
          }
          brier.add(b);
          nll.add(evaluateCategorical(batch.kind, vector, y, { gamma: 0, alpha: null }).ce);
          if (state.kept) for (let j = 0; j < classes; j++) state.kept.logits.push(batch.kind === 'logits' ? vector[j]! : Math.log(vector[j]!));
        }
        put(top, confidence, hit);
        state.n++;
        if (state.kept) {
          state.kept.confidence.push(confidence);
          state.kept.hit.push(hit);
          state.kept.labels.push(y);
        }
      }
      for (const l of [top, ...classwise]) l.b.confidence = l.sums.map((s) => s.state());
      state.nll = nll.state();
      state.brier = brier.state();
    },

    merge(into, other) {
      if (other.kind === null) return;
      if (into.bins !== other.bins) throw new UsageError(`calibration states with ${into.bins} and ${other.bins} bins do not merge`);
      if (into.kind === null) {
        into.kind = other.kind;
        into.width = other.width;
        into.classwise = other.classwise.map(() => emptyBins(into.bins));
      } else if (isMulticlass(into.kind) !== isMulticlass(other.kind) || into.width !== other.width) throw new UsageError('calibration: binary and multiclass states do not merge');
      into.n += other.n;
      into.correct += other.correct;
      for (const name of ['nll', 'brier'] as const) {
        const s = ExactSum.from(into[name]);
        s.merge(other[name]);
        into[name] = s.state();
      }
      mergeBins(into.top, other.top);
      into.classwise.forEach((b, c) => mergeBins(b, other.classwise[c]!));
      if (into.kept && other.kept && into.kept.labels.length + other.kept.labels.length <= keepLimit) {
        for (const k of ['confidence', 'hit', 'logits', 'labels'] as const) for (const v of other.kept[k]) into.kept[k].push(v);
      } else into.kept = null;
    },

    finish(state) {
      return finishCalibration(state, bins, edges, true);
    },
  };
}

function finishCalibration(state: CalibrationState, bins: number, edges: Float64Array, fit: boolean): CalibrationResult {
  const n = state.n;
  const top = means(state.top);
  const { ece, mce } = calibrationErrors(top) ?? { ece: NaN, mce: NaN };
  const classwise = state.classwise.map((b) => calibrationErrors(means(b))!.ece);
  const kept = state.kept;
  const binary = !isMulticlass(state.kind ?? 'p');
  const result: CalibrationResult = {
    n,
    classes: state.classwise.length,
    accuracy: state.correct / n,
    ece,
    mce,
    adaptiveEce: kept ? adaptiveCalibrationError(kept.confidence, kept.hit, bins) : null,
    classwiseEce: classwise.reduce((a, b) => a + b, 0) / classwise.length,
    brier: ExactSum.from(state.brier).value / n,
    nll: ExactSum.from(state.nll).value / n,
    reliability: top.map((b, i) => ({ ...b, from: edges[Math.min(i, bins)]!, to: edges[Math.min(i + 1, bins)]! })),
    temperature: null,
    scaled: null,
  };
  if (!fit || !kept) return result;
  const width = binary ? 1 : state.width;
  const t = fitTemperature(kept.logits, kept.labels, width);
  result.temperature = t;
  if (t.inverse === null) return result;
  // the same report on the scaled logits: z·(1/T), through this very collector
  const again = calibrationCollector(bins, Infinity);
  const scaledState = again.create();
  const values = Float64Array.from(kept.logits, (z) => z * t.inverse!);
  again.add(scaledState, { kind: binary ? 'logit' : 'logits', width, count: kept.labels.length, values, labels: Float64Array.from(kept.labels), first: 0 });
  const { temperature: _t, scaled: _s, reliability: _r, ...scaled } = finishCalibration(scaledState, bins, edges, false);
  result.scaled = scaled;
  return result;
}
