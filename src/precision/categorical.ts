import type { DType } from './dtype.js';
import { Tape, type Var } from './tape.js';

/**
 * keras.losses.CategoricalFocalCrossentropy (keras/src/losses/losses.py,
 * categorical_focal_crossentropy), Keras 3, emulated in a dtype:
 *   y = y*(1 − s) + s/K when label_smoothing s > 0
 *   p = softmax(logits) when from_logits
 *   o = clip(p / sum(p), ε, 1 − ε)
 *   loss = sum_k ((1 − o_k)**γ * α_k) * (−y_k log o_k)
 * α applies always here (unlike the binary loss), as a scalar or one weight per class. The
 * softmax is TF's (exp(x − max) / sum). Sums run left to right.
 * Returns the per-sample loss and its gradient with respect to each input (TF gradients).
 */
export function kerasCategoricalFocal(
  dtype: DType,
  kind: 'probs' | 'logits',
  values: readonly number[],
  target: number,
  params: { gamma: number; alpha: number | readonly number[]; smoothing?: number },
): { loss: number; grad: number[] } {
  const t = new Tape(dtype, { name: 'tensorflow' });
  const K = values.length;
  const inputs = values.map((v) => t.input(v));
  const s = params.smoothing ?? 0;
  const ys = values.map((_, k) => {
    const y = t.constant(k === target ? 1 : 0);
    return s > 0 ? t.addScalar(t.scale(1 - s, y), s / K) : y;
  });
  let probs: Var[] = inputs;
  if (kind === 'logits') {
    const max = t.constant(Math.max(...inputs.map((v) => t.value(v))));
    const exps = inputs.map((v) => t.exp(t.sub(v, max)));
    probs = divideBySum(t, exps);
  }
  const out = divideBySum(t, probs).map((o) => t.clip(o, 1e-7, 1 - 1e-7));
  let loss: Var | null = null;
  out.forEach((o, k) => {
    const cce = t.mul(t.neg(ys[k]!), t.log(o));
    const alpha = typeof params.alpha === 'number' ? params.alpha : params.alpha[k]!;
    const weighting = t.scale(alpha, t.powScalar(t.rsub(1, o), params.gamma));
    const term = t.mul(weighting, cce);
    loss = loss === null ? term : t.add(loss, term);
  });
  return { loss: t.value(loss!), grad: inputs.map((v) => t.gradient(loss!, v)) };
}

function divideBySum(t: Tape, xs: readonly Var[]): Var[] {
  let sum = xs[0]!;
  for (const x of xs.slice(1)) sum = t.add(sum, x);
  return xs.map((x) => t.div(x, sum));
}
