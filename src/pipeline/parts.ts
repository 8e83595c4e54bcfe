/**
 * A worker's share of a binary input: one of `count` contiguous parts, in file order, that each
 * decoder reads alone — .npy rows as a byte range, Parquet row groups, Arrow slices of record
 * batches. Contiguous, so that the first part reporting bad input holds the first bad row in
 * file order: the error a one-thread run gives.
 */
export interface Part {
  /** 0 … count − 1, in file order */
  index: number;
  count: number;
}

/** The rows [start, end) of a part of `total` rows cut as evenly as possible. */
export function rowRange(total: number, part: Part): { start: number; end: number } {
  return {
    start: Math.floor((total * part.index) / part.count),
    end: Math.floor((total * (part.index + 1)) / part.count),
  };
}

/**
 * Whether a unit of rows that cannot be cut (a Parquet row group, a slice of an Arrow record
 * batch) at rows [start, start + rows) of `total` belongs to `part`: the part holding its middle
 * row, so that every unit goes to exactly one part, in order.
 */
export function inPart(start: number, rows: number, total: number, part: Part): boolean {
  const middle = start + rows / 2;
  return Math.min(part.count - 1, Math.floor((part.count * middle) / Math.max(1, total))) === part.index;
}
