/**
 * What a file is, from its first bytes (extensions lie, and stdin has none): the one place
 * that reads magic numbers. The formats focal reads are recognised by detectFormat; others
 * (HDF5, a pickle, xz …) are named by describeUnreadable, so that a binary file is refused as
 * what it is instead of being scanned as text and echoed back in fragments.
 */
export type DetectedFormat = 'npy' | 'npz' | 'parquet' | 'arrow-file' | 'arrow-stream' | 'gzip' | 'text' | 'unknown';

/** Bytes to read before calling detectFormat: the longest magic is 8; more makes the text check surer. */
export const DETECT_BYTES = 512;

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.byteLength >= magic.length && magic.every((b, i) => head[i] === b);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** What each readable format is called in messages. */
export const FORMAT_NAMES: Readonly<Record<Exclude<DetectedFormat, 'text' | 'unknown'>, string>> = {
  npy: 'a NumPy .npy array',
  npz: 'a zip archive (.npz)',
  parquet: 'Parquet',
  'arrow-file': 'an Arrow IPC file',
  'arrow-stream': 'an Arrow IPC stream',
  gzip: 'gzip data',
};

/**
 * The format of a byte source from its first bytes (give DETECT_BYTES, or the whole of a
 * shorter file).
 * @example detectFormat(new TextEncoder().encode('p,y\n0.3,1\n')) // 'text'
 */
export function detectFormat(head: Uint8Array): DetectedFormat {
  if (startsWith(head, [0x93, ...ascii('NUMPY')])) return 'npy';
  // a zip's local header, or the end record of an empty zip: np.savez writes zips
  if (startsWith(head, ascii('PK\x03\x04')) || startsWith(head, ascii('PK\x05\x06'))) return 'npz';
  if (startsWith(head, ascii('PAR1'))) return 'parquet';
  if (startsWith(head, ascii('ARROW1'))) return 'arrow-file';
  // an Arrow stream opens with a message: the continuation marker 0xFFFFFFFF and a length
  if (startsWith(head, [0xff, 0xff, 0xff, 0xff]) && head.byteLength >= 8) return 'arrow-stream';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (head.includes(0)) return 'unknown';
  try {
    // stream: a character cut at the end of the head is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'text';
  } catch {
    return 'unknown';
  }
}

/** Formats focal does not read, by their magic numbers. */
const UNREADABLE: [bytes: number[], kind: string][] = [
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

/**
 * What the first bytes of an input are when focal cannot read them as CSV, TSV or NDJSON
 * text, else null: a format of detectFormat's named by FORMAT_NAMES, or one focal does not
 * read at all.
 */
export function describeNonText(head: Uint8Array): string | null {
  const format = detectFormat(head);
  if (format !== 'text' && format !== 'unknown') return FORMAT_NAMES[format];
  for (const [bytes, kind] of UNREADABLE) if (startsWith(head, bytes)) return kind;
  // "BZh" and a block size digit
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3]! >= 0x31 && head[3]! <= 0x39)
    return 'bzip2-compressed data (decompress it, or give gzip)';
  let controls = 0;
  for (const c of head) {
    if (c === 0) return 'binary data';
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 27) controls++;
  }
  return head.length > 0 && controls / head.length > BINARY_CONTROL_SHARE ? 'binary data' : null;
}
