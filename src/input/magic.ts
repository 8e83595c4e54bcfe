/**
 * Recognises files focal cannot read by their first bytes, so that a binary file is named as
 * what it is ("unsupported format: a NumPy .npy array") instead of being scanned as text and
 * echoed back in fragments.
 */

const SIGNATURES: [bytes: number[], kind: string][] = [
  [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy array'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (.npz, .xlsx, a PyTorch file …)'],
  [[0x50, 0x4b, 0x05, 0x06], 'an empty zip archive'],
  [[0x50, 0x41, 0x52, 0x31], 'Parquet'],
  [[0x41, 0x52, 0x52, 0x4f, 0x57, 0x31], 'an Arrow IPC file'],
  [[0xff, 0xff, 0xff, 0xff], 'an Arrow IPC stream'],
  [[0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 'HDF5'],
  [[0x80, 0x02], 'a Python pickle'],
  [[0x80, 0x03], 'a Python pickle'],
  [[0x80, 0x04], 'a Python pickle'],
  [[0x80, 0x05], 'a Python pickle'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed data (decompress it, or give gzip)'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed data (decompress it, or give gzip)'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-zip archive'],
  [[0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66], 'an SQLite database'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0xff, 0xfe], 'UTF-16 text (save it as UTF-8)'],
  [[0xfe, 0xff], 'UTF-16 text (save it as UTF-8)'],
];

/** Share of control bytes (other than tab, CR, LF, FF, ESC) above which the start of a file is binary. */
const BINARY_CONTROL_SHARE = 0.1;

/** What the first bytes of an input are when focal cannot read it as CSV, TSV or NDJSON text, else null. */
export function unsupportedKind(head: Uint8Array): string | null {
  for (const [bytes, kind] of SIGNATURES) {
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) return kind;
  }
  // "BZh" and a block size digit
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3]! >= 0x31 && head[3]! <= 0x39) return 'bzip2-compressed data (decompress it, or give gzip)';
  let controls = 0;
  for (const c of head) {
    if (c === 0) return 'binary data';
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 27) controls++;
  }
  return head.length > 0 && controls / head.length > BINARY_CONTROL_SHARE ? 'binary data' : null;
}
