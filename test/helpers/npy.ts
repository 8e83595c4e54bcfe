/**
 * The bytes of an .npy file (format 1.0, little-endian, C order) as np.save writes them: float64
 * values, or int64 labels.
 */
export function npyBytes(
  values: ArrayLike<number>,
  dtype: '<f8' | '<i8' = '<f8',
  shape: number[] = [values.length],
): Buffer {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const data =
    dtype === '<f8' ? new Float64Array(Array.from(values)) : BigInt64Array.from(Array.from(values), (v) => BigInt(v));
  return Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from('NUMPY\x01\x00', 'latin1'),
    Buffer.from([header.length & 0xff, header.length >> 8]),
    Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer),
  ]);
}
