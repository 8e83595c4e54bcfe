import fc from 'fast-check';

/**
 * Settings shared by the property tests (fast-check).
 *
 * - The default run is small (a few seconds for every property file together).
 * - FOCAL_FUZZ_RUNS=100000 (what `npm run fuzz` sets) runs that many cases per core
 *   property; properties that spawn the CLI run a stated fraction of it.
 * - The seed is fixed, so a failure reproduces; fast-check prints it with the path of the
 *   shrunk counterexample. FOCAL_FUZZ_SEED=<n> explores other cases.
 */
const requested = Number(process.env.FOCAL_FUZZ_RUNS ?? '');
export const FUZZ = Number.isInteger(requested) && requested > 0;
export const SEED = Number(process.env.FOCAL_FUZZ_SEED ?? '') || 20261130;

/** Cases to run: `byDefault` normally, FOCAL_FUZZ_RUNS × `share` (at least byDefault) when fuzzing. */
export function runs(byDefault: number, share = 1): number {
  return FUZZ ? Math.max(byDefault, Math.round(requested * share)) : byDefault;
}

/** A per-test timeout: the default run's, or an hour when fuzzing (10^5 cases take minutes). */
export function timeout(byDefault: number): number {
  return FUZZ ? 3_600_000 : byDefault;
}

/**
 * fc.assert with the fixed seed and the given number of runs; `shrink: false` reports the first
 * failing case as found (the pending properties: known to fail, and some shrink for minutes).
 */
export function check<T>(property: fc.IProperty<T>, numRuns: number, o: { shrink?: boolean } = {}): void {
  fc.assert(property, { seed: SEED, numRuns, endOnFailure: o.shrink === false });
}

/** The same for async properties; `shrink: false` for cases too costly to shrink (whole CLI runs on large files). */
export async function checkAsync<T>(
  property: fc.IAsyncProperty<T>,
  numRuns: number,
  o: { shrink?: boolean } = {},
): Promise<void> {
  await fc.assert(property, { seed: SEED, numRuns, endOnFailure: o.shrink === false });
}

/** Probabilities: every double in [0, 1] (dense near 0), uniform ones, 1 − 2^-k, and known hard cases. */
export const probability = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.integer({ min: 0, max: 2 ** 53 }).map((k) => k / 2 ** 53),
  fc.integer({ min: 1, max: 60 }).map((k) => 1 - 2 ** -k),
  fc.constantFrom(0, 1, 0.5, 0.3, 0.01, 1e-10, 0.1, 0.9, 5e-324, 0.9999999999999999, 1 - 2 ** -53),
);

/** Logits: any double but NaN (±Infinity and ±0 included), and moderate ones. */
export const logit = fc.oneof(
  fc.double({ noNaN: true }),
  fc.double({ min: -60, max: 60, noNaN: true }),
  fc.constantFrom(40, -40, 800, -800, 9e307, -9e307, 1e308, -1e308),
);

/** γ ∈ [0, 1e4]: any double, whole numbers, and the values the issue names. */
export const gamma = fc.oneof(
  fc.double({ min: 0, max: 1e4, noNaN: true }),
  fc.integer({ min: 0, max: 10_000 }),
  fc.double({ min: 0, max: 10, noNaN: true }),
  fc.constantFrom(0, 0.5, 1, 2, 5, 1100, 2000, 1e4),
);

/** α ∈ [0, 1] or none (null). */
export const alpha = fc.oneof(fc.constant(null), probability, fc.constantFrom(0.25, 0, 1));

/** Labels: hard 0/1 most of the time, soft ones too. */
export const hardLabel = fc.constantFrom(0, 1);
export const label = fc.oneof({ weight: 3, arbitrary: hardLabel }, { weight: 1, arbitrary: probability });

export const base = fc.constantFrom('e', '2', '10') as fc.Arbitrary<'e' | '2' | '10'>;

export interface BinaryInput {
  kind: 'p' | 'logit' | 'pt';
  value: number;
  y: number;
}

/** A binary input: kind, prediction, label (p_t takes hard labels only). */
export const anyBinaryInput: fc.Arbitrary<BinaryInput> = fc.oneof(
  fc.record({ kind: fc.constant('p' as const), value: probability, y: label }),
  fc.record({ kind: fc.constant('logit' as const), value: logit, y: label }),
  fc.record({ kind: fc.constant('pt' as const), value: probability, y: hardLabel }),
);
