/**
 * The samples of a calibration --partial file (docs/partial-format.md, "calibration samples"):
 * what the passes after the first need of each sample — AdaECE's (confidence, hit) pairs and
 * the temperature fit's logits and label, the very doubles of the CalibrationSpool — as bytes,
 * so that `focal merge` refills a spool with every shard's samples and reports AdaECE, T and the
 * report at T exactly as one run over all the data (their sums and the selection are exact, so
 * neither the order of the shards nor their split changes a bit).
 *
 * Layout (version 1), little-endian IEEE-754 float64, two sections:
 *   rows × (confidence, hit)           — 16 bytes a row
 *   rows × (width logits, label)       — 8·(width + 1) bytes a row
 * so `np.fromfile(f, '<f8')` reads it (the first 2·rows values, then the rest). The partial's
 * JSON holds a descriptor: rows, width, bytes, the SHA-256 of the bytes, and either the name of a
 * file beside it (the "sidecar": constant memory on both sides) or, for a partial written to
 * standard output, the bytes inline as base64 strings.
 *
 * Both directions stream a block at a time (a spool block, or 1 MiB of the file): memory stays
 * constant whatever the number of samples.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { CalibrationSpool } from './calibration.js';
import type { SampleSpool } from './spool.js';

export const SAMPLES_LAYOUT = 'focal-calibration-samples';
export const SAMPLES_VERSION = 1;

export interface SamplesDescriptor {
  layout: typeof SAMPLES_LAYOUT;
  version: typeof SAMPLES_VERSION;
  rows: number;
  /** logits a row (1 for binary input) */
  width: number;
  /** 8·rows·(width + 3) */
  bytes: number;
  /** hex SHA-256 of the bytes */
  sha256: string;
  /** the file beside the partial that holds the bytes (its base name) */
  file?: string;
  /** or the bytes inline, base64, in pieces (each decoded on its own) */
  base64?: string[];
}

/** The sidecar's name for a partial file. */
export const samplesFileFor = (partial: string): string => `${partial}.samples`;

const bytesOf = (rows: number, width: number) => 8 * rows * (width + 3);

/** The spool's samples as little-endian chunks (each valid until the next is asked for). */
function* sampleChunks(spool: CalibrationSpool): Generator<Uint8Array> {
  let out = new DataView(new ArrayBuffer(0));
  for (const spooled of [spool.confidences, spool.logits] as const) {
    const width = spooled.width;
    for (const block of spooled.blocks()) {
      const size = block.count * (width + 1) * 8;
      if (out.byteLength < size) out = new DataView(new ArrayBuffer(size));
      let at = 0;
      for (let i = 0; i < block.count; i++) {
        for (let j = 0; j < width; j++, at += 8) out.setFloat64(at, block.values[i * width + j]!, true);
        out.setFloat64(at, block.labels[i]!, true);
        at += 8;
      }
      yield new Uint8Array(out.buffer, 0, size);
    }
  }
}

function describe(spool: CalibrationSpool, sha256: string): SamplesDescriptor {
  const rows = spool.samples;
  const width = spool.logits.width;
  return { layout: SAMPLES_LAYOUT, version: SAMPLES_VERSION, rows, width, bytes: bytesOf(rows, width), sha256 };
}

/**
 * Writes the spool's samples to the sidecar of `partial`, whole or not at all (a temporary file
 * renamed into place); returns its descriptor. The caller writes the partial after it, so a
 * partial only ever names complete samples (and a stale sidecar fails the SHA-256 check).
 */
export function writeSamplesFile(spool: CalibrationSpool, partial: string): SamplesDescriptor {
  const path = samplesFileFor(partial);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const hash = createHash('sha256');
  let fd: number | null = null;
  try {
    fd = openSync(temporary, 'w');
    for (const chunk of sampleChunks(spool)) {
      hash.update(chunk);
      for (let done = 0; done < chunk.byteLength;) done += writeSync(fd, chunk, done);
    }
    closeSync(fd);
    fd = null;
    renameSync(temporary, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(temporary, { force: true });
    throw new UsageError(
      `option '--partial' ${JSON.stringify(partial)} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}, writing its samples file ${basename(path)}).`,
    );
  }
  return { ...describe(spool, hash.digest('hex')), file: basename(path) };
}

/** The spool's samples inline (for a partial written to standard output). */
export function inlineSamples(spool: CalibrationSpool): SamplesDescriptor {
  const hash = createHash('sha256');
  const base64: string[] = [];
  for (const chunk of sampleChunks(spool)) {
    hash.update(chunk);
    base64.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64'));
  }
  return { ...describe(spool, hash.digest('hex')), base64 };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The descriptor of a partial's samples, checked (one line naming the partial when it is not one). */
export function samplesDescriptor(v: unknown, name: string, rows: number, width: number): SamplesDescriptor {
  const d = v as Partial<SamplesDescriptor> | null | undefined;
  if (typeof d !== 'object' || d === null)
    throw new UsageError(
      `${name}: a calibration partial file without its samples (AdaECE and T need them): write it again with 'focal calibration --partial'`,
    );
  if (d.layout !== SAMPLES_LAYOUT || d.version !== SAMPLES_VERSION)
    throw new UsageError(
      `${name}: samples of layout ${JSON.stringify(d.layout)} version ${String(d.version)}; this focal reads "${SAMPLES_LAYOUT}" version ${SAMPLES_VERSION}`,
    );
  const inline = Array.isArray(d.base64) && d.base64.every((s) => typeof s === 'string');
  if (
    !isCount(d.rows) ||
    !isCount(d.width) ||
    d.bytes !== bytesOf(d.rows, d.width) ||
    typeof d.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(d.sha256) ||
    inline === (typeof d.file === 'string') ||
    (typeof d.file === 'string' && (d.file === '' || basename(d.file) !== d.file))
  )
    throw new UsageError(
      `${name}: its "samples" are not a valid descriptor (rows, width, bytes = 8·rows·(width + 3), sha256, and a file name or base64)`,
    );
  if (d.rows !== rows || (rows > 0 && d.width !== width))
    throw new UsageError(
      `${name}: its samples hold ${d.rows} rows of ${d.width} logits, its state ${rows} rows of ${width}: they do not belong together`,
    );
  return d as SamplesDescriptor;
}

/** 1 MiB reads of a file, then a check that it ended where the descriptor says. */
function* fileChunks(path: string, bytes: number, shown: string): Generator<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${shown}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}); a calibration partial file needs its samples file beside it.`,
    );
  }
  try {
    const buffer = new Uint8Array(1 << 20);
    for (let position = 0; ;) {
      const n = readSync(fd, buffer, 0, buffer.byteLength, position);
      if (n === 0) return;
      position += n;
      if (position > bytes) throw new UsageError(`${shown}: longer than the ${bytes} bytes its partial file says`);
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function* base64Chunks(pieces: string[]): Generator<Uint8Array> {
  for (const piece of pieces) yield Buffer.from(piece, 'base64');
}

/** Exactly n bytes at a time from a stream of chunks of any size (copied only across chunks). */
class ChunkReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  private staging = new Uint8Array(0);
  readonly hash = createHash('sha256');

  constructor(private readonly chunks: Iterator<Uint8Array>) {}

  /** n bytes, or null when the chunks end first (a view valid until the next call). */
  take(n: number): Uint8Array | null {
    if (this.chunk.byteLength - this.at >= n) return this.chunk.subarray(this.at, (this.at += n));
    if (this.staging.byteLength < n) this.staging = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.at === this.chunk.byteLength && !this.next()) return null;
      const k = Math.min(n - filled, this.chunk.byteLength - this.at);
      this.staging.set(this.chunk.subarray(this.at, this.at + k), filled);
      this.at += k;
      filled += k;
    }
    return this.staging.subarray(0, n);
  }

  /** whether anything is left */
  get more(): boolean {
    return this.at < this.chunk.byteLength || this.next();
  }

  private next(): boolean {
    const r = this.chunks.next();
    if (r.done) return false;
    this.chunk = r.value;
    this.at = 0;
    this.hash.update(r.value);
    return true;
  }
}

/** rows read a step */
const STEP = 4096;

/** Appends `rows` records of `width` values and a label from `reader` to a spool. */
function appendSection(reader: ChunkReader, into: SampleSpool, rows: number, width: number, shown: string): void {
  const values = new Float64Array(Math.min(rows, STEP) * width);
  const labels = new Float64Array(Math.min(rows, STEP));
  for (let done = 0; done < rows;) {
    const k = Math.min(STEP, rows - done);
    const bytes = reader.take(k * (width + 1) * 8);
    if (!bytes) throw new UsageError(`${shown}: shorter than its partial file says (cut short?)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0, at = 0; i < k; i++) {
      for (let j = 0; j < width; j++, at += 8) values[i * width + j] = view.getFloat64(at, true);
      labels[i] = view.getFloat64(at, true);
      at += 8;
    }
    into.write(values, labels, k, width);
    done += k;
  }
}

/**
 * Appends a partial's samples to a spool, checking their length and SHA-256 against the
 * descriptor (a corrupt, cut or swapped samples file is one line, never a wrong report).
 * @param partialPath  the partial file's path (its sidecar is looked up beside it), or null for
 *   standard input (the current folder)
 */
export function appendSamples(
  d: SamplesDescriptor,
  partialPath: string | null,
  name: string,
  spool: CalibrationSpool,
): void {
  const path = d.file === undefined ? null : join(partialPath === null ? '.' : dirname(partialPath), d.file);
  const shown = path ?? `${name} (its inline samples)`;
  const reader = new ChunkReader(path === null ? base64Chunks(d.base64!) : fileChunks(path, d.bytes, shown));
  appendSection(reader, spool.confidences, d.rows, 1, shown);
  appendSection(reader, spool.logits, d.rows, d.width, shown);
  if (reader.more) throw new UsageError(`${shown}: longer than the ${d.bytes} bytes its partial file says`);
  if (reader.hash.digest('hex') !== d.sha256)
    throw new UsageError(
      `${shown}: its SHA-256 is not the one ${name} names: not the samples this partial file was written with`,
    );
}
