/**
 * The pipeline on worker threads. A text file is split by byte ranges (each worker scans the
 * lines that start in its range); a text stream (gzip, stdin, a pipe) is cut by this thread into
 * blocks of whole lines, handed to the workers as they come; a binary file in contiguous parts
 * of its rows, whose bytes alone a worker's decoder reads (parts.ts). Every worker runs the
 * same Pipeline as one thread does and posts its collectors' states; they are merged in file
 * order. The totals and anatomy sums are exact, so the report has the bits of a one-thread run.
 *
 * Cutting text at newlines is exact because a record is a line: the CSV/TSV scanner reads a
 * quoted field only within its line (a newline inside quotes ends the record on one thread too).
 *
 * The worker's entry is given by the caller (the CLI's bundle has it beside itself; tests build
 * it from the sources), never found by a path relative to this module.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { splitHeader } from '../input/delimited.js';
import { shownText } from '../input/show.js';
import type { InputSource } from '../input/source.js';
import type { ColumnarFile } from './open.js';
import type { Part } from './parts.js';
import { InvalidRecord, SKIPPED_ROWS_SHOWN, type SkippedRow } from './layout.js';
import { Pipeline, type CollectOptions, type PipelineInput, type PipelineState } from './run.js';
import type { SampleSettings } from './samples.js';

/** The module a worker thread runs (dist/pipeline-worker.cjs, or one built from src/pipeline/worker.ts). */
export type WorkerEntry = string | URL;

/** Below this size a second thread costs more to start (~40 ms) than it saves. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/** Bytes of text a stream is cut into for the workers (ending at a newline; a longer line makes a longer block). */
export const BLOCK_BYTES = 4 << 20;

/** Blocks a worker holds at most (one being scanned, one waiting): memory stays bounded whatever the stream's length. */
const BLOCKS_PER_WORKER = 2;

/** Blocks posted but not yet merged, at most, per worker (their answers wait for an earlier block's). */
const ANSWERS_AHEAD = 16;

/**
 * A worker's young generation, at most (MiB). V8's default lets each thread's grow to 3 × 16 MiB,
 * and a busy worker's does (sweep's exact sums make ~0.2 MiB of short-lived objects a batch):
 * with three isolates that was the largest part of the peak RSS above one thread's. A worker's
 * garbage dies young (a batch's objects), so a small young generation collects it as well:
 * sweep on two threads peaks ~20 MiB lower, Parquet, Arrow and anatomy ~5–10 MiB, at no
 * measurable cost in time (bench/memory.mjs).
 */
const WORKER_YOUNG_GENERATION_MB = 4;
const WORKER_OPTIONS = { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } };

/** One worker's part of the input. */
export type WorkerPart =
  | {
      kind: 'text';
      path: string;
      format: 'csv' | 'tsv' | 'ndjson';
      start: number;
      end: number;
      first: boolean;
      header: string[];
    }
  /** blocks of a text stream's lines, posted to the worker one by one (TextBlock) */
  | { kind: 'blocks'; format: 'csv' | 'tsv' | 'ndjson'; header: string[] }
  /** a binary file's rows: the decoder reads this part's bytes only */
  | { kind: 'columnar'; file: ColumnarFile; labels: ColumnarFile | null; part: Part };

export interface WorkerJob {
  part: WorkerPart;
  settings: SampleSettings;
  collect: CollectOptions;
}

/** A worker's answer for its part (or for one block). */
export type WorkerAnswer =
  | { type: 'done'; state: PipelineState; lines: number }
  /** a bad text record: its line within the worker's range (or block) */
  | { type: 'invalid'; line: number; detail: string }
  /** bad input otherwise (exit 2) */
  | { type: 'usage'; message: string };

export type WorkerMessage =
  | { type: 'progress'; bytes: number; rows: number }
  | WorkerAnswer
  /** the answer for the `index`-th block of a text stream, and its bytes handed back for the next block */
  | { type: 'block'; index: number; answer: WorkerAnswer; bytes: Uint8Array }
  | { type: 'error'; message: string };

/** A block of a text stream's whole lines, posted to a worker (its bytes transferred). */
export interface TextBlock {
  index: number;
  bytes: Uint8Array;
}

/**
 * How many threads for an input: 1 for small files; else --threads, or all cores for large files,
 * whose parts cost a worker about its own share: text (byte ranges; a gzip file's blocks, from
 * half the size of plain text, as it holds several times its size in text), and binary files,
 * whose decoders read a part's bytes only (.npy and a stored .npz: a byte range; Parquet: row
 * groups; Arrow: slices of record batches). A deflated .npz cannot be entered mid-stream: a
 * worker inflates the rows before its part too, and still gains, as inflating is two fifths of a
 * run's time (measured on 10^7 rows: 1.5 s of CPU inflating, 2.1 s evaluating). A text stream
 * of unknown size (stdin, a pipe) takes threads when --threads asks. Binary streams: 1.
 */
export function threadsFor(input: PipelineInput, requested: number | undefined, worker: WorkerEntry | null): number {
  if (worker === null) return 1;
  if (input.kind === 'text' && input.source.splittablePath === null) {
    const { size } = input.source;
    const auto = size !== null && size >= PARALLEL_MIN_BYTES / 2 ? availableParallelism() : 1;
    return Math.max(1, Math.min(requested ?? auto, 64));
  }
  const size =
    input.kind === 'text'
      ? input.source.size
      : input.file.path === null || (input.labels !== null && input.labels.path === null)
        ? null
        : input.size;
  if (size === null) return 1;
  const auto = size >= PARALLEL_MIN_BYTES ? availableParallelism() : 1;
  return Math.max(1, Math.min(requested ?? auto, 64, Math.max(1, Math.floor(size / (1 << 16)))));
}

/**
 * The header line (or first NDJSON object's keys) and the offset where data starts, in the first
 * `n` bytes of a text; null when they hold no line that is not blank (`complete`: and no more
 * bytes follow, so the last line, even without its newline, is read as the header).
 */
function headerOf(
  buf: Uint8Array,
  n: number,
  name: string,
  format: 'csv' | 'tsv' | 'ndjson',
  complete: boolean,
): { header: string[]; dataStart: number } | null {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, n);
  // a UTF-8 byte order mark is not part of the first line (for NDJSON, the first record)
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // skip leading blank lines
  for (let line = 1; start < n || complete; line++) {
    const nl = bytes.indexOf(10, start);
    if (nl < 0 && !complete) return null;
    const end = nl < 0 ? n : nl;
    const text = bytes.toString('utf8', start, end).replace(/\r$/, '');
    if (text.trim() !== '' || nl < 0) {
      if (format === 'ndjson') {
        let first: unknown = null;
        try {
          first = JSON.parse(text);
        } catch {
          throw new UsageError(`${name}:${line}: not valid JSON: ${shownText(text.trim())}`);
        }
        if (first === null || typeof first !== 'object' || Array.isArray(first))
          throw new UsageError(`${name}:${line}: not a JSON object: ${shownText(text.trim())}`);
        return { header: Object.keys(first), dataStart: start };
      }
      return { header: splitHeader(text, format === 'tsv' ? '\t' : ','), dataStart: Math.min(n, end + 1) };
    }
    start = nl + 1;
  }
  return null;
}

/** The header of a text file, from its first MiB. */
function readHeader(
  path: string,
  name: string,
  format: 'csv' | 'tsv' | 'ndjson',
): { header: string[]; dataStart: number } {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return headerOf(buf, n, name, format, true)!;
  } finally {
    closeSync(fd);
  }
}

/** The newlines in the first `upTo` bytes. */
function newlines(bytes: Uint8Array, upTo: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, upTo);
  let lines = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lines++;
  return lines;
}

function countLines(path: string, upTo: number): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(upTo);
    readSync(fd, buf, 0, upTo, 0);
    return newlines(buf, upTo);
  } finally {
    closeSync(fd);
  }
}

function runWorker(
  entry: WorkerEntry,
  job: WorkerJob,
  onProgress: (m: Extract<WorkerMessage, { type: 'progress' }>) => void,
): Promise<Extract<WorkerMessage, { type: 'done' | 'invalid' | 'usage' }>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: job, ...WORKER_OPTIONS });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else if (m.type !== 'block') resolve(m);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`a worker thread stopped (exit code ${code}) before its answer`)));
  });
}

/**
 * Runs an input on `threads` worker threads and merges their states into `pipeline` (which has
 * seen no data), in file order.
 * @param progress  bytes read and samples taken, summed over the workers
 */
export async function runThreads(
  input: PipelineInput,
  pipeline: Pipeline,
  threads: number,
  entry: WorkerEntry,
  progress: ((bytes: number, rows: number) => void) | null = null,
): Promise<void> {
  if (input.kind === 'text' && input.source.splittablePath === null)
    return runBlocks(input.source, pipeline, threads, entry, progress);
  const { settings, collect } = pipeline;
  let parts: WorkerPart[];
  let dataStart = 0;
  let path = '';
  if (input.kind === 'text') {
    const { source } = input;
    path = source.splittablePath!;
    const size = source.size!;
    const head = readHeader(path, source.name, source.format);
    dataStart = head.dataStart;
    // layout errors surface here, before any thread starts
    pipeline.textScanner(source.format, source.name).withHeader(head.header);
    const span = Math.ceil((size - dataStart) / threads);
    parts = Array.from({ length: threads }, (_, w) => ({
      kind: 'text',
      path,
      format: source.format,
      start: dataStart + w * span,
      end: Math.min(size, dataStart + (w + 1) * span),
      first: w === 0,
      header: head.header,
    }));
  } else {
    parts = Array.from({ length: threads }, (_, w) => ({
      kind: 'columnar',
      file: input.file,
      labels: input.labels,
      part: { index: w, count: threads },
    }));
  }
  const bytes = new Array<number>(threads).fill(0);
  const rows = new Array<number>(threads).fill(0);
  const results = await Promise.all(
    parts.map((part, w) =>
      runWorker(entry, { part, settings, collect }, (m) => {
        bytes[w] = m.bytes;
        rows[w] = m.rows;
        progress?.(
          bytes.reduce((a, b) => a + b, 0),
          rows.reduce((a, b) => a + b, 0),
        );
      }),
    ),
  );
  // Line numbers: each worker counted the lines of its own range, after the header's.
  let before = input.kind === 'text' && dataStart > 0 ? countLines(path, dataStart) : 0;
  const shown: SkippedRow[] = [];
  for (const r of results) {
    if (r.type === 'invalid') throw new InvalidRecord(before + r.line, r.detail, settings.source);
    // parts are in file order: the first worker's bad input is the first a single thread meets
    if (r.type === 'usage') throw new UsageError(r.message);
    pipeline.merge(r.state);
    pipeline.skip.skipped += r.state.skip.skipped;
    for (const row of r.state.skip.rows)
      if (shown.length < SKIPPED_ROWS_SHOWN) shown.push({ line: before + row.line, detail: row.detail });
    before += r.lines;
  }
  pipeline.skip.rows.splice(0, pipeline.skip.rows.length, ...shown);
}

/**
 * Cuts a stream of bytes into blocks of whole lines of at least `size` bytes (one line longer
 * than the buffer grows it). Each block is a buffer of its own, transferred to a worker and
 * handed back (`reuse`): the same few buffers go round, where fresh ones per block waited for
 * the garbage collectors of the threads (peak RSS 220 MB on a 228 MB CSV in gzip).
 */
class BlockCutter {
  private buffer: Uint8Array;
  private filled = 0;
  private readonly spare: ArrayBuffer[] = [];

  constructor(private readonly size: number) {
    this.buffer = new Uint8Array(size);
  }

  /** A block's buffer, back from its worker. */
  reuse(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.size) this.spare.push(buffer);
  }

  /** Adds a chunk: the blocks it completes go to `out`. */
  push(chunk: Uint8Array, out: Uint8Array[]): void {
    for (let from = 0; from < chunk.byteLength;) {
      const n = Math.min(chunk.byteLength - from, this.buffer.byteLength - this.filled);
      this.buffer.set(chunk.subarray(from, from + n), this.filled);
      this.filled += n;
      from += n;
      if (this.filled === this.buffer.byteLength) {
        const block = this.cut();
        if (block) out.push(block);
        else {
          const grown = new Uint8Array(2 * this.buffer.byteLength);
          grown.set(this.buffer);
          this.buffer = grown;
        }
      }
    }
  }

  /** The bytes held up to their last newline (null: none), the rest kept. */
  cut(): Uint8Array | null {
    const last = Buffer.from(this.buffer.buffer, this.buffer.byteOffset, this.filled).lastIndexOf(10);
    if (last < 0) return null;
    const block = this.buffer.subarray(0, last + 1);
    const rest = this.buffer.subarray(last + 1, this.filled);
    const spare = rest.byteLength < this.size / 2 ? this.spare.pop() : undefined;
    this.buffer = spare ? new Uint8Array(spare) : new Uint8Array(Math.max(this.size, 2 * rest.byteLength));
    this.buffer.set(rest);
    this.filled = rest.byteLength;
    return block;
  }

  /** Everything held (the end of the stream). */
  rest(): Uint8Array {
    return this.buffer.subarray(0, this.filled);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  return joined;
}

/**
 * A text stream (gzip inflated by zlib off this thread, stdin, a pipe) on worker threads: this
 * thread cuts it into blocks of whole lines and posts each to the worker with the fewest in
 * hand, at most BLOCKS_PER_WORKER each (the stream waits meanwhile: memory stays bounded); the
 * answers are merged in block order, each block's line numbers offset by the lines before it,
 * so the first bad line is the one a single thread names. An input shorter than one block is
 * scanned here, starting no worker.
 */
async function runBlocks(
  source: InputSource,
  pipeline: Pipeline,
  threads: number,
  entry: WorkerEntry,
  progress: ((bytes: number, rows: number) => void) | null,
): Promise<void> {
  const { settings, collect } = pipeline;
  const cutter = new BlockCutter(BLOCK_BYTES);
  const workers: { worker: Worker; holding: number }[] = [];
  const answers = new Map<number, WorkerAnswer>();
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const signal = (): void => {
    wake?.();
    wake = null;
  };
  /** blocks posted, blocks merged, the first block known to hold a bad record */
  let posted = 0;
  let merged = 0;
  let firstBad = Infinity;
  /** lines before the block merged next (the header's, then each block's) */
  let before = 0;

  const start = (header: string[]): void => {
    const part: WorkerPart = { kind: 'blocks', format: source.format, header };
    for (let w = 0; w < threads; w++) {
      const slot = {
        worker: new Worker(entry, { workerData: { part, settings, collect } satisfies WorkerJob, ...WORKER_OPTIONS }),
        holding: 0,
      };
      slot.worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'block') {
          slot.holding--;
          cutter.reuse(m.bytes.buffer as ArrayBuffer);
          answers.set(m.index, m.answer);
          if (m.answer.type !== 'done') firstBad = Math.min(firstBad, m.index);
        } else if (m.type === 'error') failure ??= new Error(m.message);
        signal();
      });
      slot.worker.on('error', (err) => {
        failure ??= err;
        signal();
      });
      slot.worker.on('exit', (code) => {
        failure ??= new Error(`a worker thread stopped (exit code ${code}) before its answer`);
        signal();
      });
      workers.push(slot);
    }
  };

  /** Merges the answers that are next in block order; a bad record stops the run here. */
  const mergeReady = (): void => {
    if (failure) throw failure;
    for (let answer = answers.get(merged); answer; answer = answers.get(merged)) {
      answers.delete(merged++);
      if (answer.type === 'invalid') throw new InvalidRecord(before + answer.line, answer.detail, settings.source);
      if (answer.type === 'usage') throw new UsageError(answer.message);
      pipeline.merge(answer.state);
      pipeline.skip.skipped += answer.state.skip.skipped;
      for (const row of answer.state.skip.rows)
        if (pipeline.skip.rows.length < SKIPPED_ROWS_SHOWN)
          pipeline.skip.rows.push({ line: before + row.line, detail: row.detail });
      before += answer.lines;
      progress?.(source.bytesRead(), pipeline.rows);
    }
  };
  /** Waits for a worker's message, then merges what is ready. */
  const answered = async (): Promise<void> => {
    await new Promise<void>((resolve) => (wake = resolve));
    mergeReady();
  };
  const post = async (bytes: Uint8Array): Promise<void> => {
    mergeReady();
    // a block waits only for a worker with room: answers ahead of a slow block are kept (a state
    // is small) rather than stalling the other workers, up to a bound
    while (posted - merged >= ANSWERS_AHEAD * threads || workers.every((w) => w.holding >= BLOCKS_PER_WORKER))
      await answered();
    const slot = workers.reduce((a, b) => (b.holding < a.holding ? b : a));
    slot.holding++;
    slot.worker.postMessage({ index: posted++, bytes } satisfies TextBlock, [bytes.buffer as ArrayBuffer]);
  };

  /** the bytes before the first block is posted (the header is found in them) */
  let first: Uint8Array | null = null;
  const blocks: Uint8Array[] = [];
  /** Posts the blocks cut; the first once it holds the header. */
  const postBlocks = async (complete: boolean): Promise<void> => {
    for (let block of blocks.splice(0)) {
      if (workers.length === 0) {
        first = first ? concat(first, block) : block;
        const head = headerOf(first, first.byteLength, source.name, source.format, complete);
        if (head === null) continue;
        // layout errors surface here, before any thread starts
        pipeline.textScanner(source.format, source.name).withHeader(head.header);
        before = newlines(first, head.dataStart);
        start(head.header);
        block = first.subarray(head.dataStart);
        first = null;
      }
      await post(block);
    }
  };

  /** A read error (bad gzip data): a bad record in the lines read before it is the error one thread gives. */
  const readFailed = async (): Promise<void> => {
    if (workers.length === 0) {
      const scanner = pipeline.textScanner(source.format, source.name);
      if (first) scanner.push(first);
      scanner.push(cutter.rest());
      return;
    }
    const block = cutter.cut();
    if (block && firstBad === Infinity) await post(block);
    while (merged < posted) await answered();
  };

  const chunks = source.chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (err) {
        await readFailed();
        throw err;
      }
      if (next.done) break;
      cutter.push(next.value, blocks);
      if (blocks.length > 0) await postBlocks(false);
      if (firstBad < Infinity) {
        // a bad record is known: the lines after it do not matter
        await chunks.return?.();
        break;
      }
    }
    if (workers.length === 0) {
      // shorter than a block: scanned on this thread
      const scanner = pipeline.textScanner(source.format, source.name);
      if (first) scanner.push(first);
      scanner.push(cutter.rest());
      scanner.finish();
      progress?.(source.bytesRead(), pipeline.rows);
      return;
    }
    if (firstBad === Infinity) {
      const rest = cutter.rest();
      if (rest.byteLength > 0) await post(rest);
    }
    while (merged < posted) await answered();
    mergeReady();
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
