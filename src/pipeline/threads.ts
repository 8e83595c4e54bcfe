/**
 * The pipeline on worker threads. A text file is split by byte ranges (each worker scans the
 * lines that start in its range); a binary file by batches (a worker takes every N-th batch:
 * Parquet row groups, .npy/.npz/Arrow batches). Every worker runs the same Pipeline as one
 * thread does and posts its collectors' states; they are merged in file order. The totals and
 * anatomy sums are exact, so the report has the bits of a one-thread run.
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
import type { ColumnarFile } from './open.js';
import { InvalidRecord, SKIPPED_ROWS_SHOWN, type SkippedRow } from './layout.js';
import { Pipeline, type CollectOptions, type PipelineInput, type PipelineState } from './run.js';
import type { SampleSettings } from './samples.js';

/** The module a worker thread runs (dist/pipeline-worker.cjs, or one built from src/pipeline/worker.ts). */
export type WorkerEntry = string | URL;

/** Below this size a second thread costs more to start (~40 ms) than it saves. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/** One worker's part of the input. */
export type WorkerPart =
  | { kind: 'text'; path: string; format: 'csv' | 'tsv' | 'ndjson'; start: number; end: number; first: boolean; header: string[] }
  | { kind: 'columnar'; file: ColumnarFile; labels: ColumnarFile | null; part: number; parts: number };

export interface WorkerJob {
  part: WorkerPart;
  settings: SampleSettings;
  collect: CollectOptions;
}

export type WorkerMessage =
  | { type: 'progress'; bytes: number; rows: number }
  | { type: 'done'; state: PipelineState; lines: number }
  /** a bad text record: its line within the worker's range */
  | { type: 'invalid'; line: number; detail: string }
  /** bad input otherwise (exit 2), at the worker's `at`-th binary batch */
  | { type: 'usage'; message: string; at: number }
  | { type: 'error'; message: string };

/**
 * How many threads for an input: 1 for streams, gzip and small files; else --threads, or all
 * cores for large files whose parts cost a worker only its own share: text (byte ranges),
 * Parquet (row groups read by one worker only) and .npy (batches are views of the bytes). An
 * .npz array is inflated and an Arrow file decoded whole by every worker, so they take threads
 * only when --threads asks.
 */
export function threadsFor(input: PipelineInput, requested: number | undefined, worker: WorkerEntry | null): number {
  if (worker === null) return 1;
  const size = input.kind === 'text' ? (input.source.splittablePath === null ? null : input.source.size) : input.file.path === null || (input.labels !== null && input.labels.path === null) ? null : input.size;
  if (size === null) return 1;
  const cheapParts = input.kind === 'text' || input.file.format === 'parquet' || input.file.format === 'npy';
  const auto = size >= PARALLEL_MIN_BYTES && cheapParts ? availableParallelism() : 1;
  return Math.max(1, Math.min(requested ?? auto, 64, Math.max(1, Math.floor(size / (1 << 16)))));
}

/** The header line (or first NDJSON object's keys) and the byte offset where data starts. */
function readHeader(path: string, name: string, format: 'csv' | 'tsv' | 'ndjson'): { header: string[]; dataStart: number } {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    // a UTF-8 byte order mark is not part of the first line (for NDJSON, the first record)
    let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    // skip leading blank lines
    for (let line = 1; ; line++) {
      const nl = buf.indexOf(10, start);
      const end = nl < 0 || nl >= n ? n : nl;
      const text = buf.toString('utf8', start, end).replace(/\r$/, '');
      if (text.trim() !== '' || nl < 0 || nl >= n) {
        if (format === 'ndjson') {
          let first: unknown = null;
          try {
            first = JSON.parse(text);
          } catch {
            throw new UsageError(`${name}:${line}: not valid JSON: ${shownText(text.trim())}`);
          }
          if (first === null || typeof first !== 'object' || Array.isArray(first)) throw new UsageError(`${name}:${line}: not a JSON object: ${shownText(text.trim())}`);
          return { header: Object.keys(first), dataStart: start };
        }
        return { header: splitHeader(text, format === 'tsv' ? '\t' : ','), dataStart: Math.min(n, end + 1) };
      }
      start = nl + 1;
    }
  } finally {
    closeSync(fd);
  }
}

function countLines(path: string, upTo: number): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(upTo);
    readSync(fd, buf, 0, upTo, 0);
    let lines = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lines++;
    return lines;
  } finally {
    closeSync(fd);
  }
}

function runWorker(entry: WorkerEntry, job: WorkerJob, onProgress: (m: Extract<WorkerMessage, { type: 'progress' }>) => void): Promise<Extract<WorkerMessage, { type: 'done' | 'invalid' | 'usage' }>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: job });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else resolve(m);
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
export async function runThreads(input: PipelineInput, pipeline: Pipeline, threads: number, entry: WorkerEntry, progress: ((bytes: number, rows: number) => void) | null = null): Promise<void> {
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
    parts = Array.from({ length: threads }, (_, w) => ({ kind: 'text', path, format: source.format, start: dataStart + w * span, end: Math.min(size, dataStart + (w + 1) * span), first: w === 0, header: head.header }));
  } else {
    parts = Array.from({ length: threads }, (_, w) => ({ kind: 'columnar', file: input.file, labels: input.labels, part: w, parts: threads }));
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
  // the first bad batch of a binary file, whichever worker read it
  const usage = results.filter((r) => r.type === 'usage').sort((a, b) => a.at - b.at)[0];
  const shown: SkippedRow[] = [];
  for (const r of results) {
    if (r.type === 'invalid') throw new InvalidRecord(before + r.line, r.detail, settings.source);
    if (r.type === 'usage') throw new UsageError(usage!.message);
    pipeline.merge(r.state);
    pipeline.skip.skipped += r.state.skip.skipped;
    for (const row of r.state.skip.rows) if (shown.length < SKIPPED_ROWS_SHOWN) shown.push({ line: before + row.line, detail: row.detail });
    before += r.lines;
  }
  pipeline.skip.rows.splice(0, pipeline.skip.rows.length, ...shown);
}
