import type { DType } from './dtype.js';
import { Tape, type Var } from './tape.js';

/**
 * What a framework computes for binary focal loss: its formula, in its order of operations,
 * each op rounded to the dtype (see tape.ts), and its gradient as its autograd (or its
 * hand-written backward kernel) computes it. Each formula cites the file it follows; the
 * code is written from the formulas, not copied.
 */
export const FRAMEWORKS = ['exact', 'torchvision', 'keras', 'tfa', 'mmcv', 'naive'] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export type EmulatedFramework = Exclude<Framework, 'exact'>;

export const FRAMEWORK_MEANING: Readonly<Record<Framework, string>> = {
  exact: "focal's own float64 core (the exact value, correctly rounded to within a few ulps)",
  torchvision:
    'torchvision.ops.sigmoid_focal_loss on PyTorch 1.13 (BCE-with-logits as log(e^−m + e^(−x−m)) + m, no log1p), torch autograd',
  keras:
    'keras.losses.BinaryFocalCrossentropy (Keras 3, TensorFlow backend): clip to [1e-7, 1 − 1e-7] from probabilities, α only with apply_class_balancing, TF gradients',
  tfa: 'tfa.losses.SigmoidFocalCrossEntropy: tf.keras backend BCE, log(p + 1e-7) after the clip, TF gradients',
  mmcv: "mmcv's sigmoid_focal_loss CUDA kernels: log(max(p, FLT_MIN)), hand-written backward",
  naive: 'the textbook −α_t (1 − p_t)^γ log p_t with p = 1/(1 + e^−x), torch autograd',
};

/** Keras' backend.epsilon() (keras/src/backend/config.py), also tf.keras' (tf_keras/backend_config.py). */
const KERAS_EPSILON = 1e-7;
/** FLT_MIN, the smallest normal float32, as mmcv's kernels clamp with it. */
const FLT_MIN = 2 ** -126;

export interface EmulationInput {
  /** what the framework is given: a logit (from_logits=True) or a probability */
  kind: 'logit' | 'p';
  value: number;
  /** the label, 0 or 1 or soft, before any label smoothing */
  y: number;
  gamma: number;
  /** null: no class weight (torchvision alpha = −1, Keras apply_class_balancing=False, TFA alpha=None) */
  alpha: number | null;
  /** label smoothing: in Keras' order for keras, applied to the label in float64 otherwise */
  smoothing?: number;
}

export interface Emulated {
  /** the input as the dtype holds it */
  input: number;
  ce: number;
  fl: number;
  /** d fl / d input (x for a logit, p for a probability) */
  grad: number;
  /** d ce / d input */
  gradCe: number;
}

/** Why a framework cannot take this input or dtype (one sentence), or null when it can. */
export function unsupported(
  fw: Framework,
  dtype: DType,
  kind: 'logit' | 'p' | 'pt',
  y: number,
  alpha: number | null,
  smoothing: number,
): string | null {
  if (fw === 'exact') return null;
  if (kind === 'pt')
    return `--as ${fw} takes --logit or --p (a framework sees a logit or a probability of class 1, not p_t).`;
  if ((fw === 'torchvision' || fw === 'mmcv') && kind !== 'logit')
    return `${fw}'s focal loss takes logits only; give --logit.`;
  if (fw === 'mmcv') {
    if (dtype === 'bfloat16')
      return "mmcv's focal-loss kernels are dispatched for float64, float32 and float16 only (AT_DISPATCH_FLOATING_TYPES_AND_HALF).";
    if (alpha === null) return 'mmcv always weights by α (its kernels have no α none); give --alpha.';
    if ((y !== 0 && y !== 1) || smoothing > 0)
      return "mmcv's kernels take class indices (hard labels 0 or 1), not soft or smoothed labels.";
  }
  return null;
}

/** A label smoothed as focal smooths it (y(1 − s) + s/2), for the frameworks without smoothing of their own. */
function smoothedLabel(y: number, s: number): number {
  return s > 0 ? y * (1 - s) + s / 2 : y;
}

/** Emulates one framework on one sample in one dtype. Call `unsupported` first. */
export function emulate(fw: EmulatedFramework, dtype: DType, input: EmulationInput): Emulated {
  if (fw === 'mmcv') return mmcv(dtype, input);
  const tape = new Tape(dtype, { name: fw === 'keras' || fw === 'tfa' ? 'tensorflow' : 'torch' });
  const x = tape.input(input.value);
  const graph = GRAPHS[fw](tape, x, input);
  return {
    input: tape.value(x),
    ce: tape.value(graph.ce),
    fl: tape.value(graph.fl),
    grad: tape.gradient(graph.fl, x),
    gradCe: tape.gradient(graph.ce, x),
  };
}

interface Graph {
  ce: Var;
  fl: Var;
}

const GRAPHS: Record<Exclude<EmulatedFramework, 'mmcv'>, (t: Tape, x: Var, i: EmulationInput) => Graph> = {
  torchvision,
  keras,
  tfa,
  naive,
};

/** y·a + (1 − y)·b with the label y a tensor: the interpolation every framework writes out. */
function interpolate(t: Tape, y: Var, a: Var, b: Var): Var {
  return t.add(t.mul(a, y), t.mul(t.rsub(1, y), b));
}

/**
 * torchvision/ops/focal_loss.py (sigmoid_focal_loss):
 *   p = sigmoid(x); ce = F.binary_cross_entropy_with_logits(x, y)
 *   p_t = p*y + (1 − p)*(1 − y); loss = ce * (1 − p_t)**γ
 *   if α ≥ 0: loss = (α*y + (1 − α)*(1 − y)) * loss
 * with BCE-with-logits as PyTorch 1.13 computes it (aten/src/ATen/native/Loss.cpp):
 *   m = (−x).clamp_min(0); (1 − y)*x + m + log(exp(−m) + exp(−x − m))
 * and its own backward, (sigmoid(x) − y)*grad. Without log1p, 1 + e^−x rounds to 1 for
 * x > ~17 (float32) or ~37 (float64) and CE, hence FL, become exactly 0.
 */
function torchvision(t: Tape, x: Var, i: EmulationInput): Graph {
  const y = t.constant(smoothedLabel(i.y, i.smoothing ?? 0));
  const ce = torchBceWithLogits(t, x, y);
  const p = t.sigmoid(x);
  const pt = t.add(t.mul(p, y), t.mul(t.rsub(1, p), t.rsub(1, y)));
  let fl = t.mul(ce, t.powScalar(t.rsub(1, pt), i.gamma));
  if (i.alpha !== null) {
    const alphaT = t.add(t.scale(i.alpha, y), t.scale(1 - i.alpha, t.rsub(1, y)));
    fl = t.mul(alphaT, fl);
  }
  return { ce, fl };
}

function torchBceWithLogits(t: Tape, x: Var, y: Var): Var {
  const xv = t.value(x);
  const yv = t.value(y);
  const r = (v: number) => t.round(v);
  const m = Math.max(-xv, 0);
  const head = r(r(r(1 - yv) * xv) + m);
  const sum = r(r(Math.exp(-m)) + r(Math.exp(r(-xv - m))));
  const value = r(head + r(Math.log(sum)));
  const o = t.opRound;
  const sigmoid = r(o(1 / o(1 + o(Math.exp(-xv)))));
  return t.custom(value, [x], (g) => [r(r(sigmoid - yv) * g)]);
}

/**
 * keras/src/losses/losses.py (binary_focal_crossentropy), Keras 3:
 *   y = y*(1 − s) + 0.5*s when label_smoothing s > 0
 *   p = sigmoid(x) when from_logits
 *   bce = ops.binary_crossentropy(y, p)
 *   p_t = y*p + (1 − y)*(1 − p); loss = (1 − p_t)**γ * bce
 *   if apply_class_balancing: loss = (y*α + (1 − y)*(1 − α)) * loss
 * with the TensorFlow backend's binary_crossentropy (keras/src/backend/tensorflow/nn.py): from
 * probabilities, clip to [ε, 1 − ε] and −(y log p + (1 − y) log(1 − p)); when p came from
 * ops.sigmoid it recovers the logits (_keras_logits) and calls
 * tf.nn.sigmoid_cross_entropy_with_logits instead, so from logits nothing is clipped.
 */
function keras(t: Tape, x: Var, i: EmulationInput): Graph {
  const s = i.smoothing ?? 0;
  let y = t.constant(i.y);
  if (s > 0) y = t.addScalar(t.scale(1 - s, y), 0.5 * s);
  let p: Var;
  let ce: Var;
  if (i.kind === 'logit') {
    p = t.sigmoid(x);
    ce = tfSigmoidCrossEntropyWithLogits(t, x, y);
  } else {
    p = x;
    const o = t.clip(x, KERAS_EPSILON, 1 - KERAS_EPSILON);
    const bce = t.add(t.mul(y, t.log(o)), t.mul(t.rsub(1, y), t.log(t.rsub(1, o))));
    ce = t.neg(bce);
  }
  const pt = interpolate(t, y, p, t.rsub(1, p));
  let fl = t.mul(t.powScalar(t.rsub(1, pt), i.gamma), ce);
  if (i.alpha !== null) {
    const weight = t.add(t.scale(i.alpha, y), t.scale(1 - i.alpha, t.rsub(1, y)));
    fl = t.mul(weight, fl);
  }
  return { ce, fl };
}

/**
 * tf.nn.sigmoid_cross_entropy_with_logits (tensorflow/python/ops/nn_impl.py):
 *   relu_logits = where(x ≥ 0, x, 0); neg_abs = where(x ≥ 0, −x, x)
 *   (relu_logits − x*y) + log1p(exp(neg_abs))
 */
function tfSigmoidCrossEntropyWithLogits(t: Tape, x: Var, y: Var): Var {
  const nonNegative = t.value(x) >= 0;
  const zero = t.constant(0);
  const relu = t.select(nonNegative, x, zero);
  const negAbs = t.select(nonNegative, t.neg(x), x);
  return t.add(t.sub(relu, t.mul(x, y)), t.log1p(t.exp(negAbs)));
}

/**
 * tensorflow_addons/losses/focal_loss.py (sigmoid_focal_crossentropy):
 *   ce = K.binary_crossentropy(y, y_pred, from_logits)
 *   p = sigmoid(y_pred) if from_logits else y_pred
 *   p_t = y*p + (1 − y)*(1 − p)
 *   α_f = y*α + (1 − y)*(1 − α) if α else 1   (α cast to the dtype first; α = 0 counts as none)
 *   m = pow(1 − p_t, γ) if γ else 1
 *   return α_f * m * ce
 * with tf.keras' binary_crossentropy (tf_keras/backend.py): from probabilities, clip to
 * [ε, 1 − ε], then −(y log(p + ε) + (1 − y) log(1 − p + ε)); from logits,
 * sigmoid_cross_entropy_with_logits.
 */
function tfa(t: Tape, x: Var, i: EmulationInput): Graph {
  const y = t.constant(smoothedLabel(i.y, i.smoothing ?? 0));
  let ce: Var;
  let p: Var;
  if (i.kind === 'logit') {
    ce = tfSigmoidCrossEntropyWithLogits(t, x, y);
    p = t.sigmoid(x);
  } else {
    const o = t.clip(x, KERAS_EPSILON, 1 - KERAS_EPSILON);
    const pos = t.mul(y, t.log(t.addScalar(o, KERAS_EPSILON)));
    const neg = t.mul(t.rsub(1, y), t.log(t.addScalar(t.rsub(1, o), KERAS_EPSILON)));
    ce = t.neg(t.add(pos, neg));
    p = x;
  }
  const pt = t.add(t.mul(y, p), t.mul(t.rsub(1, y), t.rsub(1, p)));
  const factors: Var[] = [];
  if (i.alpha) {
    const a = t.constant(i.alpha);
    factors.push(t.add(t.mul(y, a), t.mul(t.rsub(1, y), t.rsub(1, a))));
  }
  if (i.gamma) factors.push(t.powScalar(t.rsub(1, pt), t.round(i.gamma)));
  // alpha_factor * modulating_factor * ce, where a factor left at the Python 1.0 multiplies exactly
  const weight = factors.length === 2 ? t.mul(factors[0]!, factors[1]!) : factors[0];
  return { ce, fl: weight === undefined ? ce : t.mul(weight, ce) };
}

/**
 * The textbook formula, as a user writes it in PyTorch:
 *   p = 1/(1 + exp(−x)); p_t = p if y = 1 else 1 − p (y p + (1 − y)(1 − p) for soft labels)
 *   ce = −log p_t (−(y log p + (1 − y) log(1 − p)) for soft labels); fl = α_t (1 − p_t)^γ ce
 */
function naive(t: Tape, x: Var, i: EmulationInput): Graph {
  const yv = smoothedLabel(i.y, i.smoothing ?? 0);
  const p = i.kind === 'logit' ? t.reciprocal(t.addScalar(t.exp(t.neg(x)), 1)) : x;
  let pt: Var;
  let ce: Var;
  if (yv === 1 || yv === 0) {
    pt = yv === 1 ? p : t.rsub(1, p);
    ce = t.neg(t.log(pt));
  } else {
    const y = t.constant(yv);
    pt = interpolate(t, y, p, t.rsub(1, p));
    ce = t.neg(t.add(t.mul(y, t.log(p)), t.mul(t.rsub(1, y), t.log(t.rsub(1, p)))));
  }
  let fl = t.mul(t.powScalar(t.rsub(1, pt), i.gamma), ce);
  if (i.alpha !== null) {
    const alphaT = yv === 1 ? i.alpha : yv === 0 ? 1 - i.alpha : i.alpha * yv + (1 - i.alpha) * (1 - yv);
    fl = t.scale(alphaT, fl);
  }
  return { ce, fl };
}

/**
 * mmcv/ops/csrc/common/cuda/sigmoid_focal_loss_cuda_kernel.cuh, with T the tensor's type:
 *   forward:  p = 1/(1 + expf(−x))
 *             term_p = pow(1 − p, γ) · log(max(p, (T)FLT_MIN))
 *             term_n = pow(p, γ) · log(max(1 − p, (T)FLT_MIN))
 *             out = 0; out += −flag_p·α·term_p; out += −flag_n·(1 − α)·term_n
 *   backward: term_p = pow(1 − p, γ) · (1 − p − γ·p·log(max(p, FLT_MIN)))
 *             term_n = pow(p, γ) · (γ·(1 − p)·log(max(1 − p, FLT_MIN)) − p)
 *             grad = −flag_p·α·term_p − flag_n·(1 − α)·term_n
 * Rounding: every T-typed variable and every product of two T values is rounded to T; a
 * float function of a T (expf, pow, log) computes in float. For T = half, (T)FLT_MIN is 0
 * (FLT_MIN underflows float16), so the clamp does nothing and log(0) = −∞; and the term of
 * the other class is multiplied by a zero flag, so −0·∞ = NaN whenever that term is infinite.
 * The CE column is the kernel's own −log(max(p_t, FLT_MIN)).
 */
function mmcv(dtype: DType, i: EmulationInput): Emulated {
  const tape = new Tape(dtype, { name: 'torch' });
  const T = (v: number) => tape.round(v); // to T, through float for half (half ops widen to float)
  const f = dtype === 'float64' ? (v: number) => v : Math.fround; // a float (or double) function result
  const x = tape.value(tape.input(i.value));
  const gamma = T(i.gamma);
  const alpha = T(i.alpha!);
  const floor = T(FLT_MIN);
  const flagP = i.y === 1 ? 1 : 0;
  const flagN = 1 - flagP;
  const p = T(f(1 / f(1 + f(Math.exp(-x)))));
  const q = T(1 - p);
  const logP = f(Math.log(Math.max(p, floor)));
  const logQ = f(Math.log(Math.max(q, floor)));
  const powQ = f(Math.pow(q, gamma));
  const powP = f(Math.pow(p, gamma));
  const termP = T(powQ * logP);
  const termN = T(powP * logQ);
  const oneMinusAlpha = T(1 - alpha);
  let out = 0;
  out = T(out + T(T(-flagP * alpha) * termP));
  out = T(out + T(T(-flagN * oneMinusAlpha) * termN));
  // backward: term_p = pow(1 − p, γ)·(1 − p − γ·p·log p), term_n = pow(p, γ)·(γ·(1 − p)·log(1 − p) − p)
  const gTermP = T(powQ * f(q - f(T(gamma * p) * logP)));
  const gTermN = T(powP * f(f(T(gamma * q) * logQ) - p));
  let grad = 0;
  grad = T(grad + T(T(-flagP * alpha) * gTermP));
  grad = T(grad + T(T(-flagN * oneMinusAlpha) * gTermN));
  const ce = T(-(flagP ? logP : logQ));
  return { input: x, ce, fl: out, grad, gradCe: T(p - flagP) };
}
