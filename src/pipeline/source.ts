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
  close(): Promise<void>;
}

/** A file opened for reads at any offset. */
export async function openRandomAccess(path: string): Promise<RandomAccess> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    name: path,
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length);
      const buffer = new Uint8Array(Math.max(0, end - offset));
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await handle.read(buffer, done, buffer.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === buffer.length ? buffer : buffer.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

/** Bytes already in memory, seen as a RandomAccess (tests, small inputs, a buffered stdin). */
export function bytesSource(name: string, bytes: Uint8Array): RandomAccess {
  return {
    name,
    size: bytes.byteLength,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.byteLength, offset + length)),
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
