/** A chart as data: what the terminal, SVG and PNG renderers draw. */

export type Scale = 'linear' | 'log';

export interface Series {
  label: string;
  points: readonly (readonly [number, number])[];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  xScale: Scale;
  yScale: Scale;
  /** [min, max] of each axis; values outside are clipped */
  xDomain: [number, number];
  yDomain: [number, number];
  series: readonly Series[];
}

/** Maps a value to [0, 1] along an axis (log axes need positive domains). */
export function normalise(v: number, [lo, hi]: [number, number], scale: Scale): number {
  if (scale === 'log') return (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  return (v - lo) / (hi - lo);
}

/** Tick positions and labels: 1, 2, 5 × 10^k steps (linear) or powers of ten (log). */
export function ticks([lo, hi]: [number, number], scale: Scale, target = 6): { value: number; label: string }[] {
  if (scale === 'log') {
    const a = Math.ceil(Math.log10(lo) - 1e-9);
    const b = Math.floor(Math.log10(hi) + 1e-9);
    const stride = Math.max(1, Math.ceil((b - a + 1) / target));
    const out: { value: number; label: string }[] = [];
    for (let k = a; k <= b; k += stride) out.push({ value: 10 ** k, label: k === 0 ? '1' : k === 1 ? '10' : `1e${k}` });
    return out;
  }
  const raw = (hi - lo) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / magnitude === 2.5 ? 1 : 0));
  const out: { value: number; label: string }[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push({ value: v, label: Math.abs(v) < step * 1e-9 ? '0' : v.toFixed(decimals) });
  }
  return out;
}

/** A domain that covers the data (finite values only), padded to nice ends. */
export function domainOf(values: readonly number[], scale: Scale, fallback: [number, number] = [0, 1]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (scale === 'linear' || v > 0));
  if (finite.length === 0) return fallback;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (scale === 'log') {
    if (lo === hi) return [lo / 10, hi * 10];
    return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
  }
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  if (lo > 0 && lo < (hi - lo) * 0.5) lo = 0;
  return [lo, hi];
}
