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
import type { TextBlock, WorkerAnswer, WorkerJob, WorkerMessage } from './threads.js';

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
        parentPort!.postMessage({
          type: 'progress',
          bytes: position - part.start,
          rows: pipeline.rows,
        } satisfies WorkerMessage);
      }
    }
    scanner.finish();
  } finally {
    await chunks.return(undefined);
  }
  parentPort!.postMessage({
    type: 'progress',
    bytes: part.end - part.start,
    rows: pipeline.rows,
  } satisfies WorkerMessage);
  return scanner.lines;
}

/** The answer for a part: its state, or the bad input that stopped it. */
async function answer(pipeline: Pipeline, scan: () => Promise<number>): Promise<WorkerAnswer> {
  try {
    const lines = await scan();
    return { type: 'done', state: pipeline.state(), lines };
  } catch (err) {
    if (err instanceof InvalidRecord) return { type: 'invalid', line: err.line, detail: err.detail };
    if (isUsageError(err)) return { type: 'usage', message: (err as Error).message };
    throw err;
  }
}

/** One block of a text stream's lines (threads.ts, runBlocks), line numbers counted from its start. */
function scanBlock(job: WorkerJob & { part: { kind: 'blocks' } }, block: TextBlock): Promise<WorkerAnswer> {
  const pipeline = new Pipeline(job.settings, job.collect);
  return answer(pipeline, async () => {
    const scanner = pipeline.textScanner(job.part.format, job.settings.source);
    scanner.withHeader(job.part.header);
    scanner.push(block.bytes);
    scanner.finish();
    return scanner.lines;
  });
}

function run(job: WorkerJob): Promise<WorkerAnswer> {
  const pipeline = new Pipeline(job.settings, job.collect);
  const { part } = job;
  if (part.kind === 'text')
    return answer(pipeline, () => scanRange(job as WorkerJob & { part: { kind: 'text' } }, pipeline));
  if (part.kind !== 'columnar') throw new Error(`a worker for ${part.kind} takes them as messages`);
  return answer(pipeline, async () => {
    for await (const samples of pipeline.columnarSamples(part.file, part.labels, part.part)) pipeline.consume(samples);
    return 0;
  });
}

const failed = (err: unknown): void =>
  parentPort!.postMessage({
    type: 'error',
    message: err instanceof Error ? err.message : String(err),
  } satisfies WorkerMessage);

if (parentPort && workerData) {
  const job = workerData as WorkerJob;
  if (job.part.kind === 'blocks') {
    const blocks = job as WorkerJob & { part: { kind: 'blocks' } };
    parentPort.on('message', (block: TextBlock) =>
      scanBlock(blocks, block).then(
        (a) =>
          parentPort!.postMessage(
            { type: 'block', index: block.index, answer: a, bytes: block.bytes } satisfies WorkerMessage,
            [block.bytes.buffer as ArrayBuffer],
          ),
        failed,
      ),
    );
  } else run(job).then((m) => parentPort!.postMessage(m), failed);
}
