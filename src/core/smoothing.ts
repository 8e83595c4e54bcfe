/**
 * Label smoothing of a binary label (Szegedy et al. 2016, with two classes): y' = y·(1 − ε) + ε/2.
 * For hard labels 1 − ε/2 and ε/2, the correctly rounded values (Keras' order of operations
 * would give 0.9500000000000001 for y = 1, ε = 0.1).
 * @example smoothLabel(1, 0.1) // 0.95
 */
export function smoothLabel(y: number, smoothing: number): number {
  if (smoothing === 0) return y;
  if (y === 1) return 1 - smoothing / 2;
  if (y === 0) return smoothing / 2;
  return y * (1 - smoothing) + smoothing / 2;
}
