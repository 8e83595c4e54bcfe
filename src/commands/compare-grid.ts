import {
  emptyLosses,
  evaluateBinary,
  evaluateBinaryLossesInto,
  evaluateVariants,
  type BinaryInputKind,
  type LogBase,
} from '../core/index.js';
import { isBinaryLabel } from '../pipeline/layout.js';
import type { Row } from '../output/report.js';
import { UsageError } from '../cli/errors.js';
import { checkFamily, smoothLabel, type Family } from './family.js';
import { binaryRow } from './shared.js';
import type { NumberSeq, Segment } from '../cli/values.js';

/** An array as a Segment of a NumberSeq. */
function arraySegment(values: readonly number[]): Segment {
  return { length: values.length, at: (i) => values[i]! };
}

/**
 * The rows of \`focal compare\`, apart from the command so that the explorer page (a browser
 * bundle, src/page) computes the very same rows without the CLI's output layer.
 */

/** What a compare grid is made of: parsed, checked values. */
export interface CompareGrid {
  kind: BinaryInputKind;
  values: Iterable<number>;
  ys: readonly number[];
  gammas: readonly number[];
  alphas: readonly (number | null)[];
  base: LogBase;
  grad: boolean;
  family: Family;
}

/** The rows of a grid, γ slowest, then α, y and the prediction (the explorer page shows the same rows). */
export function* compareRows({ kind, values, ys, gammas, alphas, base, grad, family }: CompareGrid): Generator<Row> {
  const variants = new Float64Array(family.extras.length);
  // a NumberSeq's segments indexed directly: its own iterator is a second generator to resume per row
  const segments = 'segments' in values ? (values as NumberSeq).segments : [arraySegment([...values])];
  // without --grad, no gradients and no object per row but the row itself (binaryRow copies it)
  const lean = emptyLosses();
  // each (γ, α, y) once at the first and the last value before the sweep: V8 then compiles the core
  // with the branches of every γ (γ = 0, 1, 2 and the rest take different ones); a branch first
  // taken mid-sweep discards the compiled loop, which runs interpreted until it is recompiled
  if (!grad && segments.length > 0 && segments[0]!.length > 0)
    for (const gamma of gammas)
      for (const alpha of alphas)
        for (const y of ys)
          for (const v of [segments[0]!.at(0), segments.at(-1)!.at(segments.at(-1)!.length - 1)])
            evaluateBinaryLossesInto(lean, kind, v, smoothLabel(y, family.smoothing), { gamma, alpha, base });
  for (const gamma of gammas) {
    for (const alpha of alphas) {
      const params = { gamma, alpha, base };
      const variantParams = { ...params, ...family.params };
      for (const y of ys) {
        const ySmoothed = smoothLabel(y, family.smoothing);
        for (let k = 0; k < segments.length; k++) {
          const segment = segments[k]!;
          for (let i = 0; i < segment.length; i++) {
            const v = segment.at(i);
            const r = grad
              ? evaluateBinary(kind, v, ySmoothed, params)
              : evaluateBinaryLossesInto(lean, kind, v, ySmoothed, params);
            if (family.extras.length) evaluateVariants(family.extras, kind, v, ySmoothed, variantParams, variants);
            yield binaryRow(r, { logit: kind === 'logit' ? v : undefined, y, gamma, alpha, grad, family, variants });
          }
        }
      }
    }
  }
}

/** Every row of the grid must be defined: one clear error instead of a NaN later. */
export function checkGrid(
  kind: BinaryInputKind,
  ys: readonly number[],
  gammas: readonly number[],
  family: Family,
): void {
  if (ys.some((y) => !isBinaryLabel(kind, y))) {
    throw new UsageError(
      `option '--y' with --pt takes hard labels 0 or 1 (p_t is only defined per class); got ${ys.join(',')}.`,
    );
  }
  if (kind === 'pt' && family.smoothing > 0)
    throw new UsageError(
      "option '--label-smoothing' makes labels soft, and --pt needs hard labels; use --p or --logit.",
    );
  checkFamily(family, ys, gammas);
}
