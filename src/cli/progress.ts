/**
 * A one-line progress report on stderr for long runs: rows, rows/s and the share of the input
 * read. Only on a terminal (never into a file or pipe), at most five updates a second, and
 * erased when the run ends so that the terminal keeps only the answer.
 */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const INTERVAL_MS = 200;
/** Runs shorter than this never show a bar. */
const DELAY_MS = 500;

export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private shown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly totalBytes: number | null,
  ) {}

  static for(stream: ProgressStream, totalBytes: number | null): Progress | null {
    return stream.isTTY ? new Progress(stream, totalBytes) : null;
  }

  update(bytes: number, rows: number): void {
    const now = Date.now();
    if (now - this.started < DELAY_MS || now - this.last < INTERVAL_MS) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = rows / seconds;
    const share = this.totalBytes
      ? ` ${Math.min(100, (100 * bytes) / this.totalBytes)
          .toFixed(0)
          .padStart(3)}%`
      : '';
    const bar = this.totalBytes ? ` ${barOf(bytes / this.totalBytes)}` : '';
    this.stream.write(`\r\x1b[2K${bar}${share}  ${rows.toLocaleString('en-US')} rows  ${formatRate(rate)} rows/s`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
  }
}

function barOf(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(1)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(0)}k`;
  return rate.toFixed(0);
}
