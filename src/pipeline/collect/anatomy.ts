/**
 * The loss anatomy (core/anatomy.ts: per class, per p_t bucket, easy/hard, the hardness
 * histogram) as a collector. Its sums are exact, so threads, shards and `focal merge` give the
 * bits of one pass. The state is LossAnatomy's, with its typed arrays as plain arrays so that
 * it can be written to a --partial file.
 */
import { LossAnatomy, type AnatomyState } from '../../core/index.js';
import { UsageError } from '../../errors.js';
import { SOFT_CLASS, type EvaluatedBatch } from '../evaluate.js';
import type { Collector } from './collector.js';

/** Adds an evaluated batch (with p_t) to an anatomy. */
export function addToAnatomy(anatomy: LossAnatomy, e: EvaluatedBatch): void {
  const pt = e.pt!;
  for (let i = 0; i < e.count; i++) {
    const code = e.classOf[i]!;
    anatomy.add(code === SOFT_CLASS ? 'soft' : code, pt[i]!, e.ce[i]!, e.fl[i]!);
  }
}

/** An anatomy's state as JSON-ready data (typed arrays → arrays). */
export function plainAnatomy(state: AnatomyState): AnatomyState {
  return JSON.parse(
    JSON.stringify(state, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)),
  ) as AnatomyState;
}

/** A LossAnatomy from its state (as a worker posts it or a --partial file holds it). */
export function anatomyOf(state: AnatomyState): LossAnatomy {
  const anatomy = new LossAnatomy(state.buckets);
  anatomy.merge(state);
  return anatomy;
}

export const anatomyCollector: Collector<AnatomyState, EvaluatedBatch, LossAnatomy> = {
  kind: 'anatomy',
  version: 1,
  /** buckets 0: taken from the first state merged into it */
  create: () => ({ buckets: 0, classes: [] }),
  add(state, batch) {
    const anatomy = anatomyOf(state);
    addToAnatomy(anatomy, batch);
    Object.assign(state, plainAnatomy(anatomy.state()));
  },
  merge(into, other) {
    if (into.buckets === 0) into.buckets = other.buckets;
    if (into.buckets !== other.buckets)
      throw new UsageError(`anatomy states of ${into.buckets} and ${other.buckets} buckets do not merge`);
    const anatomy = anatomyOf(into);
    anatomy.merge(other);
    Object.assign(into, plainAnatomy(anatomy.state()));
  },
  finish: anatomyOf,
};
