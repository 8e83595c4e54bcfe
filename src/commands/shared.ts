import type { Command } from 'commander';
import type { Report } from '../output/index.js';
import type { OutputOptionValues } from '../cli/options.js';
import { UsageError } from '../cli/errors.js';
import type { BinaryEvaluation } from '../core/index.js';
import type { Column, Row } from '../output/index.js';

/** What a command needs from the program: a way to hand its report to the output layer. */
export interface CommandContext {
  emit(report: Report, output: OutputOptionValues): Promise<void>;
  /** standard input, when there is one (null in tests that give none) */
  stdin(): (NodeJS.ReadableStream & { isTTY?: boolean }) | null;
  /** for messages and progress: never data */
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
}

export type Register = (program: Command, ctx: CommandContext) => void;

/** Exactly one of the named options must be present. */
export function exactlyOne<K extends string>(opts: Partial<Record<K, unknown>>, names: readonly K[], flags: readonly string[], command: string): K {
  const given = names.filter((n) => opts[n] !== undefined);
  if (given.length === 1) return given[0]!;
  if (given.length === 0) throw new UsageError(`${command} needs predictions: give one of ${flags.join(', ')}.`);
  throw new UsageError(`${command} takes one kind of prediction, but got ${given.map((n) => flags[names.indexOf(n)]).join(' and ')}; give only one.`);
}

/** The columns of one evaluated binary sample, shared by compare and loss. */
export function binaryColumns(opts: { logit: boolean; grad: boolean; gamma?: boolean; alpha?: boolean }): Column[] {
  const cols: Column[] = [];
  if (opts.logit) cols.push({ key: 'logit', label: 'logit' });
  cols.push({ key: 'p', label: 'p' }, { key: 'y', label: 'y' }, { key: 'pt', label: 'p_t' });
  cols.push({ key: 'gamma', label: 'γ', table: opts.gamma ?? false }, { key: 'alpha', label: 'α', table: opts.alpha ?? false });
  cols.push(
    { key: 'alpha_t', label: 'α_t' },
    { key: 'modulating', label: '(1−p_t)^γ' },
    { key: 'ce', label: 'CE' },
    { key: 'fl', label: 'FL' },
    { key: 'ratio', label: 'CE/FL' },
  );
  if (opts.grad) cols.push({ key: 'grad', label: 'dFL/dx' }, { key: 'grad_ce', label: 'dCE/dx' });
  return cols;
}

export function binaryRow(r: BinaryEvaluation, extra: { logit?: number; gamma: number; alpha: number | null; grad: boolean }): Row {
  const row: Record<string, number | null> = {};
  if (extra.logit !== undefined) row.logit = extra.logit;
  Object.assign(row, {
    p: r.p,
    y: r.y,
    pt: r.pt,
    gamma: extra.gamma,
    alpha: extra.alpha,
    alpha_t: r.alphaT,
    modulating: r.modulating,
    ce: r.ce,
    fl: r.fl,
    ratio: r.ratio,
  });
  if (extra.grad) Object.assign(row, { grad: r.grad, grad_ce: r.gradCe });
  return row;
}

export function alphaText(alpha: number | null): string {
  return alpha === null ? 'none' : String(alpha);
}

export function captionOf(parts: Record<string, string>): string {
  return Object.entries(parts)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');
}
