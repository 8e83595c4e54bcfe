/**
 * Bytes in: a file read at any offset (npz, Parquet and the Arrow file format keep their index
 * at the end), or a stream read once (stdin, a pipe: npy and the Arrow stream format).
 */
import { open } from 'node:fs/promises';
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
export async function* rangeChunks(source: RandomAccess, offset: number, length: number, chunkBytes = CHUNK_BYTES): AsyncGenerator<Uint8Array> {
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

  constructor(
    private readonly source: RandomAccess,
    offset: number,
    private readonly end: number,
    blockBytes = CHUNK_BYTES,
  ) {
    this.next = offset;
    this.buffer = new Uint8Array(Math.max(1, Math.min(blockBytes, end - offset)));
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

/** A Node stream (stdin, a file stream) as chunks of bytes. */
export async function* streamChunks(stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
}

/**
 * Takes exact byte counts from a sequence of chunks of any sizes: the piece that lets a
 * decoder read fixed-size records from a stream whose chunk boundaries fall anywhere.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** bytes queued */
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  /** The next n ≤ length bytes, removed from the queue (a view when they lie in one chunk). */
  take(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`take(${n}) with ${this.length} bytes queued`);
    const first = this.chunks[0];
    if (first && first.byteLength - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const piece = Math.min(n - filled, chunk.byteLength - this.head);
      out.set(chunk.subarray(this.head, this.head + piece), filled);
      filled += piece;
      this.advance(piece);
    }
    return out;
  }

  private advance(n: number): void {
    this.length -= n;
    this.head += n;
    if (this.head === this.chunks[0]!.byteLength) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}
