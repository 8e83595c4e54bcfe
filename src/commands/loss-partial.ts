import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AnatomyState, LogBase, Reduction } from '../core/index.js';
import { UsageError } from '../errors.js';
import type { Report } from '../output/index.js';
import { anatomyCollector } from '../pipeline/collect/anatomy.js';
import { totalsCollector, type TotalsState } from '../pipeline/collect/totals.js';
import {
  makePartial,
  mergePartials,
  parsePartial,
  PARTIAL_FORMAT,
  serializePartial,
  type PartialFile,
} from '../pipeline/state.js';
import { totalsReport, type SampleShape } from './loss-classes.js';
import { alphaParams, alphaText, captionOf, type CommandContext } from './shared.js';

/**
 * `loss --partial FILE` and `focal merge`: a shard's totals as a partial file
 * (docs/partial-format.md), and the report of merged shards — the report one run over all their
 * data prints, because the totals collector's merge is exact.
 */

/** Everything a loss report depends on besides the data: shards merge only when these agree. */
export interface LossParams {
  shape: SampleShape;
  /** p, logit, pt (binary and sigmoid), probs, logits (softmax) */
  input: string;
  gamma: number;
  alpha: number | readonly number[] | null;
  base: LogBase;
  reduction: Reduction;
  /** the label smoothing of the text path (0: none) */
  smoothing: number;
  /** sigmoid rows with a class index: the label that skips a row */
  ignoreLabel: number | null;
}

function paramsJson(p: LossParams): Record<string, unknown> {
  return {
    command: 'loss',
    shape: p.shape,
    input: p.input,
    gamma: p.gamma,
    alpha: p.alpha,
    log_base: p.base,
    reduction: p.reduction,
    ...(p.smoothing > 0 ? { label_smoothing: p.smoothing } : {}),
    ...(p.ignoreLabel !== null ? { ignore_label: p.ignoreLabel } : {}),
  };
}

/** Writes a shard's loss totals as a partial file. */
export function writePartial(
  path: string,
  params: LossParams,
  state: TotalsState,
  inputs: string[],
  ctx: CommandContext,
): void {
  writePartialText(
    path,
    serializePartial(makePartial(paramsJson(params), [[totalsCollector, state]], { inputs, rows: state.rows })),
    ctx,
  );
}

/** Writes a partial file, whole or not at all (a temporary file renamed into place); '-' is stdout. */
/**
 * A partial file replaces an earlier partial file (a shard run again), but nothing else: not an
 * input given by mistake (`--partial data.csv`), not any other file.
 */
export function refuseReplacingOtherFile(path: string): void {
  if (path === '-') return;
  // a device, pipe or folder is not opened here (a FIFO would wait for a writer): the write says what it makes of it
  const isFile = (() => {
    try {
      return statSync(path).isFile();
    } catch {
      return false; // none there yet
    }
  })();
  if (!isFile) return;
  const head = Buffer.alloc(256);
  let got = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      got = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return; // unreadable: the write names the problem
  }
  const signature = new RegExp(`^\\s*\\{\\s*"format"\\s*:\\s*"${PARTIAL_FORMAT}"`);
  if (!signature.test(head.toString('latin1', 0, got)))
    throw new UsageError(
      `option '--partial' ${JSON.stringify(path)}: that file exists and is not a focal partial file; it is not replaced (remove it or give another path).`,
    );
}

export function writePartialText(path: string, text: string, ctx: CommandContext): void {
  if (path === '-') return ctx.write(text);
  refuseReplacingOtherFile(path);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw new UsageError(
      `option '--partial' ${JSON.stringify(path)} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
}

/**
 * The partial files in a text: one JSON document or several one after another (as
 * `focal loss --partial -` writes them to a pipe, shard after shard).
 */
export function splitDocuments(text: string): string[] {
  const docs: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) docs.push(text.slice(start, i + 1));
    } else if (depth === 0 && c.trim() !== '') {
      // not JSON: the rest goes to parsePartial, which says so
      docs.push(text.slice(i));
      return docs;
    }
  }
  if (depth > 0) docs.push(text.slice(start)); // cut short: parsePartial says so
  return docs;
}

/** A partial file as read: its name for messages, and its path (none from stdin). */
export interface ReadPartial {
  name: string;
  path?: string;
  partial: PartialFile;
}

/** The partial files named (or stdin for '-': one or several documents), parsed. */
export async function readPartialFiles(files: string[], ctx: CommandContext): Promise<ReadPartial[]> {
  const read: ReadPartial[] = [];
  for (const file of files) {
    let text: string;
    if (file === '-') {
      const stdin = ctx.stdin();
      if (!stdin) throw new UsageError("merge: '-' reads partial files from standard input, but there is none.");
      const chunks: Buffer[] = [];
      for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      text = Buffer.concat(chunks).toString('utf8');
      const docs = splitDocuments(text);
      if (docs.length === 0) throw new UsageError('stdin: no partial file (empty input).');
      docs.forEach((doc, k) =>
        read.push({
          name: docs.length > 1 ? `stdin (document ${k + 1})` : 'stdin',
          partial: parsePartial(doc, 'stdin'),
        }),
      );
      continue;
    }
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(
        `${file}: cannot be read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? (err as Error).message)}).`,
      );
    }
    read.push({ name: file, path: file, partial: parsePartial(text, file) });
  }
  return read;
}

/** The loss or anatomy report of parsed partial files. */
export async function mergeRead(read: { name: string; partial: PartialFile }[]): Promise<Report> {
  const { params, states } = mergePartials(read, [totalsCollector, anatomyCollector]);
  if (params.command !== 'loss' && params.command !== 'anatomy')
    throw new UsageError(
      `${read[0]!.name}: made by '${String(params.command)}'; merge reads partial files of 'focal loss' and 'focal anatomy'.`,
    );
  const state = states.get('totals') as TotalsState | undefined;
  if (!state) throw new UsageError(`${read[0]!.name}: holds no loss totals.`);
  const inputs = read.flatMap((r) => r.partial.source?.inputs ?? [r.name]);
  if (params.command === 'anatomy') {
    const anatomy = states.get('anatomy') as AnatomyState | undefined;
    if (!anatomy) throw new UsageError(`${read[0]!.name}: holds no anatomy.`);
    const { anatomyReport } = await import('./anatomy.js');
    const a = params as Record<string, unknown>;
    const anatomyParams = {
      shape: a.shape as SampleShape,
      input: String(a.input),
      gamma: a.gamma as number,
      alpha: a.alpha as number | null,
      base: a.log_base as LogBase,
      buckets: a.buckets as number,
      beta: a.beta as number,
      ignoreLabel: (a.ignore_label as number | undefined) ?? null,
    };
    return anatomyReport(anatomyCollector.finish(anatomy), state, anatomyParams, { inputs, shards: read.length }, {})
      .report;
  }
  const p = params as ReturnType<typeof paramsJson>;
  const alpha = p.alpha as LossParams['alpha'];
  return {
    command: 'loss',
    params: {
      inputs,
      shards: read.length,
      gamma: p.gamma,
      ...alphaParams(alpha),
      log_base: p.log_base,
      reduction: p.reduction,
      ...(p.label_smoothing ? { label_smoothing: p.label_smoothing } : {}),
    },
    caption: captionOf({
      shards: String(read.length),
      γ: String(p.gamma),
      α: Array.isArray(alpha) ? alpha.join(', ') : alphaText(alpha as number | null),
      'log base': String(p.log_base),
      reduction: String(p.reduction),
    }),
    columns: [],
    rows: [],
    ...totalsReport(() => state, p.reduction as Reduction, p.shape as SampleShape),
  };
}
