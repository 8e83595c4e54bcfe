/**
 * numpy's .npz: a zip archive of .npy members, one per array (np.savez: stored;
 * np.savez_compressed: deflated). The central directory (with its zip64 extensions, which
 * numpy writes for every member) is read here directly — about a hundred lines, against a
 * dependency for the two compression methods numpy uses; members are inflated with node:zlib
 * as a stream and decoded by the .npy decoder, so an array of any size is read in constant
 * memory. Members are not CRC-checked (the .npy format has no checksum either).
 */
import { pipeline, Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { FormatError } from '../../errors.js';
import { chunkReader, rangeChunks, rangeReader, type ByteReader, type RandomAccess } from '../source.js';
import { decodeNpy, readNpyHeader, type ArrayBatch, type NpyHeader, type RowRange } from './npy.js';

export interface NpzEntry {
  /** the array's name: the member's name without ".npy" */
  name: string;
  method: 'stored' | 'deflated';
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;
/** the end record (22 bytes) and the longest comment a zip can carry */
const EOCD_SEARCH = 22 + 0xffff;

/**
 * Compressed bytes per read and write to the inflater. Measured on 10^7 rows of
 * np.savez_compressed (decoding alone): 16 KiB peaks at 73 MiB, 64 KiB at 88, 256 KiB at 97 MiB
 * (node:zlib allocates every output chunk, and more of them are in flight) for 1.5–2× the time
 * of 256 KiB; memory is the promise.
 */
const INFLATE_INPUT_BYTES = 1 << 14;
const INFLATE_OUTPUT_BYTES = 1 << 16;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(v: DataView, at: number): number {
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
}

/** The arrays of an .npz file, in the archive's order. */
export async function listNpz(source: RandomAccess): Promise<NpzEntry[]> {
  const file = source.name;
  const corrupt = (what: string): FormatError => new FormatError(file, `corrupt .npz (zip): ${what}`);
  const tailStart = Math.max(0, source.size - EOCD_SEARCH);
  const tail = await source.read(tailStart, source.size - tailStart);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw source.size < 22 || tailStart === 0
      ? corrupt('no end-of-archive record (truncated, or not a zip file)')
      : corrupt('no end-of-archive record');
  let entries = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const at = eocd - 20;
    if (at < 0 || tv.getUint32(at, true) !== ZIP64_LOCATOR) throw corrupt('zip64 sizes without a zip64 locator');
    const z64 = view(await source.read(u64(tv, at + 8), 56));
    if (z64.byteLength < 56 || z64.getUint32(0, true) !== ZIP64_EOCD) throw corrupt('the zip64 end record is missing');
    entries = u64(z64, 32);
    cdSize = u64(z64, 40);
    cdOffset = u64(z64, 48);
  }
  if (cdOffset + cdSize > source.size)
    throw corrupt(
      `the central directory (${cdSize} bytes at ${cdOffset}) lies past the end of the file (${source.size} bytes): truncated`,
    );
  const cd = await source.read(cdOffset, cdSize);
  const cv = view(cd);
  const list: NpzEntry[] = [];
  let at = 0;
  for (let k = 0; k < entries; k++) {
    if (at + 46 > cd.byteLength || cv.getUint32(at, true) !== CENTRAL)
      throw corrupt(`central directory entry ${k} is damaged`);
    const flags = cv.getUint16(at + 8, true);
    const method = cv.getUint16(at + 10, true);
    let compressedSize = cv.getUint32(at + 20, true);
    let size = cv.getUint32(at + 24, true);
    const nameLength = cv.getUint16(at + 28, true);
    const extraLength = cv.getUint16(at + 30, true);
    const commentLength = cv.getUint16(at + 32, true);
    let localHeaderOffset = cv.getUint32(at + 42, true);
    const member = new TextDecoder().decode(cd.subarray(at + 46, at + 46 + nameLength));
    // zip64 extra field: the 64-bit values of exactly those fields that are 0xFFFFFFFF, in this order
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      const id = cv.getUint16(e, true);
      const length = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let f = e + 4;
        if (size === U32_MAX) ((size = u64(cv, f)), (f += 8));
        if (compressedSize === U32_MAX) ((compressedSize = u64(cv, f)), (f += 8));
        if (localHeaderOffset === U32_MAX) localHeaderOffset = u64(cv, f);
      }
      e += 4 + length;
    }
    if (flags & 1) throw new FormatError(file, `member ${member} is encrypted`);
    if (method !== 0 && method !== 8)
      throw new FormatError(
        file,
        `member ${member} uses zip compression method ${method}; numpy writes only stored (0) and deflated (8)`,
      );
    list.push({
      name: member.replace(/\.npy$/, ''),
      method: method === 0 ? 'stored' : 'deflated',
      compressedSize,
      size,
      localHeaderOffset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return list;
}

/** A member's .npy bytes, read from their start: straight from the file (stored) or through an inflater. */
async function memberBytes(source: RandomAccess, entry: NpzEntry): Promise<{ reader: ByteReader; close(): void }> {
  const local = view(await source.read(entry.localHeaderOffset, 30));
  if (local.byteLength < 30 || local.getUint32(0, true) !== LOCAL)
    throw new FormatError(source.name, `corrupt .npz (zip): no local header for member ${entry.name}`);
  const dataStart = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataStart + entry.compressedSize > source.size)
    throw new FormatError(
      source.name,
      `truncated .npz: member ${entry.name} needs bytes up to ${dataStart + entry.compressedSize}, the file has ${source.size}`,
    );
  // stored: read straight into the .npy decoder's buffer, no copy but the kernel's
  if (entry.method === 'stored') return { reader: rangeReader(source, dataStart, entry.compressedSize), close() {} };
  // node:zlib pauses inside a block when its output is not read (deflate expands up to ~1000×:
  // an array of zeros), so memory stays bounded; the output is copied into the decoder's one buffer
  const raw = rangeChunks(source, dataStart, entry.compressedSize, INFLATE_INPUT_BYTES);
  const inflate = createInflateRaw({ chunkSize: INFLATE_OUTPUT_BYTES });
  pipeline(Readable.from(raw), inflate, () => {}); // errors surface on `inflate`, where they are read
  return { reader: chunkReader(inflated(inflate, `${source.name}[${entry.name}]`)), close: () => inflate.destroy() };
}

/**
 * The row batches of one array of an .npz.
 * @param onHeader  called with the member's .npy header before the first batch
 * @param rows  only these rows (a worker's part): a stored member is read from their offset; a
 *              deflated one cannot be entered in its middle, so the rows before are inflated and dropped
 */
export async function* npzArray(
  source: RandomAccess,
  entry: NpzEntry,
  onHeader?: (header: NpyHeader) => void,
  rows: RowRange = null,
): AsyncGenerator<ArrayBatch> {
  const member = await memberBytes(source, entry);
  try {
    yield* decodeNpy(member.reader, `${source.name}[${entry.name}]`, onHeader, undefined, rows);
  } finally {
    member.close();
  }
}

/** The .npy header of one array of an .npz (a deflated member: its first bytes inflated). */
export async function npzHeader(source: RandomAccess, entry: NpzEntry): Promise<NpyHeader> {
  const member = await memberBytes(source, entry);
  try {
    return await readNpyHeader(member.reader, `${source.name}[${entry.name}]`);
  } finally {
    member.close();
  }
}

async function* inflated(stream: AsyncIterable<Uint8Array>, where: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (e) {
    throw new FormatError(where, `corrupt deflated data (${(e as Error).message})`);
  }
}

/** The entry for an array name, or an error listing the names the file has. */
export function npzEntry(entries: readonly NpzEntry[], name: string, file: string): NpzEntry {
  const entry = entries.find((e) => e.name === name);
  if (!entry)
    throw new FormatError(
      file,
      `no array named '${name}' (the file has ${entries.map((e) => `'${e.name}'`).join(', ') || 'none'})`,
    );
  return entry;
}
