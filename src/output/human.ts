/** Number formatting for people: tables round; machine formats never do (see machine.ts). */

/** Tables are held whole before printing (column widths); longer outputs should stream. */
export const MAX_TABLE_ROWS = 100_000;

/** Significant digits in tables unless --precision says otherwise. */
export const DEFAULT_PRECISION = 5;

/** Fixed notation inside [1e-4, 1e6), scientific outside, trailing zeros trimmed. */
export function formatNumber(v: number, precision = DEFAULT_PRECISION): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e6) {
    const fixed = v.toPrecision(precision);
    if (!fixed.includes('e')) return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
    return Math.round(v).toString(); // more integer digits than the precision: 633270, not 6.3327e5
  }
  const [mantissa, exponent] = v.toExponential(precision - 1).split('e') as [string, string];
  const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return `${m}e${exponent.replace('+', '')}`;
}

/** A whole count with thousands separators: 1000000 → 1,000,000 (exact up to 2^53). */
export function formatCount(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  return Math.round(v)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
