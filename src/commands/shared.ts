import type { Command } from 'commander';
import type { Report } from '../output/index.js';
import type { OutputOptionValues } from '../cli/options.js';
import { UsageError } from '../cli/errors.js';
import type { BinaryEvaluation, BinaryLosses, GroupLoss } from '../core/index.js';
import type { Column, Row } from '../output/index.js';
import { LOSS_LABELS, lossKey, type Family } from './family.js';

/** What a command needs from the program: a way to hand its report to the output layer. */
export interface CommandContext {
  emit(report: Report, output: OutputOptionValues): Promise<void>;
  /** standard input, when there is one (null in tests that give none) */
  stdin(): (NodeJS.ReadableStream & { isTTY?: boolean }) | null;
  /** for messages and progress: never data */
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** the module worker threads run; null: one thread */
  workerEntry: string | URL | null;
  /** writes text that is not a report (a terminal chart) to stdout */
  write(text: string): void;
  /** whether to colour stdout, given the --no-color flag */
  color(flag: boolean | undefined): boolean;
  /** the terminal's width in characters (80 when stdout is not a terminal) */
  columns(): number;
}

export type Register = (program: Command, ctx: CommandContext) => void;

/** The options of a command that can draw a chart (in the terminal, or to a file with --out). */
export interface PictureOptionValues {
  out?: string;
  force?: boolean;
  chart?: boolean;
  format?: string;
  json?: boolean;
}

/** --out of a command that can also write its whole report as a page (anatomy): a picture, or .html. */
export const PAGE_EXTENSION = '.html';
export const isPageFile = (file: string): boolean => file.toLowerCase().endsWith(PAGE_EXTENSION);

/**
 * Refuses picture options that would do nothing: --force without --out, --out with --chart
 * or with a data format (--format csv, --json), --chart with a data format. Every command
 * with --out calls it before doing any work.
 */
export function checkPictureOptions(o: PictureOptionValues): void {
  if (o.force && o.out === undefined)
    throw new UsageError("option '--force' replaces the --out file, but no --out is given.");
  const page = o.out !== undefined && isPageFile(o.out);
  if (o.out !== undefined && o.chart)
    throw new UsageError(
      `option '--out' writes ${page ? 'the report as a page' : 'the chart to a file'} and --chart draws it in the terminal; give one.`,
    );
  const data = o.json ? 'json' : o.format;
  const drawing =
    o.out !== undefined
      ? `option '--out' writes ${page ? 'a page' : 'a picture'}`
      : o.chart
        ? "option '--chart' draws a chart"
        : null;
  if (drawing && data !== undefined && data !== 'chart')
    throw new UsageError(
      `${drawing}; --format ${data} writes ${data === 'table' ? 'a table' : 'data'} to stdout. Give one.`,
    );
}

/** Exactly one of the named options must be present. */
export function exactlyOne<K extends string>(
  opts: Partial<Record<K, unknown>>,
  names: readonly K[],
  flags: readonly string[],
  command: string,
): K {
  const given = names.filter((n) => opts[n] !== undefined);
  if (given.length === 1) return given[0]!;
  if (given.length === 0) throw new UsageError(`${command} needs predictions: give one of ${flags.join(', ')}.`);
  throw new UsageError(
    `${command} takes one kind of prediction, but got ${given.map((n) => flags[names.indexOf(n)]).join(' and ')}; give only one.`,
  );
}

/** The columns of one evaluated binary sample, shared by compare and loss. */
export function binaryColumns(opts: {
  logit: boolean;
  grad: boolean;
  gamma?: boolean;
  alpha?: boolean;
  family?: Family;
}): Column[] {
  const family = opts.family;
  const names = family?.names ?? ['ce', 'fl'];
  const cols: Column[] = [];
  if (opts.logit) cols.push({ key: 'logit', label: 'logit' });
  cols.push({ key: 'p', label: 'p' }, { key: 'y', label: 'y' });
  if (family && family.smoothing > 0) cols.push({ key: 'y_smoothed', label: 'y smoothed' });
  cols.push({ key: 'pt', label: 'p_t' });
  cols.push(
    { key: 'gamma', label: 'γ', table: opts.gamma ?? false },
    { key: 'alpha', label: 'α', table: opts.alpha ?? false },
  );
  cols.push({ key: 'alpha_t', label: 'α_t' });
  if (names.includes('fl')) cols.push({ key: 'modulating', label: '(1−p_t)^γ' });
  for (const name of names) cols.push({ key: lossKey(name), label: LOSS_LABELS[name] });
  if (names.includes('ce') && names.includes('fl')) cols.push({ key: 'ratio', label: 'CE/FL' });
  if (opts.grad) {
    cols.push(
      { key: 'grad', label: 'dFL/dx' },
      { key: 'grad_ce', label: 'dCE/dx' },
      { key: 'grad_p', label: 'dFL/dp' },
      { key: 'grad_ce_p', label: 'dCE/dp' },
    );
  }
  return cols;
}

/** One row: `r` evaluated at the (smoothed) label; `variants` holds family.extras in order. */
export function binaryRow(
  r: BinaryEvaluation | BinaryLosses,
  extra: {
    logit?: number;
    y?: number;
    gamma: number;
    alpha: number | null;
    grad: boolean;
    family?: Family;
    variants?: Float64Array | null;
  },
): Row {
  const smoothed = extra.family !== undefined && extra.family.smoothing > 0;
  const extras = extra.family?.extras ?? [];
  // the usual sweep's row as one literal of a fixed shape (this runs once per row of a streamed
  // sweep, bench/compare.mjs; added one property at a time, each row also rebuilt its map's
  // transitions); the keys in the same order as below
  if (!smoothed && extras.length === 0 && !extra.grad) {
    const [y, ratio] = [extra.y ?? r.y, r.ratio];
    return extra.logit === undefined
      ? {
          p: r.p,
          y,
          pt: r.pt,
          gamma: extra.gamma,
          alpha: extra.alpha,
          alpha_t: r.alphaT,
          modulating: r.modulating,
          ce: r.ce,
          fl: r.fl,
          ratio,
        }
      : {
          logit: extra.logit,
          p: r.p,
          y,
          pt: r.pt,
          gamma: extra.gamma,
          alpha: extra.alpha,
          alpha_t: r.alphaT,
          modulating: r.modulating,
          ce: r.ce,
          fl: r.fl,
          ratio,
        };
  }
  const row: Record<string, number | null> = {};
  if (extra.logit !== undefined) row.logit = extra.logit;
  row.p = r.p;
  row.y = extra.y ?? r.y;
  if (smoothed) row.y_smoothed = r.y;
  row.pt = r.pt;
  row.gamma = extra.gamma;
  row.alpha = extra.alpha;
  row.alpha_t = r.alphaT;
  row.modulating = r.modulating;
  row.ce = r.ce;
  row.fl = r.fl;
  row.ratio = r.ratio;
  for (let k = 0; k < extras.length; k++) row[lossKey(extras[k]!)] = extra.variants![k]!;
  if (extra.grad) {
    if (!('grad' in r)) throw new Error('binaryRow: --grad needs evaluateBinary, not evaluateBinaryLossesInto');
    row.grad = r.grad;
    row.grad_ce = r.gradCe;
    row.grad_p = r.gradP;
    row.grad_ce_p = r.gradCeP;
  }
  return row;
}

/**
 * α in JSON params, one shape per key (docs/formats.md): `alpha` is one number, or null for
 * none; a multiclass α given per class is `alpha_per_class` instead.
 */
export function alphaParams(
  alpha: number | null | readonly number[],
): { alpha: number | null } | { alpha_per_class: readonly number[] } {
  return typeof alpha === 'number' || alpha === null ? { alpha } : { alpha_per_class: alpha };
}

export function alphaText(alpha: number | null): string {
  return alpha === null ? 'none' : String(alpha);
}

export function captionOf(parts: Record<string, string>): string {
  return Object.entries(parts)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');
}

/** A group of identical samples (imbalance, prior): its per-sample losses, totals and shares. */
export function groupRow(g: GroupLoss): Row {
  return {
    class: g.group.y === 1 ? 'positive' : 'negative',
    count: g.group.count,
    p: g.sample.p,
    pt: g.sample.pt,
    alpha_t: g.sample.alphaT,
    modulating: g.sample.modulating,
    ce: g.sample.ce,
    fl: g.sample.fl,
    ratio: g.sample.ratio,
    ce_total: g.ceTotal,
    fl_total: g.flTotal,
    ce_share: g.ceShare,
    fl_share: g.flShare,
  };
}

export const GROUP_COLUMNS: readonly Column[] = [
  { key: 'class', label: 'class', kind: 'text' },
  { key: 'count', label: 'count', kind: 'count' },
  { key: 'p', label: 'p' },
  { key: 'pt', label: 'p_t' },
  { key: 'alpha_t', label: 'α_t' },
  { key: 'modulating', label: '(1−p_t)^γ' },
  { key: 'ce', label: 'CE each' },
  { key: 'fl', label: 'FL each' },
  { key: 'ratio', label: 'CE/FL', table: false },
  { key: 'ce_total', label: 'CE total' },
  { key: 'fl_total', label: 'FL total' },
  { key: 'ce_share', label: 'CE share' },
  { key: 'fl_share', label: 'FL share' },
];
