/**
 * A collector turns evaluated losses into a result through four verbs, as DuckDB's aggregate
 * functions and Spark's Aggregator do: create an empty state, add a batch to it, merge another
 * state into it, finish it into a result. The state is plain, JSON-serialisable data with a
 * version, so threads, shards (--partial files) and `focal merge` all reduce to `merge`; and a
 * collector whose merge is exact gives the same bits however the input was split.
 */
export interface Collector<State, Input, Result> {
  /** names the state in a --partial file */
  readonly kind: string;
  /** the version of the state's layout (a --partial file of another version is refused) */
  readonly version: number;
  create(): State;
  /** adds a batch to `state` (in place) */
  add(state: State, input: Input): void;
  /** adds `other` to `into` (in place); the order of merges does not change the result */
  merge(into: State, other: State): void;
  /** the result; pure: the state is left as it was */
  finish(state: State): Result;
}
