/**
 * focal-loss as a library: focal loss and cross-entropy on float64, exact to a few ulps over
 * the whole double range. The CLI is built on these same functions.
 *
 * Conventions (torchvision's sigmoid_focal_loss, Keras' BinaryFocalCrossentropy): p is the
 * probability of class 1; p_t = p·y + (1 − p)(1 − y); α weights the positive class and 1 − α
 * the negative (α_t = α·y + (1 − α)(1 − y)), or α = null for no weighting; FL =
 * α_t (1 − p_t)^γ CE; defaults γ = 2, α = 0.25, natural log.
 *
 * The named functions check their arguments and throw a RangeError naming the bad one; the
 * core functions re-exported below (evaluateBinary, binaryLossInto, …) do not, for speed.
 *
 * @packageDocumentation
 */
import {
  binaryLossAt,
  emptyTerms,
  evaluateBinary,
  type BinaryEvaluation,
  type BinaryInputKind,
} from './core/binary.js';
import { isBinaryLabel, isBinaryPrediction } from './pipeline/layout.js';
import { evaluateCategorical, type CategoricalEvaluation } from './core/categorical.js';
import { alphaWeight, DEFAULT_PARAMS, LN_OF_BASE, type LogBase } from './core/params.js';
import { evaluateVariants, variantProblem, type LossName, type VariantParams } from './core/variants.js';

export * from './core/index.js';
export * from './precision/index.js';

/** Options of the binary losses; every field is optional. */
export interface FocalOptions {
  /** focusing parameter γ ≥ 0 (default 2) */
  gamma?: number;
  /** weight α ∈ [0, 1] of the positive class, or null for none (default 0.25) */
  alpha?: number | null;
  /** logarithm base of the result: 'e' (default), '2' or '10' */
  base?: LogBase;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

function resolve(options: FocalOptions | undefined): { gamma: number; alpha: number | null; base: LogBase } {
  const gamma = options?.gamma ?? DEFAULT_PARAMS.gamma;
  const alpha = options?.alpha === undefined ? DEFAULT_PARAMS.alpha : options.alpha;
  const base = options?.base ?? DEFAULT_PARAMS.base;
  check(gamma >= 0 && gamma < Infinity, `gamma = ${gamma}: γ must be a finite number ≥ 0`);
  check(alpha === null || (alpha >= 0 && alpha <= 1), `alpha = ${alpha}: α must be in [0, 1] or null`);
  check(base in LN_OF_BASE, `base = ${String(base)}: the base must be 'e', '2' or '10'`);
  return { gamma, alpha, base };
}

/** The rules of pipeline/layout.ts, which every input is checked by, without messages: building them (a number printed per sample) cost more than the loss. */
function sampleOk(kind: BinaryInputKind, value: number, y: number): boolean {
  return isBinaryPrediction(kind, value) && isBinaryLabel(kind, y);
}

function checkSample(kind: BinaryInputKind, value: number, y: number, index?: number): void {
  if (sampleOk(kind, value, y)) return;
  const where = index === undefined ? '' : `[${index}]`;
  check(
    isBinaryPrediction(kind, value),
    kind === 'logit'
      ? `x${where} = NaN: a logit must be a number`
      : `${kind}${where} = ${value}: a probability must be in [0, 1]`,
  );
  check(isBinaryLabel('p', y), `y${where} = ${y}: a label must be 0, 1 or a soft label in [0, 1]`);
  check(isBinaryLabel(kind, y), `y${where} = ${y}: with p_t the label must be 0 or 1`);
}

/**
 * Binary cross-entropy −(y log p + (1 − y) log(1 − p)) of a probability p of class 1.
 *
 * Uses log1p(−p) for log(1 − p): exact to 2 ulps for every p in [0, 1], including p = 5e-324
 * and p = 1 − 2^-53.
 *
 * @param p probability of class 1, in [0, 1]
 * @param y label: 0, 1, or a soft label in [0, 1]
 * @example binaryCrossEntropy(1e-300, 0) // 1e-300 (1 − p rounds to 1; log1p keeps it)
 */
export function binaryCrossEntropy(p: number, y: number, options?: Pick<FocalOptions, 'base'>): number {
  checkSample('p', p, y);
  return evaluateBinary('p', p, y, { gamma: 0, alpha: null, base: resolve(options).base }).ce;
}

/**
 * Binary focal loss α_t (1 − p_t)^γ CE of a probability p of class 1 (Lin et al. 2017).
 *
 * Exact to 4 ulps (hard labels) over the double range; γ = 0 with α = null is CE exactly.
 *
 * @param p probability of class 1, in [0, 1]
 * @param y label: 0, 1, or a soft label in [0, 1] (torchvision's interpolation)
 * @example binaryFocalLoss(0.9, 1) // 0.00026340128914456557 (γ = 2, α = 0.25)
 */
export function binaryFocalLoss(p: number, y: number, options?: FocalOptions): number {
  checkSample('p', p, y);
  return evaluateBinary('p', p, y, resolve(options)).fl;
}

/**
 * Binary cross-entropy of a logit x (p = σ(x)): softplus(−x) for y = 1, softplus(x) for y = 0.
 *
 * Exact to 2 ulps for every double x; at x = 40, y = 1 it is 4.25e-18 where −log(σ(40)) is 0.
 *
 * @example binaryCrossEntropyWithLogits(40, 1) // 4.248354255291589e-18
 */
export function binaryCrossEntropyWithLogits(x: number, y: number, options?: Pick<FocalOptions, 'base'>): number {
  checkSample('logit', x, y);
  return evaluateBinary('logit', x, y, { gamma: 0, alpha: null, base: resolve(options).base }).ce;
}

/**
 * Binary focal loss of a logit x, as torchvision.ops.sigmoid_focal_loss computes it but exact
 * at the extremes: (1 − p_t)^γ = e^(−γ·softplus(±x)) with γx carried exactly.
 *
 * Exact to 4 ulps over the double range (torchvision in float64 returns 0 at x = 37).
 *
 * @example binaryFocalLossWithLogits(37, 1) // 1.5532898967120269e-49
 */
export function binaryFocalLossWithLogits(x: number, y: number, options?: FocalOptions): number {
  checkSample('logit', x, y);
  return evaluateBinary('logit', x, y, resolve(options)).fl;
}

/**
 * Everything about one binary sample: p_t, α_t, (1 − p_t)^γ, CE, FL, CE/FL and the gradients
 * of FL and CE with respect to the logit (grad, gradCe) and to p (gradP, gradCeP).
 *
 * @param kind 'p' (probability of class 1), 'logit', or 'pt' (probability of the true class)
 * @example binarySample('logit', -3, 1).grad // dFL/dx = -0.28168747015872214
 */
export function binarySample(
  kind: BinaryInputKind,
  value: number,
  y: number,
  options?: FocalOptions,
): BinaryEvaluation {
  checkSample(kind, value, y);
  return evaluateBinary(kind, value, y, resolve(options));
}

/** Options of the categorical losses. */
export interface CategoricalOptions {
  gamma?: number;
  /** one α for every class (Keras), one per class, or null (default 0.25) */
  alpha?: number | readonly number[] | null;
  base?: LogBase;
  /** label smoothing ε ∈ [0, 1] (Keras): target y_j = (1 − ε)[j = t] + ε/K */
  labelSmoothing?: number;
}

function categorical(
  kind: 'probs' | 'logits',
  values: ArrayLike<number>,
  target: number,
  options: CategoricalOptions | undefined,
): CategoricalEvaluation {
  const k = values.length;
  check(k >= 2, `a ${kind} vector needs at least 2 classes (got ${k})`);
  check(
    Number.isInteger(target) && target >= 0 && target < k,
    `target = ${target}: must be a class index 0 to ${k - 1}`,
  );
  let sum = 0;
  for (let j = 0; j < k; j++) {
    const v = values[j]!;
    if (kind === 'probs') check(v >= 0 && v < Infinity, `probs[${j}] = ${v}: probabilities must be finite and ≥ 0`);
    else check(Number.isFinite(v), `logits[${j}] = ${v}: logits must be finite`);
    sum += v;
  }
  if (kind === 'probs') check(sum > 0, 'the probabilities sum to 0');
  const { gamma, base } = resolve({ gamma: options?.gamma, alpha: null, base: options?.base });
  const alpha = options?.alpha === undefined ? DEFAULT_PARAMS.alpha : options.alpha;
  if (Array.isArray(alpha)) check(alpha.length === k, `alpha has ${alpha.length} values for ${k} classes`);
  const smoothing = options?.labelSmoothing ?? 0;
  check(smoothing >= 0 && smoothing <= 1, `labelSmoothing = ${smoothing}: must be in [0, 1]`);
  return evaluateCategorical(kind, values, target, { gamma, alpha, base, labelSmoothing: smoothing });
}

/**
 * Categorical focal loss α_t (1 − p_t)^γ (−log p_t) of a probability vector (normalised by its
 * sum, as Keras' CategoricalFocalCrossentropy does) and a target class index.
 *
 * @example categoricalFocalLoss([0.7, 0.2, 0.1], 0).fl // 0.008025186238621482 = 0.25 · 0.3² · −log 0.7
 */
export function categoricalFocalLoss(
  probs: ArrayLike<number>,
  target: number,
  options?: CategoricalOptions,
): CategoricalEvaluation {
  return categorical('probs', probs, target, options);
}

/**
 * Categorical focal loss of a logit vector (softmax, computed in the target's frame: no
 * overflow, 1 − p_t as the sum of the other classes), with its gradient over the logits.
 *
 * @example categoricalFocalLossWithLogits([800, 0, -800], 0).ce // 3.7e-348 → 0, not NaN
 */
export function categoricalFocalLossWithLogits(
  logits: ArrayLike<number>,
  target: number,
  options?: CategoricalOptions,
): CategoricalEvaluation {
  return categorical('logits', logits, target, options);
}

/** Parameters of a family member: γ, α and base as for FL, plus the variant's own. */
export type FamilyOptions = FocalOptions & Omit<VariantParams, 'gamma' | 'alpha' | 'base'>;

/**
 * One loss of the focal family (see LOSS_NAMES): 'ce', 'fl', 'ce-balanced', 'fl-star' (FL*),
 * 'poly1', 'poly1-fl', 'asl', 'fl-reduced', 'flsd'. Throws a RangeError where the loss is
 * undefined (FL* at γ = 0, FL* and ASL with soft labels).
 *
 * @example familyLoss('fl-star', 'logit', 2, 1, { gamma: 2, beta: 1 })
 */
export function familyLoss(
  name: LossName,
  kind: BinaryInputKind,
  value: number,
  y: number,
  options?: FamilyOptions,
): number {
  checkSample(kind, value, y);
  const params = { ...options, ...resolve(options) };
  const problem = variantProblem(name, y, params);
  check(problem === null, problem ?? '');
  return evaluateVariants([name], kind, value, y, params)[0]!;
}

/** Per-sample CE and FL of a batch, as Float64Arrays. */
export interface BatchLosses {
  ce: Float64Array;
  fl: Float64Array;
}

/**
 * CE and FL of a whole batch, element by element, without allocating per sample (pass `out`
 * to reuse arrays across calls too). Same bits as binarySample for each element.
 *
 * @param kind 'p', 'logit' or 'pt'
 * @param values predictions, one per sample
 * @param labels labels, one per sample (or a single-element array for all)
 * @example binaryLossBatch('logit', Float64Array.of(-2, 0, 3), Float64Array.of(0, 1, 1)).fl
 */
export function binaryLossBatch(
  kind: BinaryInputKind,
  values: Float64Array,
  labels: Float64Array,
  options?: FocalOptions,
  out: BatchLosses = { ce: new Float64Array(values.length), fl: new Float64Array(values.length) },
): BatchLosses {
  const { gamma, alpha, base } = resolve(options);
  const n = values.length;
  check(
    labels.length === n || labels.length === 1,
    `labels has ${labels.length} values for ${n} samples; give ${n} or 1`,
  );
  check(out.ce.length >= n && out.fl.length >= n, `out arrays hold fewer than ${n} values`);
  const scale = LN_OF_BASE[base];
  const one = labels.length === 1;
  // checked in a pass of their own, so that the loop below inlines the whole loss
  for (let i = 0; i < n; i++)
    if (!sampleOk(kind, values[i]!, one ? labels[0]! : labels[i]!))
      checkSample(kind, values[i]!, one ? labels[0]! : labels[i]!, i);
  const terms = emptyTerms();
  const { ce, fl } = out;
  const [alpha0, alpha1] = [alphaWeight(alpha, 0), alphaWeight(alpha, 1)];
  for (let i = 0; i < n; i++) {
    const y = one ? labels[0]! : labels[i]!;
    binaryLossAt(
      ce,
      fl,
      i,
      kind,
      values[i]!,
      y,
      gamma,
      y === 1 ? alpha1 : y === 0 ? alpha0 : alphaWeight(alpha, y),
      scale,
      terms,
    );
  }
  return out;
}
