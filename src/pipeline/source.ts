/**
 * Bytes in: a file read at any offset (npz, Parquet and the Arrow file format keep their index
 * at the end), or a stream read once (stdin, a pipe: npy and the Arrow stream format).
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** A byte source that can be read at any offset. */
export interface RandomAccess {
  /** the name errors use */
  readonly name: string;
  readonly size: number;
  /** exactly `length` bytes from `offset` (fewer only past the end) */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** fills `target` from `offset` (fewer only past the end), without allocating: the bytes read */
  readInto(offset: number, target: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** A file opened for reads at any offset. */
export async function openRandomAccess(path: string): Promise<RandomAccess> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  const readInto = async (offset: number, target: Uint8Array): Promise<number> => {
    const length = Math.max(0, Math.min(target.byteLength, size - offset));
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(target, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  };
  return {
    name: path,
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(Math.max(0, Math.min(size, offset + length) - offset));
      const done = await readInto(offset, buffer);
      return done === buffer.length ? buffer : buffer.subarray(0, done);
    },
    readInto,
    close: () => handle.close(),
  };
}

/** Bytes already in memory, seen as a RandomAccess (tests, small inputs, a buffered stdin). */
export function bytesSource(name: string, bytes: Uint8Array): RandomAccess {
  return {
    name,
    size: bytes.byteLength,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.byteLength, offset + length)),
    async readInto(offset, target) {
      const piece = bytes.subarray(offset, Math.min(bytes.byteLength, offset + target.byteLength));
      target.set(piece);
      return piece.byteLength;
    },
    close: async () => {},
  };
}

/** The default read size: large enough that per-chunk costs vanish, small enough for constant memory. */
export const CHUNK_BYTES = 1 << 20;

/** Bytes [offset, offset + length) of a RandomAccess, in chunks. */
export async function* rangeChunks(
  source: RandomAccess,
  offset: number,
  length: number,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  const end = Math.min(source.size, offset + length);
  for (let at = offset; at < end; at += chunkBytes) yield await source.read(at, Math.min(chunkBytes, end - at));
}

/**
 * Reads bytes [offset, end) of a RandomAccess front to back through one buffer that is
 * reused (grown only for a request larger than it): the bytes `take` returns stay valid until
 * the next call. Parquet pages are read with it, so that decoding a column holds one page and
 * one read-ahead block, whatever the file's size.
 */
export class SequentialReader {
  private buffer: Uint8Array;
  /** bytes of `buffer` not yet taken: [start, filled) */
  private start = 0;
  private filled = 0;
  /** the file offset of buffer[filled] */
  private next: number;

  /**
   * @param buffer  a buffer to read into (one reader's `buffer`, handed on: one column's chunks in turn), else a new one
   */
  constructor(
    private readonly source: RandomAccess,
    offset: number,
    private readonly end: number,
    buffer?: Uint8Array,
  ) {
    this.next = offset;
    this.buffer =
      buffer && buffer.byteLength > 0 ? buffer : new Uint8Array(Math.max(1, Math.min(CHUNK_BYTES, end - offset)));
  }

  /** the buffer, for the next reader of the same kind of data */
  get reusable(): Uint8Array {
    return this.buffer;
  }

  /** bytes left to read */
  get remaining(): number {
    return this.filled - this.start + (this.end - this.next);
  }

  /** At least min(n, remaining) bytes from the current position, left in place (more may follow them). */
  async peek(n: number): Promise<Uint8Array> {
    n = Math.min(n, this.remaining);
    if (this.filled - this.start < n) {
      const kept = this.filled - this.start;
      if (n > this.buffer.byteLength) {
        const grown = new Uint8Array(n);
        grown.set(this.buffer.subarray(this.start, this.filled));
        this.buffer = grown;
      } else this.buffer.copyWithin(0, this.start, this.filled);
      this.start = 0;
      this.filled = kept;
      const want = Math.min(this.buffer.byteLength - kept, this.end - this.next);
      const got = await this.source.readInto(this.next, this.buffer.subarray(kept, kept + want));
      this.filled += got;
      this.next += got;
      if (got < want) throw new RangeError(`read ${got} of ${want} bytes at offset ${this.next}`);
    }
    return this.buffer.subarray(this.start, this.filled);
  }

  /** The next n bytes (fewer only at the end), consumed. */
  async take(n: number): Promise<Uint8Array> {
    const bytes = (await this.peek(n)).subarray(0, n);
    this.start += bytes.byteLength;
    return bytes;
  }

  skip(n: number): void {
    if (n > this.filled - this.start) throw new RangeError('skip past the bytes peeked');
    this.start += n;
  }
}

/** A stream written to a temporary file: see spool. */
export interface Spool {
  path: string;
  /** removes the file (again: idempotent); call it as soon as the file is open, and once it is closed */
  remove(): void;
}

/**
 * Writes a stream (stdin) to a temporary file, for the formats read at offsets (npz, Parquet and
 * the Arrow file format keep their index at the end): memory stays that of one chunk whatever
 * the input's size, where reading it whole would hold all of it. Removed as soon as it is open
 * (on Linux and macOS the open descriptor keeps it readable, so nothing is left behind even if
 * the process is killed), where that fails (Windows) once it is closed, and at exit in any case.
 */
export async function spool(chunks: AsyncIterable<Uint8Array>): Promise<Spool> {
  const dir = await mkdtemp(join(tmpdir(), 'focal-'));
  const path = join(dir, 'stdin');
  const remove = (): void => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      return; // still open (Windows): at close, or at exit
    }
    if (!existsSync(dir)) process.off('exit', remove);
  };
  process.on('exit', remove);
  try {
    const handle = await open(path, 'wx');
    try {
      for await (const chunk of chunks) await handle.write(chunk);
    } finally {
      await handle.close();
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { path, remove };
}

/** A Node stream (stdin, a file stream) as chunks of bytes. */
export async function* streamChunks(stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream)
    yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
}

/**
 * Bytes pulled into a buffer of the caller's: the way the .npy decoder reads, so that it can
 * decode every batch in one buffer it reuses.
 */
export interface ByteReader {
  /** Fills `target` from its start as far as the input goes: the bytes written (fewer only at the end). */
  fill(target: Uint8Array): Promise<number>;
  /** Passes over the next n bytes (a worker's part starts inside an array): the bytes passed (fewer only at the end). */
  skip(n: number): Promise<number>;
}

/** Bytes [offset, offset + length) of a RandomAccess, read straight into the caller's buffers. */
export function rangeReader(source: RandomAccess, offset: number, length: number): ByteReader {
  let at = offset;
  const end = Math.min(source.size, offset + length);
  return {
    async fill(target) {
      const got = await source.readInto(at, target.subarray(0, Math.max(0, Math.min(target.byteLength, end - at))));
      at += got;
      return got;
    },
    async skip(n) {
      const passed = Math.max(0, Math.min(n, end - at));
      at += passed;
      return passed;
    },
  };
}

/** Chunks of any sizes (a stream, an inflater's output) copied into the caller's buffers. */
export function chunkReader(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): ByteReader {
  const iterator = (
    Symbol.asyncIterator in chunks
      ? chunks[Symbol.asyncIterator]()
      : (chunks as Iterable<Uint8Array>)[Symbol.iterator]()
  ) as AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  let pending: Uint8Array = new Uint8Array(0);
  let ended = false;
  /** Takes up to n bytes, each piece handed to `use` (at its offset among them): the bytes taken. */
  const take = async (n: number, use: (piece: Uint8Array, at: number) => void): Promise<number> => {
    let taken = 0;
    while (taken < n) {
      if (pending.byteLength === 0) {
        if (ended) break;
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        pending = next.value;
        continue;
      }
      const piece = Math.min(pending.byteLength, n - taken);
      use(pending.subarray(0, piece), taken);
      pending = pending.subarray(piece);
      taken += piece;
    }
    return taken;
  };
  return {
    fill: (target) => take(target.byteLength, (piece, at) => target.set(piece, at)),
    // a stream (an inflater's output) cannot be entered in its middle: the bytes before are read and dropped
    skip: (n) => take(n, () => {}),
  };
}
