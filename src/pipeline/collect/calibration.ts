/**
 * The calibration report of `focal calibration` (definitions in core/calibration.ts). Streaming
 * and exact: per equal-width bin a count, an exact sum of confidences and a hit count, for the
 * top label and for each class (classwise ECE), and exact sums of the NLL and the Brier score.
 * That state is a few hundred numbers whatever the input's size, and merges exactly.
 *
 * AdaECE (equal-mass bins) needs the samples in rank order and temperature scaling the NLL's
 * derivatives at each trial T: neither follows from a fixed-size state. They come from further
 * passes over the samples (CalibrationSpool: temporary files, spool.ts), still in constant
 * memory: AdaECE by exact radix selection of the bin boundaries (usually 3 passes), T by one
 * pass per Newton step. A --partial file carries its spool's samples beside the state
 * (calibration-samples.ts), so `focal merge` refills a spool and reports them too, exactly.
 */
import {
  adaptiveCalibrationErrorByPasses,
  binaryTermsInto,
  binMeans,
  calibrationBin,
  calibrationEdges,
  calibrationErrors,
  emptyTerms,
  evaluateCategorical,
  ExactSum,
  fitTemperatureBy,
  logitOf,
  probabilitiesInto,
  TemperatureSums,
  type BinaryTerms,
  type BinResult,
  type ConfidencePass,
  type ExactSumState,
  type TemperatureFit,
} from '../../core/index.js';
import { UsageError } from '../../errors.js';
import type { Collector } from './collector.js';
import { SampleSpool } from './spool.js';
import { isMulticlass, requireHardLabel, type PredictionBatch, type PredictionKind } from './predictions.js';

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
const emptyBins = (bins: number): BinState => ({
  counts: new Array(bins + 1).fill(0),
  confidence: Array.from({ length: bins + 1 }, empty),
  hits: new Array(bins + 1).fill(0),
});

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
  return binMeans(
    b.counts.map((count, i) => ({ count, confidence: ExactSum.from(b.confidence[i]!).value, hits: b.hits[i]! })),
  );
}

/** Per-sample scratch: the binary terms or the probability vector, and the top label's confidence and hit. */
interface Sample {
  terms: BinaryTerms;
  probs: Float64Array;
  confidence: number;
  hit: number;
}

const sampleScratch = (): Sample => ({ terms: emptyTerms(), probs: new Float64Array(0), confidence: 0, hit: 0 });

/**
 * What calibration sees of sample i: binary, p of class 1 against the label (torchmetrics'
 * binary task; s.terms holds the terms); multiclass, the top-label confidence and whether the
 * arg-max is the target (s.probs holds the probabilities). One place, so that every pass over
 * the samples sees the same doubles.
 */
function observe(s: Sample, batch: PredictionBatch, i: number): void {
  requireHardLabel(batch, i, 'calibration');
  const y = batch.labels[i]!;
  if (!isMulticlass(batch.kind)) {
    binaryTermsInto(s.terms, batch.kind, batch.values[i]!, y);
    s.confidence = s.terms.p;
    s.hit = y;
    return;
  }
  const w = batch.width;
  if (s.probs.length !== w) s.probs = new Float64Array(w);
  probabilitiesInto(s.probs, batch.kind, batch.values.subarray(i * w, (i + 1) * w));
  let top = 0;
  for (let j = 1; j < w; j++) if (s.probs[j]! > s.probs[top]!) top = j;
  s.confidence = s.probs[top]!;
  s.hit = top === y ? 1 : 0;
}

/**
 * The batch's logits, for temperature scaling (binary: the logit, or logit(p); probabilities:
 * log p): its own values, or `into` (reused, grown as needed) filled with them.
 */
function logitsOf(batch: PredictionBatch, s: Sample, into: { values: Float64Array }): Float64Array {
  if (batch.kind === 'logit' || batch.kind === 'logits') return batch.values;
  if (into.values.length < batch.values.length) into.values = new Float64Array(batch.values.length);
  const values = into.values;
  if (batch.kind === 'probs') for (let j = 0; j < batch.values.length; j++) values[j] = Math.log(batch.values[j]!);
  // p is the input itself (observe's terms.p): no need to work out the other terms
  else if (batch.kind === 'p') for (let i = 0; i < batch.count; i++) values[i] = logitOf(batch.values[i]!);
  else
    for (let i = 0; i < batch.count; i++) {
      observe(s, batch, i);
      values[i] = logitOf(s.terms.p);
    }
  return values;
}

export function calibrationCollector(bins: number): Collector<CalibrationState, PredictionBatch, CalibrationResult> {
  const edges = calibrationEdges(bins);
  const sample = sampleScratch();
  return {
    kind: 'calibration',
    // 3: a --partial file's state carries its samples (docs/partial-format.md)
    version: 3,

    create: () => ({
      bins,
      kind: null,
      width: 0,
      n: 0,
      correct: 0,
      nll: empty(),
      brier: empty(),
      top: emptyBins(bins),
      classwise: [],
    }),

    add(state, batch) {
      if (state.kind === null) {
        state.kind = batch.kind;
        state.width = batch.width;
        state.classwise = Array.from({ length: isMulticlass(batch.kind) ? batch.width : 2 }, () => emptyBins(bins));
      } else if (isMulticlass(state.kind) !== isMulticlass(batch.kind) || state.width !== batch.width)
        throw new UsageError(
          'calibration: binary and multiclass predictions (or different class counts) do not mix in one report',
        );
      const classes = state.classwise.length;
      const live = (b: BinState) => ({ b, sums: b.confidence.map((s) => ExactSum.from(s)) });
      const top = live(state.top);
      const classwise = state.classwise.map(live);
      const nll = ExactSum.from(state.nll);
      const brier = ExactSum.from(state.brier);
      const put = (l: ReturnType<typeof live>, c: number, hit: number) => {
        const b = calibrationBin(c, edges);
        l.b.counts[b]!++;
        l.b.hits[b]! += hit;
        l.sums[b]!.add(c);
      };
      for (let i = 0; i < batch.count; i++) {
        observe(sample, batch, i);
        const y = batch.labels[i]!;
        if (!isMulticlass(batch.kind)) {
          const v = sample.terms;
          // accuracy at p > 0.5
          if ((v.p > 0.5 ? 1 : 0) === y) state.correct++;
          put(classwise[1]!, v.p, y);
          put(classwise[0]!, v.pNeg, 1 - y);
          nll.add(v.ce);
          brier.add((v.p - y) * (v.p - y));
        } else {
          const probs = sample.probs;
          state.correct += sample.hit;
          let b = 0;
          for (let j = 0; j < classes; j++) {
            const d = probs[j]! - (j === y ? 1 : 0);
            b += d * d;
            put(classwise[j]!, probs[j]!, j === y ? 1 : 0);
          }
          brier.add(b);
          nll.add(
            evaluateCategorical(batch.kind, batch.values.subarray(i * classes, (i + 1) * classes), y, {
              gamma: 0,
              alpha: null,
            }).ce,
          );
        }
        put(top, sample.confidence, sample.hit);
        state.n++;
      }
      for (const l of [top, ...classwise]) l.b.confidence = l.sums.map((s) => s.state());
      state.nll = nll.state();
      state.brier = brier.state();
    },

    merge(into, other) {
      if (other.kind === null) return;
      if (into.bins !== other.bins)
        throw new UsageError(`calibration states with ${into.bins} and ${other.bins} bins do not merge`);
      if (into.kind === null) {
        into.kind = other.kind;
        into.width = other.width;
        into.classwise = other.classwise.map(() => emptyBins(into.bins));
      } else if (isMulticlass(into.kind) !== isMulticlass(other.kind) || into.width !== other.width)
        throw new UsageError('calibration: binary and multiclass states do not merge');
      into.n += other.n;
      into.correct += other.correct;
      for (const name of ['nll', 'brier'] as const) {
        const s = ExactSum.from(into[name]);
        s.merge(other[name]);
        into[name] = s.state();
      }
      mergeBins(into.top, other.top);
      into.classwise.forEach((b, c) => mergeBins(b, other.classwise[c]!));
    },

    /** the report from the state alone: AdaECE and T need a spool of the samples (calibrationReport) */
    finish(state) {
      return calibrationReport(state, null);
    },
  };
}

/**
 * What the passes after the first need of each sample, written to temporary files as the first
 * pass goes by (spool.ts): the confidence and the hit (AdaECE), and the logits and the label
 * (temperature scaling, the report at T) — each worked out once, by the code every pass used to
 * run (observe, logitsOf), so every pass sees the same doubles.
 */
export class CalibrationSpool {
  /** (confidence, hit) a row: AdaECE's passes */
  readonly confidences: SampleSpool;
  /** (logits, label) a row: the temperature fit's passes and the report at T */
  readonly logits: SampleSpool;
  private readonly sample = sampleScratch();
  private confidence = new Float64Array(0);
  private hit = new Float64Array(0);
  private readonly scratch = { values: new Float64Array(0) };

  constructor() {
    this.confidences = new SampleSpool();
    try {
      this.logits = new SampleSpool();
    } catch (err) {
      this.confidences.close();
      throw err;
    }
  }

  write(batch: PredictionBatch): void {
    if (this.confidence.length < batch.count)
      [this.confidence, this.hit] = [new Float64Array(batch.count), new Float64Array(batch.count)];
    confidencesInto(this.confidence, this.hit, batch, this.sample);
    this.confidences.write(this.confidence, this.hit, batch.count, 1);
    this.logits.write(logitsOf(batch, this.sample, this.scratch), batch.labels, batch.count, batch.width);
  }

  /** A pass over the (confidence, hit) pairs. */
  readonly confidencePass: ConfidencePass = (visit) => passOver(this.confidences, visit);

  /** A pass over the logits: the sums of the temperature fit at β. */
  temperatureSums(beta: number): TemperatureSums {
    const sums = new TemperatureSums(beta);
    for (const block of this.logits.blocks()) sums.addAll(block.values, block.labels, block.count, this.logits.width);
    return sums;
  }

  /** The logits again as batches, for the collector. */
  *logitBatches(kind: 'logit' | 'logits'): Generator<PredictionBatch> {
    for (const block of this.logits.blocks())
      yield {
        kind,
        width: this.logits.width,
        count: block.count,
        values: block.values,
        labels: block.labels,
        first: block.first,
      };
  }

  get samples(): number {
    return this.confidences.rows;
  }

  /** Deletes the files. */
  close(): void {
    this.confidences.close();
    this.logits.close();
  }
}

/** observe's confidence and hit of every sample of the batch. */
function confidencesInto(confidence: Float64Array, hit: Float64Array, batch: PredictionBatch, s: Sample): void {
  for (let i = 0; i < batch.count; i++) {
    observe(s, batch, i);
    confidence[i] = s.confidence;
    hit[i] = s.hit;
  }
}

function passOver(spool: SampleSpool, visit: (confidence: number, hit: number) => void): void {
  for (const block of spool.blocks()) for (let i = 0; i < block.count; i++) visit(block.values[i]!, block.labels[i]!);
}

/**
 * The whole report: the state's numbers, and, given the spool of the very samples the state
 * was made from, AdaECE, the fitted T and the report at T.
 */
export function calibrationReport(state: CalibrationState, spool: CalibrationSpool | null): CalibrationResult {
  const result = fromState(state);
  if (!spool || state.kind === null) return result;
  result.adaptiveEce = adaptiveCalibrationErrorByPasses(spool.confidencePass, state.n, state.bins);
  const t = fitTemperatureBy((beta) => spool.temperatureSums(beta));
  result.temperature = t;
  if (t.inverse === null) return result;
  // the same report on the scaled logits z·(1/T), through this very collector; their
  // confidences to a spool of their own for AdaECE
  const again = calibrationCollector(state.bins);
  const scaledState = again.create();
  const scaledConfidences = new SampleSpool();
  try {
    const s = sampleScratch();
    let values = new Float64Array(0);
    let [confidence, hit] = [new Float64Array(0), new Float64Array(0)];
    for (const batch of spool.logitBatches(isMulticlass(state.kind) ? 'logits' : 'logit')) {
      if (values.length < batch.values.length) values = new Float64Array(batch.values.length);
      if (confidence.length < batch.count)
        [confidence, hit] = [new Float64Array(batch.count), new Float64Array(batch.count)];
      for (let j = 0; j < batch.values.length; j++) values[j] = batch.values[j]! * t.inverse;
      const scaledBatch = { ...batch, values: values.subarray(0, batch.values.length) };
      again.add(scaledState, scaledBatch);
      confidencesInto(confidence, hit, scaledBatch, s);
      scaledConfidences.write(confidence, hit, batch.count, 1);
    }
    const { temperature: _t, scaled: _s, reliability: _r, ...scaled } = fromState(scaledState);
    scaled.adaptiveEce = adaptiveCalibrationErrorByPasses(
      (visit) => passOver(scaledConfidences, visit),
      scaledState.n,
      state.bins,
    );
    result.scaled = scaled;
  } finally {
    scaledConfidences.close();
  }
  return result;
}

function fromState(state: CalibrationState): CalibrationResult {
  const { bins, n } = state;
  const edges = calibrationEdges(bins);
  const top = means(state.top);
  const { ece, mce } = calibrationErrors(top) ?? { ece: NaN, mce: NaN };
  const classwise = state.classwise.map((b) => calibrationErrors(means(b))!.ece);
  return {
    n,
    classes: state.classwise.length,
    accuracy: state.correct / n,
    ece,
    mce,
    adaptiveEce: null,
    classwiseEce: classwise.reduce((a, b) => a + b, 0) / classwise.length,
    brier: ExactSum.from(state.brier).value / n,
    nll: ExactSum.from(state.nll).value / n,
    reliability: top.map((b, i) => ({ ...b, from: edges[Math.min(i, bins)]!, to: edges[Math.min(i + 1, bins)]! })),
    temperature: null,
    scaled: null,
  };
}

const PREDICTION_KINDS: readonly PredictionKind[] = ['p', 'logit', 'pt', 'probs', 'logits'];
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isSum = (v: unknown): boolean => {
  const s = v as ExactSumState | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    Array.isArray(s.partials) &&
    s.partials.every(Number.isFinite) &&
    typeof s.nonFinite === 'number'
  );
};
const isBins = (v: unknown, bins: number): boolean => {
  const b = v as BinState | null;
  const sized = (a: unknown) => Array.isArray(a) && a.length === bins + 1;
  return (
    typeof b === 'object' &&
    b !== null &&
    sized(b.counts) &&
    sized(b.hits) &&
    sized(b.confidence) &&
    b.counts.every((c, i) => isCount(c) && isCount(b.hits[i]) && b.hits[i]! <= c) &&
    b.confidence.every(isSum)
  );
};

/**
 * Whether a --partial file's state (read from JSON) has the layout of a calibration state of
 * `bins` bins: a corrupt or hand-edited file is then one line, not a wrong report or a crash.
 */
export function isCalibrationState(v: unknown, bins: number): v is CalibrationState {
  const s = v as CalibrationState | null;
  if (typeof s !== 'object' || s === null || s.bins !== bins || !isCount(s.n) || !isCount(s.correct)) return false;
  if (s.kind === null) return s.n === 0 && Array.isArray(s.classwise) && s.classwise.length === 0;
  const classes = PREDICTION_KINDS.includes(s.kind) && isCount(s.width) && (isMulticlass(s.kind) ? s.width : 2);
  return (
    typeof classes === 'number' &&
    classes >= 2 &&
    s.correct <= s.n &&
    isSum(s.nll) &&
    isSum(s.brier) &&
    isBins(s.top, bins) &&
    s.top.counts.reduce((a, c) => a + c, 0) === s.n &&
    Array.isArray(s.classwise) &&
    s.classwise.length === classes &&
    s.classwise.every((b) => isBins(b, bins))
  );
}
