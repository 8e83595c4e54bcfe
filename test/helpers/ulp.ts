/**
 * Distance in ulps between a computed double and a reference decimal string ("0",
 * "Infinity", or 25 significant digits, possibly outside the double range).
 *
 * The reference is first rounded to its nearest double R (Number() rounds correctly), so a
 * reported distance is at most 0.5 ulp above the distance to the exact value. The ulp is
 * that of R, 2^(max(⌊log2|R|⌋, −1022) − 52), so subnormal results are judged on the
 * subnormal spacing.
 *
 * Returns Infinity when the result is plainly wrong: NaN, an infinity where R is finite
 * (or the reverse), or 0 where R is not.
 */
export function ulpDistance(got: number, reference: string): number {
  const ref = Number(reference);
  if (Number.isNaN(got) || Number.isNaN(ref)) return Infinity;
  if (got === ref) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(ref)) return Infinity;
  if (got === 0 && ref !== 0) return Infinity;
  return Math.abs(got - ref) / ulpOf(ref);
}

export function ulpOf(x: number): number {
  if (x === 0) return 2 ** -1074;
  const exponent = Math.max(Math.floor(Math.log2(Math.abs(x))), -1022);
  return 2 ** (exponent - 52);
}

/** A readable line for a failed comparison: the input, the result, the reference, the distance. */
export function describe(input: string, quantity: string, got: number, reference: string): string {
  return `${input}: ${quantity} = ${got}, expected ${reference} (${ulpDistance(got, reference)} ulp)`;
}
