import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { isUsageError, systemErrorText, UsageError } from '../errors.js';
import { describeNonText, detectFormat } from '../pipeline/decode/detect.js';
import type { ColumnarFile, ColumnarFormat } from '../pipeline/open.js';

/**
 * Where predictions come from: a file (optionally gzip) or standard input, as byte chunks of
 * text; or, for the binary formats (recognised by their magic bytes, or --input-format), the
 * file or stream handed to the pipeline's decoders.
 */

export type TextFormat = 'csv' | 'tsv' | 'ndjson';
export type InputFormat = TextFormat | ColumnarFormat;
export const TEXT_FORMATS: readonly TextFormat[] = ['csv', 'tsv', 'ndjson'];
export const COLUMNAR_FORMATS: readonly ColumnarFormat[] = ['npy', 'npz', 'parquet', 'arrow'];
export const INPUT_FORMATS: readonly InputFormat[] = [...TEXT_FORMATS, ...COLUMNAR_FORMATS];

/** A binary input: read by src/pipeline (openColumnar), from a path or a stream. */
export interface ColumnarInput extends ColumnarFile {
  columnar: true;
  size: number | null;
}

function isColumnar(format: InputFormat | undefined): format is ColumnarFormat {
  return format !== undefined && (COLUMNAR_FORMATS as readonly string[]).includes(format);
}

/** The binary format the first bytes announce, if any. */
function columnarFormat(head: Uint8Array): ColumnarFormat | null {
  const detected = detectFormat(head);
  if (detected === 'arrow-file' || detected === 'arrow-stream') return 'arrow';
  return detected === 'npy' || detected === 'npz' || detected === 'parquet' ? detected : null;
}

export interface InputSource {
  columnar?: false;
  /** the name used in messages: the path, or "stdin" */
  name: string;
  /** the path of a plain (uncompressed) regular file, which workers may split by byte range */
  splittablePath: string | null;
  /** bytes on disk, when known (for progress) */
  size: number | null;
  format: TextFormat;
  chunks: AsyncIterable<Uint8Array>;
  /** bytes consumed so far from disk or the pipe (compressed bytes for gzip) */
  bytesRead(): number;
}

/** Bytes per read: large reads keep the per-chunk overhead negligible (measured: 1 MiB vs 64 KiB). */
export const READ_SIZE = 1 << 18;
const GZIP_READ_SIZE = 1 << 15;
/**
 * Bytes per chunk out of gunzip: zlib's default 16 KiB makes ~14,000 chunks of a 228 MB text,
 * each through the stream's JavaScript (measured: inflating bench/data/p10m.csv.gz took 1.3–1.8 s
 * of CPU in 16 KiB chunks, ~1.0 s in 64 KiB).
 */
const GZIP_CHUNK_SIZE = 1 << 16;

/**
 * The bytes of a file from `start` on, read into one reused buffer: each chunk is valid only
 * until the next is requested (the scanners copy what they keep). Fresh buffers per read, as
 * streams allocate them, leave ~80 MB of freed-but-held memory behind over a 200 MB file.
 */
export async function* readFileChunks(path: string, start = 0): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    for (let position = start; ;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];

export function formatFromName(name: string): TextFormat | null {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv')) return 'csv';
  if (base.endsWith('.tsv') || base.endsWith('.tab')) return 'tsv';
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl')) return 'ndjson';
  return null;
}

/** Guesses the format of headerless-named input (stdin) from its first line. */
export function sniffFormat(first: Uint8Array): TextFormat {
  const line =
    Buffer.from(first.subarray(0, Math.min(first.length, 4096)))
      .toString('utf8')
      .split('\n')[0] ?? '';
  const trimmed = line.replace(/^\ufeff/, '').trimStart();
  if (trimmed.startsWith('{')) return 'ndjson';
  if (line.includes('\t') && !line.includes(',')) return 'tsv';
  return 'csv';
}

function isGzip(chunk: Uint8Array): boolean {
  return chunk.length >= 2 && chunk[0] === GZIP_MAGIC[0] && chunk[1] === GZIP_MAGIC[1];
}

function readError(name: string, err: unknown): UsageError {
  return new UsageError(
    `option '--input' ${JSON.stringify(name)} cannot be read (${systemErrorText(err)}); give a CSV, TSV, NDJSON (optionally .gz), .npy, .npz, Parquet or Arrow file, or - for stdin.`,
  );
}

/** Refuses input focal cannot read as text, named by its first bytes (pipeline/decode/detect.ts). */
function checkSupported(name: string, head: Uint8Array, gzipped: boolean): void {
  const kind = describeNonText(head);
  if (!kind) return;
  if (gzipped && columnarFormat(head))
    throw new UsageError(
      `${name}: unsupported format: ${kind} inside gzip; decompress it (focal reads .npy, .npz, Parquet and Arrow uncompressed).`,
    );
  throw new UsageError(
    `${name}: unsupported format: ${kind}; focal reads CSV, TSV and NDJSON text (optionally gzip), .npy, .npz, Parquet and Arrow.`,
  );
}

/** The first bytes of a file, to recognise gzip and sniff the format. */
function peekFile(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The decompressed start of a gzip file's first bytes (enough to sniff the format), or nothing. */
function gunzipPeek(head: Buffer): Uint8Array {
  try {
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return new Uint8Array(0);
  }
}

/** A gunzip stream's chunks, its errors reported as bad input. */
async function* gzipErrors(stream: Readable, name: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (err) {
    throw new UsageError(`${name}: not valid gzip data (${(err as Error).message}).`);
  }
}

/** Counts the bytes that pass, for progress. */
function counted(chunks: AsyncIterable<Uint8Array>, counter: { bytes: number }): AsyncGenerator<Uint8Array> {
  return (async function* () {
    for await (const c of chunks) {
      counter.bytes += c.length;
      yield c;
    }
  })();
}

/** The first bytes a stream will give, left in the stream (read, then unshifted). */
async function peekStream(raw: Readable): Promise<Buffer> {
  for (;;) {
    const chunk = raw.read() as Buffer | null;
    if (chunk !== null) {
      raw.unshift(chunk);
      return chunk;
    }
    if (raw.readableEnded || raw.destroyed) return Buffer.alloc(0);
    const ended = await new Promise<boolean>((resolve, reject) => {
      const cleanup = () => {
        raw.off('readable', onReadable);
        raw.off('end', onEnd);
        raw.off('error', onError);
      };
      const onReadable = () => (cleanup(), resolve(false));
      const onEnd = () => (cleanup(), resolve(true));
      const onError = (err: Error) => (cleanup(), reject(err));
      raw.once('readable', onReadable);
      raw.once('end', onEnd);
      raw.once('error', onError);
    });
    if (ended) return Buffer.alloc(0);
  }
}

/**
 * A stream's chunks, with gzip (recognised by its magic bytes) decompressed on the fly, piped
 * straight into gunzip in small reads (see GZIP_READ_SIZE).
 */
async function streamChunks(
  raw: Readable,
  name: string,
  counter: { bytes: number },
): Promise<{ chunks: AsyncIterable<Uint8Array>; peek: Uint8Array; gzipped: boolean }> {
  const head = await peekStream(raw);
  if (!isGzip(head)) return { chunks: counted(raw, counter), peek: head, gzipped: false };
  raw.on('data', (c: Buffer | string) => {
    counter.bytes += c.length;
  });
  const gunzip = raw.pipe(createGunzip({ chunkSize: GZIP_CHUNK_SIZE }));
  raw.on('error', (err) => gunzip.destroy(err));
  return { chunks: gzipErrors(gunzip, name), peek: gunzipPeek(head), gzipped: true };
}

/**
 * Opens a path or "-" (stdin). Gzip is recognised by its magic bytes, so `.gz` files and
 * compressed pipes both work; the format comes from the name (or `format`), else is sniffed.
 * A plain file is read into one reused buffer (readFileChunks); stdin and gzip as streams.
 */
export async function openInput(
  path: string,
  opts: { format?: InputFormat; stdin: NodeJS.ReadableStream | null },
): Promise<InputSource | ColumnarInput> {
  const name = path === '-' ? 'stdin' : path;
  const counter = { bytes: 0 };
  let size: number | null = null;
  let stream: Readable;
  if (path === '-') {
    if (!opts.stdin) throw new UsageError("option '--input -' reads standard input, but there is none.");
    stream = opts.stdin as Readable;
  } else {
    let head: Buffer | null = null;
    try {
      const st = statSync(path);
      if (st.isDirectory())
        throw new UsageError(
          `option '--input' ${JSON.stringify(path)} is a directory; give a CSV, TSV or NDJSON file (optionally .gz), or - for stdin.`,
        );
      // a pipe, FIFO or device (/dev/stdin, <(zcat f.gz)) cannot be peeked at by position:
      // it is read as a stream, on one thread, like stdin
      if (st.isFile()) {
        size = st.size;
        head = peekFile(path);
      }
    } catch (err) {
      throw isUsageError(err) ? err : readError(path, err);
    }
    if (head !== null && !isGzip(head)) {
      const columnar = isColumnar(opts.format) ? opts.format : opts.format === undefined ? columnarFormat(head) : null;
      if (columnar) return { columnar: true, name, format: columnar, path, stream: null, size };
      checkSupported(name, head, false);
      return {
        name,
        splittablePath: path,
        size,
        format: (opts.format as TextFormat | undefined) ?? formatFromName(name) ?? sniffFormat(head),
        chunks: counted(readFileChunks(path), counter),
        bytesRead: () => counter.bytes,
      };
    }
    // a gzip file is read in small pieces: each comes out of gunzip ~2.5× larger, in a burst of
    // buffers, and 256 KiB reads took peak RSS to 125 MB on bench/data/p10m.csv.gz where
    // 32 KiB reads keep it at 59 MB at the same speed
    stream = createReadStream(path, { highWaterMark: head !== null ? GZIP_READ_SIZE : READ_SIZE });
  }
  if (isColumnar(opts.format)) return { columnar: true, name, format: opts.format, path: null, stream, size };
  let head: Buffer;
  try {
    head = await peekStream(stream);
  } catch (err) {
    throw readError(name, err);
  }
  const columnar = opts.format === undefined ? columnarFormat(head) : null;
  if (columnar) return { columnar: true, name, format: columnar, path: null, stream, size };
  let opened: Awaited<ReturnType<typeof streamChunks>>;
  try {
    opened = await streamChunks(stream, name, counter);
  } catch (err) {
    throw isUsageError(err) ? err : readError(name, err);
  }
  checkSupported(name, opened.peek, opened.gzipped);
  return {
    name,
    splittablePath: null,
    size,
    format: (opts.format as TextFormat | undefined) ?? formatFromName(name) ?? sniffFormat(opened.peek),
    chunks: opened.chunks,
    bytesRead: () => counter.bytes,
  };
}
