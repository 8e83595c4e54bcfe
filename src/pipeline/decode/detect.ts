/**
 * What a file is, from its first bytes (extensions lie, and stdin has none). Every format
 * below starts with a fixed magic number; text is what is left when the bytes are UTF-8
 * without NUL, so a binary file never reaches the CSV reader to have its bytes printed.
 */
export type DetectedFormat = 'npy' | 'npz' | 'parquet' | 'arrow-file' | 'arrow-stream' | 'gzip' | 'text' | 'unknown';

/** Bytes to read before calling detectFormat: the longest magic is 8; more makes the text check surer. */
export const DETECT_BYTES = 512;

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.byteLength >= magic.length && magic.every((b, i) => head[i] === b);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

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
