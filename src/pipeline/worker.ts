/**
 * A worker thread of a parallel run (threads.ts): runs its part of the input through the same
 * Pipeline as one thread does and posts the collectors' states back. The CLI's build makes it
 * dist/pipeline-worker.cjs; the caller of runThreads says where it is.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isUsageError } from '../errors.js';
import { readFileChunks } from '../input/source.js';
import { InvalidRecord } from './layout.js';
import { Pipeline } from './run.js';
import type { WorkerJob, WorkerMessage } from './threads.js';

const PROGRESS_EVERY = 16 << 20;
const NEWLINE = 10;

/** The lines that start inside [start, end) of a text file, through the pipeline. */
async function scanRange(job: WorkerJob & { part: { kind: 'text' } }, pipeline: Pipeline): Promise<number> {
  const { part } = job;
  const scanner = pipeline.textScanner(part.format, job.settings.source);
  scanner.withHeader(part.header);
  // A line belongs to the range holding its first byte: skip the line in progress at `start`
  // (read from start − 1 so a line starting exactly at `start` is kept), and finish the line
  // that holds byte end − 1.
  let position = part.first ? part.start : part.start - 1;
  let skipping = !part.first;
  let reported = 0;
  const chunks = readFileChunks(part.path, position);
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
        if (chunkStart >= part.end) break; // the next line starts in the next range
      }
      const stopFrom = Math.max(0, part.end - 1 - chunkStart);
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
        parentPort!.postMessage({ type: 'progress', bytes: position - part.start, rows: pipeline.rows } satisfies WorkerMessage);
      }
    }
    scanner.finish();
  } finally {
    await chunks.return(undefined);
  }
  parentPort!.postMessage({ type: 'progress', bytes: part.end - part.start, rows: pipeline.rows } satisfies WorkerMessage);
  return scanner.lines;
}

async function run(job: WorkerJob): Promise<WorkerMessage> {
  const pipeline = new Pipeline(job.settings, job.collect);
  try {
    if (job.part.kind === 'text') {
      const lines = await scanRange(job as WorkerJob & { part: { kind: 'text' } }, pipeline);
      return { type: 'done', state: pipeline.state(), lines };
    }
    const { file, labels, part, parts } = job.part;
    for await (const samples of pipeline.columnarSamples(file, labels, (index) => index % parts === part)) pipeline.consume(samples);
    return { type: 'done', state: pipeline.state(), lines: 0 };
  } catch (err) {
    if (err instanceof InvalidRecord) return { type: 'invalid', line: err.line, detail: err.detail };
    if (isUsageError(err)) return { type: 'usage', message: (err as Error).message, at: pipeline.batches };
    throw err;
  }
}

if (parentPort && workerData) {
  run(workerData as WorkerJob).then(
    (m) => parentPort!.postMessage(m),
    (err: unknown) => parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage),
  );
}
