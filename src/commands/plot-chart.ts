import { sampleCurves, type Curve, type CurveKind, type LogBase } from '../core/index.js';
import { domainOf, type Chart, type Scale } from '../output/chart/model.js';
import { alphaText } from './shared.js';

/**
 * The curves of `focal plot` and their chart, apart from the command (no commander, no output
 * layer), so that the explorer page draws exactly the CLI's figure.
 */

export const Y_LABELS: Record<CurveKind, string> = {
  loss: 'focal loss',
  ratio: 'CE / FL',
  weight: 'FL / CE = α_t (1 − p_t)^γ',
  grad: 'dFL/dx',
};

export interface FigureSpec {
  kind: CurveKind;
  gammas: readonly number[];
  alpha: number | null;
  base: LogBase;
  yScale: Scale;
  /** the range of p_t */
  x: [number, number];
  samples: number;
  /** the top of the y axis (default 5 for a linear natural-log loss, as in the paper; else the data) */
  yMax?: number;
}

/** The sampled curves: p_t = 0 makes CE infinite, so sampling starts just above it (the point is off the chart anyway). */
export function figureCurves(spec: FigureSpec): Curve[] {
  const [from, to] = spec.x;
  const start = from === 0 ? Math.min(1e-4, to / 2) : from;
  return sampleCurves(spec.kind, spec.gammas, { alpha: spec.alpha, base: spec.base }, start, to, spec.samples);
}

export function figureChart(spec: FigureSpec, curves: readonly Curve[]): Chart {
  const { kind, yScale, base, alpha } = spec;
  // every value once, without an array of them all (a chart holds up to a million points)
  let yDomain = domainOf(
    (function* () {
      for (const c of curves) for (const [, v] of c.points) yield v;
    })(),
    yScale,
  );
  const yMax = spec.yMax ?? (kind === 'loss' && yScale === 'linear' && base === 'e' ? 5 : undefined);
  if (yMax !== undefined) yDomain = [Math.min(yDomain[0], yMax / 2), yMax];
  return {
    title: `${kind === 'loss' ? 'Focal loss' : Y_LABELS[kind]} against p_t (α = ${alphaText(alpha)}${base === 'e' ? '' : `, log base ${base}`})`,
    xLabel: 'p_t, the probability of the true class',
    yLabel: Y_LABELS[kind],
    xScale: 'linear',
    yScale,
    xDomain: spec.x,
    yDomain,
    series: curves.map((c) => ({ label: `γ = ${c.gamma}`, points: c.points })),
  };
}
