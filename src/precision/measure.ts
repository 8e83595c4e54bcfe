import { evaluateBinary } from '../core/index.js';
import { relativeError, rounderOf, ulpDistance, type DType } from './dtype.js';
import { emulate, type EmulationInput, type Framework } from './frameworks.js';

/** What is wrong with a framework's value, judged against the exact one. */
export type Problem = 'NaN' | '+Inf' | '-Inf' | 'zero' | 'off';

export const PROBLEM_MEANING: Readonly<Record<Problem, string>> = {
  NaN: 'NaN where the exact value is a number',
  '+Inf': '+Infinity where the exact value is finite',
  '-Inf': '−Infinity where the exact value is finite',
  zero: 'exactly 0 where the exact value is not',
  off: 'relative error above the tolerance',
};

/** The default tolerance of "off": 1%. */
export const DEFAULT_TOLERANCE = 0.01;

/**
 * The problem with `value` given `exact`, or null. The exact value rounded to the dtype is never
 * a problem, whatever it is: an infinite CE at p = 0 is right, and a gradient of 1e-50 is 0
 * in float32 for every framework. Otherwise: NaN, ±Infinity, 0, or a relative error above
 * the tolerance.
 */
export function problemOf(dtype: DType, value: number, exact: number, tolerance = DEFAULT_TOLERANCE): Problem | null {
  if (value === exact || (value !== value && exact !== exact) || value === rounderOf(dtype)(exact)) return null;
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return 'zero';
  return relativeError(value, exact) > tolerance ? 'off' : null;
}

export interface Measured {
  value: number;
  exact: number;
  /** |value − exact| in ulps of the dtype at the exact value */
  ulps: number;
  /** |value − exact| / |exact| */
  relative: number;
  problem: Problem | null;
}

export interface SampleMeasure {
  /** the input as the dtype holds it (where the exact value is taken) */
  input: number;
  /** the label the exact value is taken at (smoothed, in float64) */
  y: number;
  ce: Measured;
  fl: Measured;
  /** d FL / d input */
  grad: Measured;
  /** d CE / d input */
  gradCe: Measured;
}

function measured(dtype: DType, value: number, exact: number, tolerance: number): Measured {
  return {
    value,
    exact,
    ulps: ulpDistance(dtype, value, exact),
    relative: relativeError(value, exact),
    problem: problemOf(dtype, value, exact, tolerance),
  };
}

/**
 * A framework's CE, FL and gradients on one sample in one dtype, each against the exact value
 * at the same input (the input rounded to the dtype, the label smoothed in float64). `exact`
 * as a framework is the exact value rounded once to the dtype: the best any framework can do.
 */
export function measureSample(
  fw: Framework,
  dtype: DType,
  input: EmulationInput,
  tolerance = DEFAULT_TOLERANCE,
): SampleMeasure {
  const round = rounderOf(dtype);
  const x = round(input.value);
  const s = input.smoothing ?? 0;
  const y = s === 0 ? input.y : input.y === 1 ? 1 - s / 2 : input.y === 0 ? s / 2 : input.y * (1 - s) + s / 2;
  const exact = evaluateBinary(input.kind, x, y, { gamma: input.gamma, alpha: input.alpha });
  const exactGrad = input.kind === 'logit' ? exact.grad : exact.gradP;
  const exactGradCe = input.kind === 'logit' ? exact.gradCe : exact.gradCeP;
  const got =
    fw === 'exact'
      ? { ce: round(exact.ce), fl: round(exact.fl), grad: round(exactGrad), gradCe: round(exactGradCe) }
      : emulate(fw, dtype, input);
  return {
    input: x,
    y,
    ce: measured(dtype, got.ce, exact.ce, tolerance),
    fl: measured(dtype, got.fl, exact.fl, tolerance),
    grad: measured(dtype, got.grad, exactGrad, tolerance),
    gradCe: measured(dtype, got.gradCe, exactGradCe, tolerance),
  };
}
