/**
 * One binary input through the pipeline, on one thread: columns → samples (layout.ts checks
 * every value) → losses (evaluate.ts) → the caller's collectors.
 */
import { UsageError } from '../errors.js';
import type { Column, ColumnBatch } from './columns.js';
import { evaluateBatch, type EvaluatedBatch, type EvaluationParams } from './evaluate.js';
import { layoutBatch, type Layout, type SampleBatch } from './layout.js';
import { columnarBatches, type ColumnarFile } from './open.js';

/** What to read from the columns an input turns out to have. */
export interface ColumnarPlan {
  layout: Layout;
  /**
   * scalar columns that together make the prediction vector, one per class in order (p_0, p_1 …
   * in a Parquet file); null when the prediction is one column (a scalar, a list or a 2-D array)
   */
  vector: readonly string[] | null;
}

/** The name the joined prediction vector goes by in a batch. */
const JOINED = '\u0000prediction';

/** K scalar columns as one column of K values per row. */
function joinColumns(batch: ColumnBatch, names: readonly string[]): Column {
  const k = names.length;
  const out = new Float64Array(batch.rows * k);
  names.forEach((name, j) => {
    const c = batch.columns[name]!;
    if (c.width !== 1) throw new UsageError(`column '${name}' has ${c.width} values per row; a vector joined with + takes one per column`);
    for (let r = 0; r < batch.rows; r++) out[r * k + j] = c.values[r]!;
  });
  return { dtype: 'float64', width: k, values: out };
}

/**
 * The checked sample batches of an input.
 * @param plan  chooses the layout from the names the input has (called once, before any data is read)
 */
export async function* sampleBatches(file: ColumnarFile, labels: ColumnarFile | null, plan: (available: string[]) => ColumnarPlan): AsyncGenerator<SampleBatch> {
  let chosen: ColumnarPlan | null = null;
  const choose = (available: string[]): string[] => {
    chosen = plan(available);
    const { layout, vector } = chosen;
    const target = layout.shape === 'binary' ? layout.label : layout.target;
    return vector ? [...vector, target] : [layout.prediction, target];
  };
  for await (const batch of columnarBatches(file, choose, labels)) {
    const { layout, vector } = chosen!;
    if (vector) {
      batch.columns[JOINED] = joinColumns(batch, vector);
      yield layoutBatch({ ...layout, prediction: JOINED }, batch, file.name);
    } else yield layoutBatch(layout, batch, file.name);
  }
}

/**
 * Evaluates every batch and hands it to `collect` (the totals, the anatomy …).
 * @param check  runs on the first batch, before anything is evaluated (e.g. per-class α against the class count)
 * @returns the number of batches
 */
export async function runColumnar(
  batches: AsyncIterable<SampleBatch>,
  params: EvaluationParams,
  collect: (evaluated: EvaluatedBatch, samples: SampleBatch) => void,
  options: { withPt?: boolean; check?: (first: SampleBatch) => void } = {},
): Promise<number> {
  let n = 0;
  for await (const samples of batches) {
    if (n++ === 0) options.check?.(samples);
    collect(evaluateBatch(samples, params, options.withPt ?? false), samples);
  }
  return n;
}
