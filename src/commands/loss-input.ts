import { alphaWeight, binaryLossAt, evaluateBinary, evaluateCategorical, evaluateVariants, LN_OF_BASE, LossAccumulator, variantProblem, type BinaryEvaluation, type CategoricalEvaluation, type ClassKey, type LogBase, type LossAnatomy } from '../core/index.js';
import { smoothLabel, type Family } from './family.js';
import { UsageError } from '../errors.js';
import { resolveLayout, type ColumnSpec, type Layout } from '../input/layout.js';
import { TotalsFeed, type TotalsState } from '../pipeline/collect/totals.js';
import { SOFT_CLASS } from '../pipeline/evaluate.js';
import { DEFAULT_IGNORE_LABEL, layoutOf, type Activation } from '../pipeline/layout.js';
import type { ColumnarPlan } from '../pipeline/run.js';
import { DelimitedScanner } from '../input/delimited.js';
import type { RecordSink, Scanner } from '../input/lines.js';
import { NdjsonScanner } from '../input/ndjson.js';
import type { TextFormat } from '../input/source.js';
import { shownName, shownText } from '../input/show.js';

/**
 * Records from a file → validated samples → the loss core → per-class totals (and, for
 * --reduction none, one callback per sample). Used by `focal loss --input` on the main
 * thread and by each worker of a parallel run.
 */

export interface SampleSettings {
  /** the command reading the samples, for its messages */
  command: 'loss' | 'anatomy' | 'sweep' | 'calibration';
  source: string;
  columns: ColumnSpec;
  gamma: number;
  /** one α, or one per class for multiclass input */
  alpha: number | readonly number[] | null;
  base: LogBase;
  skipInvalid: boolean;
  /** the losses beyond CE and FL, their parameters, and label smoothing */
  family: Family;
  /** vectors: one softmax per row (the default) or a sigmoid per element, one-vs-rest */
  activation?: Activation;
  /** sigmoid rows: the class index that skips a row (others outside 0…C−1 are background) */
  ignoreLabel?: number;
}

export type SampleCallback = (evaluation: BinaryEvaluation | CategoricalEvaluation, index: number, input: Float64Array, layout: Layout, variants: Float64Array) => void;

/** The class a record counts under: its label 0 or 1 ('soft' otherwise), or its target class. */
export function classKeyOf(values: Float64Array, layout: Layout): ClassKey {
  if (layout.kind === 'probs' || layout.kind === 'logits') return values[layout.classes]!;
  const y = values[1]!;
  return y === 0 || y === 1 ? y : 'soft';
}

/** A sample callback that takes the anatomy of the samples (focal anatomy, and its workers). */
export function anatomyOf(anatomy: LossAnatomy): SampleCallback {
  return (r, _index, values, layout) => anatomy.add(classKeyOf(values, layout), r.pt, r.ce, r.fl);
}

export const PT_SMOOTHING = "option '--label-smoothing' makes labels soft, and p_t needs hard labels; give p or logit.";

/** Skipped records that are reported with their reason (the rest are only counted). */
export const SKIPPED_ROWS_SHOWN = 5;

/** A record skipped by --skip-invalid: its line and why. */
export interface SkippedRow {
  line: number;
  detail: string;
}

export class InvalidRecord extends UsageError {
  constructor(
    readonly line: number,
    readonly detail: string,
    source: string,
  ) {
    super(`${source}:${line}: ${detail}`);
  }
}

export class SampleSink implements RecordSink {
  layout: Layout | null = null;
  /** CE and FL by class (the totals collector: merges of threads and shards are exact) */
  readonly totals = new TotalsFeed();
  /** the sums of the focal family's further losses (--loss) */
  readonly extras: LossAccumulator;
  private readonly variants: Float64Array;
  skipped = 0;
  readonly skippedRows: SkippedRow[] = [];
  index = 0;
  private classAlpha: number | readonly number[] | null = null;
  /** one sample's CE and FL (typed arrays: the core writes doubles there without boxing them) */
  private readonly ce = new Float64Array(1);
  private readonly fl = new Float64Array(1);
  private readonly scale: number;

  constructor(
    private readonly settings: SampleSettings,
    private readonly onSample: SampleCallback | null = null,
  ) {
    this.scale = LN_OF_BASE[settings.base];
    this.extras = new LossAccumulator(settings.family.extras.length);
    this.variants = new Float64Array(settings.family.extras.length);
  }

  /** The column plan callback for the scanners: resolves the layout from the header. */
  readonly plan = (header: string[]) => {
    const layout = resolveLayout(header, this.settings.columns, this.settings.source);
    const { alpha } = this.settings;
    if (Array.isArray(alpha)) {
      if (layout.kind !== 'probs' && layout.kind !== 'logits') {
        throw new UsageError(`option '--alpha' has ${alpha.length} values; binary input takes one.`);
      }
      if (alpha.length !== layout.classes) {
        throw new UsageError(`option '--alpha' has ${alpha.length} values for ${layout.classes} classes in ${this.settings.source}; give one, or one per class.`);
      }
    }
    if (layout.kind === 'pt' && this.settings.family.smoothing > 0) throw new UsageError(PT_SMOOTHING);
    if (this.settings.activation === 'sigmoid') {
      if (layout.kind !== 'probs' && layout.kind !== 'logits') throw new UsageError(`--activation sigmoid takes a vector of class scores per row (logit_0, logit_1, … or --columns logits=A+B+…); ${this.settings.source} has one ${layout.kind} per row.`);
      if (Array.isArray(alpha)) throw new UsageError(`option '--alpha' has ${alpha.length} values; --activation sigmoid takes one (the weight of every positive element).`);
      if (this.settings.family.extras.length > 0 || this.settings.family.smoothing > 0) throw new UsageError("options '--loss' variants and '--label-smoothing' are not available with --activation sigmoid.");
    }
    if (layout.kind === 'probs' || layout.kind === 'logits') {
      if (this.settings.family.extras.length > 0) throw new UsageError(`option '--loss' ${this.settings.family.extras.join(',')}: the variants are binary; multiclass input takes ce and fl.`);
    }
    this.classAlpha = alpha;
    this.layout = layout;
    return { names: layout.names, labelSlot: layout.kind === 'probs' || layout.kind === 'logits' ? -1 : 1 };
  };

  invalid(line: number, column: string, text: string | null): void {
    this.reject(line, `column ${shownName(column)}: ${text === null ? 'missing' : text.trim() === '' ? 'empty' : `${shownText(text)} is not a number`}`);
  }

  malformed(line: number, detail: string): void {
    this.reject(line, detail);
  }

  private reject(line: number, detail: string): void {
    if (!this.settings.skipInvalid) throw new InvalidRecord(line, detail, this.settings.source);
    this.skipped++;
    if (this.skippedRows.length < SKIPPED_ROWS_SHOWN) this.skippedRows.push({ line, detail });
  }

  record(values: Float64Array, line: number): void {
    const layout = this.layout!;
    const { gamma, base } = this.settings;
    if (layout.classes === 2 && layout.kind !== 'probs' && layout.kind !== 'logits') {
      const v = values[0]!;
      const y = values[1]!;
      const kind = layout.kind;
      if (kind === 'logit' ? !Number.isFinite(v) : !(v >= 0 && v <= 1)) {
        return this.reject(line, `column ${layout.names[0]}: ${v} is ${kind === 'logit' ? 'not a finite logit' : 'outside [0, 1]'}`);
      }
      if (!(y >= 0 && y <= 1) || (kind === 'pt' && y !== 0 && y !== 1)) {
        return this.reject(line, `column ${layout.names[1]}: ${y} is not a label ${kind === 'pt' ? '0 or 1' : 'in [0, 1]'}`);
      }
      const code = y === 0 || y === 1 ? y : SOFT_CLASS;
      const family = this.settings.family;
      const label = smoothLabel(y, family.smoothing);
      const alpha = this.classAlpha as number | null;
      if (family.extras.length > 0) {
        for (const name of family.extras) {
          const problem = variantProblem(name, label, { gamma, alpha });
          if (problem) return this.reject(line, `column ${layout.names[1]}: ${problem}, but the label is ${label}`);
        }
        evaluateVariants(family.extras, kind, v, label, { gamma, alpha, base, ...family.params }, this.variants);
        this.extras.addExtras(this.variants);
      }
      if (this.onSample) {
        const r = evaluateBinary(kind, v, label, { gamma, alpha, base });
        this.totals.add(r.ce, r.fl, code, y === 1);
        this.onSample(r, this.index, values, layout, this.variants);
      } else {
        // The reduction's hot path: CE and FL only, same bits as evaluateBinary, no allocation.
        binaryLossAt(this.ce, this.fl, 0, kind, v, label, gamma, alphaWeight(alpha, label), this.scale);
        this.totals.add(this.ce[0]!, this.fl[0]!, code, y === 1);
      }
      this.index++;
      return;
    }
    const k = layout.classes;
    const target = values[k]!;
    if (this.settings.activation === 'sigmoid') return this.sigmoidRow(values, k, target, line);
    if (!(Number.isInteger(target) && target >= 0 && target < k)) {
      return this.reject(line, `column ${layout.names[k]}: ${target} is not a class index 0 to ${k - 1}`);
    }
    const vector = values.subarray(0, k);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const x = vector[j]!;
      if (layout.kind === 'probs' ? !(x >= 0 && x <= Infinity) : !Number.isFinite(x)) {
        return this.reject(line, `column ${layout.names[j]}: ${x} is ${layout.kind === 'probs' ? 'not a probability ≥ 0' : 'not a finite logit'}`);
      }
      sum += x;
    }
    if (layout.kind === 'probs' && !(sum > 0 && sum < Infinity)) return this.reject(line, `the probabilities sum to ${sum}; they need a positive, finite sum`);
    const r = evaluateCategorical(layout.kind as 'probs' | 'logits', vector, target, { gamma, alpha: this.classAlpha, base, labelSmoothing: this.settings.family.smoothing });
    this.totals.add(r.ce, r.fl, target, false);
    if (this.onSample) this.onSample(r, this.index, values, layout, this.variants);
    this.index++;
  }

  /**
   * A row of C one-vs-rest scores with a class index (torchvision's sigmoid_focal_loss, mmdet's
   * labels): every element a binary sample whose target is 1 at the index; an index outside
   * 0…C−1 is background (all 0), the ignore label skips the row. The same rules as the
   * pipeline's sigmoid layout (pipeline/layout.ts), so CSV and .npz give the same totals.
   */
  private sigmoidRow(values: Float64Array, k: number, target: number, line: number): void {
    const layout = this.layout!;
    const ignoreLabel = this.settings.ignoreLabel ?? DEFAULT_IGNORE_LABEL;
    if (target === ignoreLabel) return this.totals.ignore();
    if (!Number.isInteger(target)) return this.reject(line, `column ${layout.names[k]}: ${target} is not a class index (0 to ${k - 1} a class, others background, ${ignoreLabel} ignored)`);
    const kind = layout.kind === 'logits' ? 'logit' : 'p';
    for (let j = 0; j < k; j++) {
      const x = values[j]!;
      if (kind === 'logit' ? x !== x : !(x >= 0 && x <= 1)) return this.reject(line, `column ${layout.names[j]}: ${x} is ${kind === 'logit' ? 'not a number' : 'not a probability in [0, 1]'}`);
    }
    const alpha = this.classAlpha as number | null;
    for (let j = 0; j < k; j++) {
      const y = target === j ? 1 : 0;
      binaryLossAt(this.ce, this.fl, 0, kind, values[j]!, y, this.settings.gamma, alphaWeight(alpha, y), this.scale);
      this.totals.add(this.ce[0]!, this.fl[0]!, j, y === 1, j === 0);
    }
    this.index++;
  }

  /** The totals collector's state: every sample so far, and the rows skipped. */
  state(): TotalsState {
    const state = this.totals.totals();
    state.skipped = this.skipped;
    return state;
  }
}

/** What --columns, --activation and --ignore-label say about a binary input's columns. */
export interface ColumnarSettings {
  source: string;
  columns: ColumnSpec;
  activation: Activation | undefined;
  ignoreLabel: number;
  /** the array of --labels FILE.npy: the label, whatever it is called */
  labelsArray: string | null;
}

/**
 * The plan for a binary input, from the names of its arrays or columns: found as CSV headers
 * are (p, logit, pt, probs, logits, p_0 …; y, label, target, labels, targets), or named with
 * --columns.
 */
export function columnarPlan(settings: ColumnarSettings): (available: string[]) => ColumnarPlan {
  return (available) => {
    const spec = settings.labelsArray !== null && !settings.columns.y ? { ...settings.columns, y: [settings.labelsArray] } : settings.columns;
    const resolved = resolveLayout(available, spec, settings.source, { arrays: true });
    const label = resolved.names[resolved.names.length - 1]!;
    const predictions = resolved.names.slice(0, -1);
    const vector = predictions.length > 1 ? predictions : null;
    if (vector && settings.activation === undefined && (resolved.kind === 'p' || resolved.kind === 'logit' || resolved.kind === 'pt')) {
      throw new UsageError(`option '--columns' ${resolved.kind} takes one column; for a vector of class scores use probs=… or logits=…, or --activation sigmoid|softmax.`);
    }
    return { layout: layoutOf(resolved.kind, predictions[0]!, label, settings.activation, settings.ignoreLabel), vector };
  };
}

export function createScanner(format: TextFormat, sink: SampleSink): Scanner & { withHeader?: (h: string[]) => unknown } {
  if (format === 'ndjson') return new NdjsonScanner(sink.plan, sink);
  return new DelimitedScanner(format === 'tsv' ? '\t' : ',', sink.plan, sink);
}
