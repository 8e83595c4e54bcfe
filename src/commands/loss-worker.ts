import { parentPort, workerData } from 'node:worker_threads';
import { LossAnatomy, type AccumulatorState, type AnatomyState } from '../core/index.js';
import type { TextFormat } from '../input/source.js';
import type { TotalsState } from '../pipeline/collect/totals.js';
import { readFileChunks } from '../input/source.js';
import { anatomyOf, createScanner, InvalidRecord, SampleSink, type SampleSettings, type SkippedRow } from './loss-input.js';

/**
 * One worker of a parallel `focal loss --input FILE`: scans the lines that start inside
 * [start, end) of the file and posts its partial per-class totals back.
 */

export interface WorkerJob {
  path: string;
  start: number;
  end: number;
  /** true for the range that starts right after the header (it starts on a line start) */
  first: boolean;
  header: string[];
  format: TextFormat;
  settings: SampleSettings;
  /** set for focal anatomy: the number of p_t buckets; the worker then returns its anatomy too */
  anatomyBuckets?: number;
}

export type WorkerMessage =
  | { type: 'progress'; bytes: number; rows: number }
  | { type: 'done'; state: TotalsState; extras: AccumulatorState; anatomy: AnatomyState | null; lines: number; n: number; skipped: number; skippedRows: SkippedRow[] }
  | { type: 'invalid'; line: number; detail: string }
  | { type: 'error'; message: string };

const PROGRESS_EVERY = 16 << 20;
const NEWLINE = 10;

async function run(job: WorkerJob): Promise<WorkerMessage> {
  const anatomy = job.anatomyBuckets ? new LossAnatomy(job.anatomyBuckets) : null;
  const sink = new SampleSink(job.settings, anatomy ? anatomyOf(anatomy) : null);
  const scanner = createScanner(job.format, sink);
  scanner.withHeader!(job.header);
  // A line belongs to the range holding its first byte: skip the line in progress at `start`
  // (read from start − 1 so a line starting exactly at `start` is kept), and finish the line
  // that holds byte end − 1.
  let position = job.first ? job.start : job.start - 1;
  let skipping = !job.first;
  let reported = 0;
  const chunks = readFileChunks(job.path, position);
  try {
    for await (const buffer of chunks) {
      let chunk: Uint8Array = buffer;
      let chunkStart = position;
      position += buffer.length;
      if (skipping) {
        const nl = chunk.indexOf(NEWLINE);
        if (nl < 0) continue;
        chunk = chunk.subarray(nl + 1);
        chunkStart += nl + 1;
        skipping = false;
        if (chunkStart >= job.end) break; // the next line starts in the next range
      }
      const stopFrom = Math.max(0, job.end - 1 - chunkStart);
      if (stopFrom < chunk.length) {
        const nl = chunk.indexOf(NEWLINE, stopFrom);
        if (nl >= 0) {
          scanner.push(chunk.subarray(0, nl + 1));
          break;
        }
      }
      scanner.push(chunk);
      if (position - reported >= PROGRESS_EVERY) {
        reported = position;
        parentPort!.postMessage({ type: 'progress', bytes: position - job.start, rows: sink.index } satisfies WorkerMessage);
      }
    }
    scanner.finish();
  } catch (err) {
    if (err instanceof InvalidRecord) return { type: 'invalid', line: err.line, detail: err.detail };
    throw err;
  } finally {
    await chunks.return(undefined);
  }
  parentPort!.postMessage({ type: 'progress', bytes: job.end - job.start, rows: sink.index } satisfies WorkerMessage);
  return { type: 'done', state: sink.state(), extras: sink.extras.state(), anatomy: anatomy?.state() ?? null, lines: scanner.lines, n: sink.index, skipped: sink.skipped, skippedRows: sink.skippedRows };
}

if (parentPort && workerData) {
  run(workerData as WorkerJob).then(
    (m) => parentPort!.postMessage(m),
    (err: unknown) => parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage),
  );
}
