/**
 * Typed columns: what every decoder produces and the layout step consumes. A decoder knows
 * nothing of losses; it hands over the numbers as the file stores them (in the narrowest
 * JavaScript typed array that holds them exactly) with their dtype and row width.
 */
import { FormatError } from '../errors.js';

/** Element types a column can have (numpy's names). */
export type DType =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64';

export type NumericArray =
  Float64Array | Float32Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/**
 * One column of a batch of rows, row-major: row r is values[r·width … r·width + width − 1].
 * float16 arrives widened to Float32Array (exact); int64/uint64 as Float64Array (exact, since
 * a value beyond ±2^53 is refused); bool as Uint8Array of 0/1.
 */
export interface Column {
  dtype: DType;
  /** elements per row: 1 for a scalar column, K for a vector (a 2-D array's second axis) */
  width: number;
  values: NumericArray;
}

/** Rows [rowStart, rowStart + rows) of named columns. */
export interface ColumnBatch {
  rowStart: number;
  rows: number;
  columns: Record<string, Column>;
}

export const ITEM_SIZE: Readonly<Record<DType, number>> = {
  float16: 2,
  float32: 4,
  float64: 8,
  bool: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
};

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE binary16 → number (exact): subnormals, ±Infinity and NaN included. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

type Ctor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => NumericArray;
const NATIVE: Partial<Record<DType, Ctor>> = {
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
};

const TWO_32 = 4294967296;

/**
 * Elements of `dtype` stored in `bytes` (a whole number of them) with the given byte order.
 * Native-order data whose offset is aligned is viewed, not copied.
 * @param file   named in the error for an int64 beyond ±2^53 or a bool that is not 0/1
 * @param first  the index of the first element in the whole array, for that error
 */
export function elementsOf(
  bytes: Uint8Array,
  dtype: DType,
  littleEndian: boolean,
  file: string,
  first = 0,
): NumericArray {
  const size = ITEM_SIZE[dtype];
  const n = bytes.byteLength / size;
  const native = NATIVE[dtype];
  if (native && (size === 1 || littleEndian === IS_LITTLE_ENDIAN)) {
    const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
    const out = new native(aligned.buffer as ArrayBuffer, aligned.byteOffset, n);
    if (dtype === 'bool') checkBool(out as Uint8Array, file, first);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(2 * i, littleEndian));
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, littleEndian);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, littleEndian);
      return out;
    }
    case 'int16':
    case 'uint16': {
      const out = dtype === 'int16' ? new Int16Array(n) : new Uint16Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dtype === 'int16' ? view.getInt16(2 * i, littleEndian) : view.getUint16(2 * i, littleEndian);
      return out;
    }
    case 'int32':
    case 'uint32': {
      const out = dtype === 'int32' ? new Int32Array(n) : new Uint32Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dtype === 'int32' ? view.getInt32(4 * i, littleEndian) : view.getUint32(4 * i, littleEndian);
      return out;
    }
    case 'int64':
    case 'uint64': {
      // two 32-bit halves instead of BigInt: ~10× faster, and exact while |v| < 2^53
      const out = new Float64Array(n);
      const signed = dtype === 'int64';
      const loAt = littleEndian ? 0 : 4;
      const hiAt = 4 - loAt;
      for (let i = 0; i < n; i++) {
        const hi = signed ? view.getInt32(8 * i + hiAt, littleEndian) : view.getUint32(8 * i + hiAt, littleEndian);
        if (hi >= 0x200000 || hi < -0x200000)
          throw new FormatError(
            file,
            `${dtype} element ${first + i} is beyond ±2^53, too large to be a label or a prediction`,
          );
        out[i] = hi * TWO_32 + view.getUint32(8 * i + loAt, littleEndian);
      }
      return out;
    }
    default:
      throw new Error(`unreachable dtype ${dtype}`);
  }
}

function checkBool(values: Uint8Array, file: string, first: number): void {
  for (let i = 0; i < values.length; i++)
    if (values[i]! > 1) throw new FormatError(file, `bool element ${first + i} is ${values[i]}, not 0 or 1`);
}
