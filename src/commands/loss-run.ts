import { openSync, readSync, closeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LossAnatomy } from '../core/index.js';
import { UsageError } from '../errors.js';
import { totalsCollector } from '../pipeline/collect/totals.js';
import type { Progress } from '../cli/progress.js';
import { splitHeader } from '../input/delimited.js';
import type { InputSource } from '../input/source.js';
import { shownText } from '../input/show.js';
import { createScanner, InvalidRecord, SampleSink, SKIPPED_ROWS_SHOWN, type SampleCallback, type SampleSettings, type SkippedRow } from './loss-input.js';
import type { WorkerJob, WorkerMessage } from './loss-worker.js';
import type { CommandContext } from './shared.js';

/**
 * Runs a file or stdin through the loss core. One thread streams (always for per-sample
 * output, stdin and gzip); a plain file of at least PARALLEL_MIN_BYTES with a reduction is
 * split by byte ranges across worker threads, merged in file order: anatomy's histogram sums
 * are exact (the same bits for any split); the totals are compensated (Neumaier), accurate to
 * about one rounding whatever the split, and in practice the same bits, but not guaranteed.
 */

/** Below this size a second thread costs more to start (~40 ms) than it saves. */
export const PARALLEL_MIN_BYTES = 32 << 20;

export interface InputOutcome {
  sink: SampleSink;
  /** samples processed */
  n: number;
  skipped: number;
  /** the first SKIPPED_ROWS_SHOWN rows skipped, with why */
  skippedRows: SkippedRow[];
  threads: number;
}

/**
 * Where samples come from when a command reads input: --input, else stdin when it is a pipe
 * (and the command was given no samples), else nowhere (undefined).
 */
export function inputPath(input: string | undefined, samplesGiven: boolean, ctx: CommandContext): string | undefined {
  if (input !== undefined || samplesGiven) return input;
  const stdin = ctx.stdin();
  return stdin && !stdin.isTTY ? '-' : undefined;
}

/**
 * The note on stderr after rows were skipped with --skip-invalid (nothing when none were): how
 * many, and the first few with the reason each was skipped.
 */
export function noteSkipped(ctx: CommandContext, source: Pick<InputSource, 'name'>, o: Pick<InputOutcome, 'skipped' | 'skippedRows'>): void {
  if (o.skipped === 0) return;
  const rows = o.skippedRows.map((r) => `  line ${r.line}: ${r.detail}\n`).join('');
  const more = o.skipped > o.skippedRows.length ? `  … and ${o.skipped - o.skippedRows.length} more\n` : '';
  ctx.stderr.write(`focal: skipped ${o.skipped} invalid row${o.skipped === 1 ? '' : 's'} of ${source.name}:\n${rows}${more}`);
}

/** Where else the samples could come from, said when stdin turned out empty. */
const EMPTY_STDIN_HINT: Record<SampleSettings['command'], string> = {
  loss: 'give samples with --p/--logit/--pt and --y, or --input FILE',
  anatomy: 'give --input FILE, or pipe in a CSV, TSV or NDJSON file',
  sweep: 'give --input FILE, or pipe in a CSV, TSV or NDJSON file',
  calibration: 'give --input FILE, or pipe in a CSV, TSV or NDJSON file',
};

/** No sample to answer for: an empty input, or every row skipped as invalid. */
export function emptyInput(source: Pick<InputSource, 'name'>, command: SampleSettings['command'], skipped = 0): UsageError {
  if (skipped > 0) return new UsageError(`${source.name}: no valid rows (all ${skipped} skipped as invalid); nothing to reduce.`);
  const hint = source.name === 'stdin' ? `; ${EMPTY_STDIN_HINT[command]}` : '';
  return new UsageError(`${source.name}: the input has no data rows (only a header, or nothing at all)${hint}.`);
}

/** Streams one thread: chunks → scanner → sink; `afterChunk` runs after each chunk (rows, progress). */
export async function runSingle(
  source: InputSource,
  settings: SampleSettings,
  onSample: SampleCallback | null,
  afterChunk: (samples: number) => void,
): Promise<InputOutcome> {
  const sink = new SampleSink(settings, onSample);
  const scanner = createScanner(source.format, sink);
  for await (const chunk of source.chunks) {
    scanner.push(chunk);
    afterChunk(sink.index);
  }
  scanner.finish();
  afterChunk(sink.index);
  if (sink.index === 0) throw emptyInput(source, settings.command, sink.skipped);
  return { sink, n: sink.index, skipped: sink.skipped, skippedRows: sink.skippedRows, threads: 1 };
}

export function threadsFor(source: InputSource, requested: number | undefined): number {
  if (!source.splittablePath || source.size === null) return 1;
  const auto = source.size >= PARALLEL_MIN_BYTES ? availableParallelism() : 1;
  return Math.max(1, Math.min(requested ?? auto, 64, Math.max(1, Math.floor(source.size / (1 << 16)))));
}

/** The header line (or first NDJSON object's keys) and the byte offset where data starts. */
function readHeader(path: string, name: string, format: InputSource['format']): { header: string[]; dataStart: number } {
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

/** Splits [dataStart, size) across `threads` workers and merges their results in file order. */
export async function runParallel(
  source: InputSource,
  settings: SampleSettings,
  threads: number,
  progress: Progress | null,
  anatomy: LossAnatomy | null = null,
): Promise<InputOutcome> {
  const path = source.splittablePath!;
  const size = source.size!;
  const { header, dataStart } = readHeader(path, source.name, source.format);
  const sink = new SampleSink(settings);
  sink.plan(header); // layout errors surface here, before any thread starts
  const workerFile = join(__dirname, 'loss-worker.cjs');
  const bytes = new Array<number>(threads).fill(0);
  const rows = new Array<number>(threads).fill(0);
  const span = Math.ceil((size - dataStart) / threads);
  const jobs: WorkerJob[] = Array.from({ length: threads }, (_, w) => ({
    path,
    start: dataStart + w * span,
    end: Math.min(size, dataStart + (w + 1) * span),
    first: w === 0,
    header,
    format: source.format,
    settings,
    anatomyBuckets: anatomy?.buckets,
  }));
  const results = await Promise.all(
    jobs.map(
      (job, w) =>
        new Promise<Extract<WorkerMessage, { type: 'done' | 'invalid' }>>((resolve, reject) => {
          const worker = new Worker(workerFile, { workerData: job });
          worker.on('message', (m: WorkerMessage) => {
            if (m.type === 'progress') {
              bytes[w] = m.bytes;
              rows[w] = m.rows;
              progress?.update(bytes.reduce((a, b) => a + b, 0), rows.reduce((a, b) => a + b, 0));
            } else if (m.type === 'error') reject(new Error(m.message));
            else resolve(m);
          });
          worker.on('error', reject);
        }),
    ),
  );
  // Line numbers: the header is line 1; each worker counted the lines of its own range.
  let before = dataStart > 0 ? countLines(path, dataStart) : 0;
  const skippedRows: SkippedRow[] = [];
  let skipped = 0;
  let n = 0;
  for (const r of results) {
    if (r.type === 'invalid') throw new InvalidRecord(before + r.line, r.detail, source.name);
    totalsCollector.merge(sink.totals.state, r.state);
    sink.extras.merge(r.extras);
    if (anatomy && r.anatomy) anatomy.merge(r.anatomy);
    skipped += r.skipped;
    n += r.n;
    for (const row of r.skippedRows) if (skippedRows.length < SKIPPED_ROWS_SHOWN) skippedRows.push({ line: before + row.line, detail: row.detail });
    before += r.lines;
  }
  if (n === 0) throw emptyInput(source, settings.command, skipped);
  sink.skipped = skipped;
  return { sink, n, skipped, skippedRows, threads };
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
