import { evaluateBinary } from './binary.js';
import type { FocalParams } from './params.js';

/**
 * Sampled curves of the loss against p_t, one per γ: the paper's Figure 1 and its relatives.
 * Pure data; the chart renderers draw it.
 */

/** What `focal plot --kind` can draw against p_t. */
export const CURVE_KINDS = ['loss', 'ratio', 'weight', 'grad'] as const;
export type CurveKind = (typeof CURVE_KINDS)[number];

/** What each kind plots against p_t (for a positive, y = 1). */
export const CURVE_MEANING: Record<CurveKind, string> = {
  loss: 'FL = α_t (1 − p_t)^γ · CE',
  ratio: 'CE/FL = 1/(α_t (1 − p_t)^γ)',
  weight: 'FL/CE = α_t (1 − p_t)^γ',
  grad: 'dFL/dx (the logit gradient of a positive)',
};

export interface Curve {
  gamma: number;
  /** [p_t, value] pairs in increasing p_t */
  points: [number, number][];
}

/** The value of one curve kind at p_t for a positive sample (y = 1).
 * @example curveValue('loss', 0.9, { gamma: 2, alpha: null }) // 0.0010536051565782623 = 0.01·(−ln 0.9)
 */
export function curveValue(kind: CurveKind, pt: number, params: FocalParams): number {
  const r = evaluateBinary('pt', pt, 1, params);
  switch (kind) {
    case 'loss':
      return r.fl;
    case 'ratio':
      return r.ratio;
    case 'weight':
      return r.alphaT * r.modulating;
    case 'grad':
      return r.grad;
  }
}

/**
 * `samples` points per γ from `from` to `to` (inclusive), evenly spaced in p_t, or in log p_t
 * when `logX` (for ranges spanning decades).
 * @example sampleCurves('loss', [0, 2], { alpha: null }, 0.5, 1, 3)[1].points[1] // [0.75, 0.017980129528236306] (γ = 2)
 */
export function sampleCurves(
  kind: CurveKind,
  gammas: readonly number[],
  params: Omit<FocalParams, 'gamma'>,
  from: number,
  to: number,
  samples: number,
  logX = false,
): Curve[] {
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = samples === 1 ? 1 : i / (samples - 1);
    xs.push(logX ? Math.exp(Math.log(from) + t * (Math.log(to) - Math.log(from))) : from + t * (to - from));
  }
  xs[xs.length - 1] = to;
  return gammas.map((gamma) => ({
    gamma,
    points: xs.map((x) => [x, curveValue(kind, x, { ...params, gamma })] as [number, number]),
  }));
}
