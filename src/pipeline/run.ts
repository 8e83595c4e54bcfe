/**
 * One input through the pipeline, whatever its format: bytes → columns (decode/) → checked
 * samples (layout.ts) → losses (evaluate.ts) → collectors. On one thread (stepping, so that a
 * caller can stream per-sample rows), or on worker threads (threads.ts), each taking a part of
 * the input and posting its collectors' states back to be merged.
 */
import { LossAnatomy } from '../core/index.js';
import { UsageError } from '../errors.js';
import type { InputSource } from '../input/source.js';
import type { Column, ColumnBatch } from './columns.js';
import { addToAnatomy } from './collect/anatomy.js';
import { PredictionFeed } from './collect/predictions.js';
import { sweepCollector, type SweepState } from './collect/sweep.js';
import { totalsCollector, type TotalsState } from './collect/totals.js';
import { VariantSums, type VariantsState } from './collect/variants.js';
import { TextColumns, textScanner } from './decode/text.js';
import { evaluateBatch, EvaluationScratch, type EvaluatedBatch, type EvaluationParams } from './evaluate.js';
import { layoutBatch, type SampleBatch, type SkipLog, type TextFrame } from './layout.js';
import { columnarBatches, type ColumnarFile } from './open.js';
import type { Part } from './parts.js';
import {
  bothRules,
  checkSettings,
  columnarPlan,
  hardLabelRule,
  textPlan,
  variantRule,
  type SamplePlan,
  type SampleSettings,
} from './samples.js';

/** Where the samples come from: a text input (file, stdin, gzip), or a binary file (and its labels' .npy). */
export type PipelineInput =
  | { kind: 'text'; source: InputSource }
  | { kind: 'columnar'; file: ColumnarFile; labels: ColumnarFile | null; size: number | null };

/**
 * What a run collects: the loss totals, the anatomy (with its number of p_t buckets), the --loss
 * variants' sums, the (γ, α) grid of `sweep` (from the raw predictions, not the losses).
 */
export interface CollectOptions {
  totals?: boolean;
  anatomy?: number;
  variants?: boolean;
  sweep?: { gammas: number[]; alphas: (number | null)[] };
  /** the analysis that needs hard binary labels (sweep, calibration): a soft label is a bad row, named as any other */
  hardLabels?: string;
}

/** The shape of the samples, from the first batch. */
export interface SampleInfo {
  shape: SampleBatch['shape'];
  input: SampleBatch['input'];
  /** K for softmax and sigmoid rows, 1 for binary samples */
  classes: number;
  /** sigmoid rows: a class index per row, or a row of targets */
  targetForm: 'index' | 'rows' | null;
}

/** The collectors' states as plain data, as a worker posts them. */
export interface PipelineState {
  totals: TotalsState | null;
  anatomy: ReturnType<LossAnatomy['state']> | null;
  variants: VariantsState | null;
  sweep: SweepState | null;
  skip: SkipLog;
  rows: number;
  plan: SamplePlan | null;
  info: SampleInfo | null;
}

/** The name the joined prediction vector goes by in a batch. */
const JOINED = '\u0000prediction';

/** K scalar columns as one column of K values per row. */
function joinColumns(batch: ColumnBatch, names: readonly string[]): Column {
  const k = names.length;
  const out = new Float64Array(batch.rows * k);
  names.forEach((name, j) => {
    const c = batch.columns[name]!;
    if (c.width !== 1)
      throw new UsageError(
        `column '${name}' has ${c.width} values per row; a vector joined with + takes one per column`,
      );
    for (let r = 0; r < batch.rows; r++) out[r * k + j] = c.values[r]!;
  });
  return { dtype: 'float64', width: k, values: out };
}

/**
 * The collectors of one run (or of one worker's part), fed sample batches. The evaluation runs
 * once per batch for all of them.
 */
export class Pipeline {
  readonly totals: TotalsState | null;
  readonly anatomy: LossAnatomy | null;
  readonly variants: VariantSums | null;
  readonly sweep: { collector: ReturnType<typeof sweepCollector>; state: SweepState; feed: PredictionFeed } | null;
  readonly skip: SkipLog;
  /** the --loss variants' rule on labels, checked with the others */
  readonly extraRule: ((y: number) => string | null) | null;
  rows = 0;
  plan: SamplePlan | null = null;
  info: SampleInfo | null = null;
  private readonly params: EvaluationParams;
  private readonly evaluate: boolean;
  /** the evaluated arrays, reused by every batch: collectors and onBatch read them before the next */
  private readonly scratch = new EvaluationScratch();

  /**
   * @param onBatch  also gets every batch (per-sample rows; the raw predictions for sweep and calibration);
   *                 the evaluated arrays are overwritten by the next batch: copy what is kept
   */
  constructor(
    readonly settings: SampleSettings,
    readonly collect: CollectOptions,
    private readonly onBatch: ((samples: SampleBatch, evaluated: EvaluatedBatch | null) => void) | null = null,
  ) {
    this.totals = collect.totals ? totalsCollector.create() : null;
    this.anatomy = collect.anatomy ? new LossAnatomy(collect.anatomy) : null;
    this.variants = collect.variants && settings.family.extras.length > 0 ? new VariantSums(settings) : null;
    if (collect.sweep) {
      const collector = sweepCollector(collect.sweep.gammas, collect.sweep.alphas);
      const state = collector.create();
      this.sweep = { collector, state, feed: new PredictionFeed((batch) => collector.add(state, batch)) };
    } else this.sweep = null;
    // only the totals and the anatomy need the losses (sweep and calibration evaluate what they need)
    this.evaluate = collect.totals === true || this.anatomy !== null;
    this.skip = { skipped: 0, rows: [] };
    this.extraRule = bothRules(variantRule(settings), collect.hardLabels ? hardLabelRule(collect.hardLabels) : null);
    const alpha = settings.alpha;
    this.params = {
      gamma: settings.gamma,
      alpha: Array.isArray(alpha) ? null : (alpha as number | null),
      classAlpha: Array.isArray(alpha) ? alpha : null,
      base: settings.base,
      labelSmoothing: settings.family.smoothing,
    };
  }

  /** The skip log of --skip-invalid, or null (a bad row stops the run). */
  get skipLog(): SkipLog | null {
    return this.settings.skipInvalid ? this.skip : null;
  }

  consume(samples: SampleBatch): void {
    if (this.info === null) {
      const classes = samples.shape === 'binary' ? 1 : samples.classes;
      this.info = {
        shape: samples.shape,
        input: samples.input,
        classes,
        targetForm: samples.shape === 'sigmoid' ? samples.targetForm : null,
      };
    }
    this.rows += samples.rows;
    const evaluated = this.evaluate ? evaluateBatch(samples, this.params, this.anatomy !== null, this.scratch) : null;
    if (evaluated) {
      if (this.totals) totalsCollector.add(this.totals, evaluated);
      if (this.anatomy) addToAnatomy(this.anatomy, evaluated);
    }
    this.variants?.add(samples);
    this.sweep?.feed.add(samples);
    this.onBatch?.(samples, evaluated);
  }

  /** The states, as plain data (a worker's answer). */
  state(): PipelineState {
    const totals = this.totals ? { ...this.totals, skipped: this.skip.skipped } : null;
    return {
      totals,
      anatomy: this.anatomy?.state() ?? null,
      variants: this.variants?.state() ?? null,
      sweep: this.sweepState(),
      skip: this.skip,
      rows: this.rows,
      plan: this.plan,
      info: this.info,
    };
  }

  /** Adds a worker's states (in file order, for the skipped rows' list). */
  merge(other: PipelineState): void {
    if (this.totals && other.totals) totalsCollector.merge(this.totals, other.totals);
    if (this.anatomy && other.anatomy) this.anatomy.merge(other.anatomy);
    if (this.variants && other.variants) this.variants.merge(other.variants);
    if (this.sweep && other.sweep) this.sweep.collector.merge(this.sweep.state, other.sweep);
    this.rows += other.rows;
    this.plan ??= other.plan;
    this.info ??= other.info;
  }

  /** The sweep's state with every sample taken so far (null without a sweep). */
  sweepState(): SweepState | null {
    this.sweep?.feed.flush();
    return this.sweep?.state ?? null;
  }

  /** The totals with the rows skipped as invalid. */
  totalsState(): TotalsState {
    return { ...this.totals!, skipped: this.skip.skipped };
  }

  /** A text input's records → batches → this pipeline; the scanner to push bytes into. */
  textScanner(
    format: 'csv' | 'tsv' | 'ndjson',
    name: string,
  ): { push(chunk: Uint8Array): void; finish(): void; withHeader(header: string[]): unknown; readonly lines: number } {
    const frame: TextFrame = { lines: [], names: [], skip: this.skipLog };
    const columns = new TextColumns(name, this.skipLog, (batch, lines) => {
      frame.lines = lines;
      this.consume(layoutBatch(this.plan!.layout, batch, name, frame, this.extraRule));
      if (frame.error) throw frame.error;
    });
    const scanner = textScanner(
      format,
      (header) => {
        const plan = textPlan(this.settings, header);
        this.plan = plan;
        frame.names = plan.names;
        columns.start(plan.names.length - 1);
        return { names: plan.names, labelSlot: plan.layout.shape === 'binary' ? plan.names.length - 1 : -1 };
      },
      columns,
    );
    return {
      push: (chunk) => scanner.push(chunk),
      finish: () => {
        scanner.finish();
        columns.flush();
      },
      withHeader: (header) => scanner.withHeader(header),
      get lines() {
        return scanner.lines;
      },
    };
  }

  /**
   * A binary input's checked sample batches.
   * @param part  a worker's part of the rows (only its bytes are read), or null for all of them
   */
  async *columnarSamples(
    file: ColumnarFile,
    labels: ColumnarFile | null,
    part: Part | null = null,
  ): AsyncGenerator<SampleBatch> {
    const choose = (available: string[]): string[] => {
      const plan = columnarPlan({ ...this.settings, source: file.name }, available);
      this.plan = plan;
      const { layout, vector } = plan;
      const target = layout.shape === 'binary' ? layout.label : layout.target;
      return vector ? [...vector, target] : [layout.prediction, target];
    };
    for await (const batch of columnarBatches(file, choose, labels, part)) {
      const { layout, vector } = this.plan!;
      if (vector) batch.columns[JOINED] = joinColumns(batch, vector);
      const samples = layoutBatch(
        vector ? { ...layout, prediction: JOINED } : layout,
        batch,
        file.name,
        null,
        this.extraRule,
        labels?.name ?? file.name,
      );
      // the class count is known now (a text header tells it, and textPlan checked it there)
      if (this.info === null)
        checkSettings(
          { ...this.settings, source: file.name },
          layout,
          samples.shape === 'binary' ? 1 : samples.classes,
        );
      yield samples;
    }
  }
}

/**
 * Runs an input through a pipeline on this thread, one step per chunk of bytes (text) or per
 * batch (binary): a caller streaming rows takes them between steps.
 * @param progress  after each step: bytes read (when known) and samples so far
 */
export async function* steps(
  input: PipelineInput,
  pipeline: Pipeline,
  progress: ((bytes: number, rows: number) => void) | null = null,
): AsyncGenerator<void> {
  if (input.kind === 'text') {
    const { source } = input;
    const scanner = pipeline.textScanner(source.format, source.name);
    for await (const chunk of source.chunks) {
      scanner.push(chunk);
      progress?.(source.bytesRead(), pipeline.rows);
      yield;
    }
    scanner.finish();
    progress?.(source.bytesRead(), pipeline.rows);
    return;
  }
  for await (const samples of pipeline.columnarSamples(input.file, input.labels)) {
    pipeline.consume(samples);
    progress?.(0, pipeline.rows);
    yield;
  }
}

/** Runs an input through a pipeline on this thread, to the end. */
export async function runSingle(
  input: PipelineInput,
  pipeline: Pipeline,
  progress: ((bytes: number, rows: number) => void) | null = null,
): Promise<Pipeline> {
  for await (const _ of steps(input, pipeline, progress));
  return pipeline;
}
