/**
 * --partial files: the collectors' states of one shard as versioned JSON (docs/partial-format.md),
 * and their merge. A merge checks that every file was made with the same parameters, then
 * merges each collector's states — exactly, so the result is the one a single run over all the
 * shards' data would give, bit for bit.
 */
import { UsageError } from '../errors.js';
import type { Collector } from './collect/collector.js';

export const PARTIAL_FORMAT = 'focal-partial';
export const PARTIAL_VERSION = 1;

/** Parameters that must agree between shards: plain JSON values (numbers, strings, null, arrays, objects). */
export type PartialParams = Record<string, unknown>;

export interface PartialFile {
  format: typeof PARTIAL_FORMAT;
  version: typeof PARTIAL_VERSION;
  /** the command and every parameter its result depends on; compared on merge */
  params: PartialParams;
  /** each collector's state by its kind, with the version of that state's layout */
  collectors: Record<string, { version: number; state: unknown }>;
  /** where the shard's data came from; informational, not compared */
  source?: { inputs: string[]; rows: number; skipped?: number };
}

// JSON has no Infinity or NaN: they are written as the strings "Infinity", "-Infinity", "NaN".
const NON_FINITE = new Set(['Infinity', '-Infinity', 'NaN']);

/** A partial file's text. */
export function serializePartial(partial: PartialFile): string {
  return `${JSON.stringify(partial, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1)}\n`;
}

/** A partial file from its text: its format and version checked. */
export function parsePartial(text: string, name: string): PartialFile {
  let data: unknown;
  try {
    data = JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' && NON_FINITE.has(v) ? Number(v) : v));
  } catch {
    // the parser's message quotes the file's text: not echoed
    throw new UsageError(`${name}: not a focal partial file (not valid JSON)`);
  }
  const p = data as Partial<PartialFile> | null;
  if (typeof p !== 'object' || p === null || p.format !== PARTIAL_FORMAT)
    throw new UsageError(`${name}: not a focal partial file (no "format": "${PARTIAL_FORMAT}")`);
  if (p.version !== PARTIAL_VERSION)
    throw new UsageError(
      `${name}: partial file version ${String(p.version)}; this focal reads version ${PARTIAL_VERSION}`,
    );
  if (typeof p.params !== 'object' || p.params === null || typeof p.collectors !== 'object' || p.collectors === null)
    throw new UsageError(`${name}: partial file without "params" or "collectors"`);
  return p as PartialFile;
}

/** A partial file for the given states. */
export function makePartial(
  params: PartialParams,
  states: ReadonlyArray<readonly [Collector<unknown, never, unknown>, unknown]>,
  source?: PartialFile['source'],
): PartialFile {
  const collectors: PartialFile['collectors'] = {};
  for (const [collector, state] of states) collectors[collector.kind] = { version: collector.version, state };
  return { format: PARTIAL_FORMAT, version: PARTIAL_VERSION, params, collectors, ...(source ? { source } : {}) };
}

/** Keys sorted at every level: two equal values give the same text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return typeof v === 'number' && !Number.isFinite(v) ? JSON.stringify(String(v)) : (JSON.stringify(v) ?? 'null');
}

/** The first parameter on which two sets disagree, or null. */
export function paramDifference(a: PartialParams, b: PartialParams): { key: string; a: string; b: string } | null {
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = key in a ? canonical(a[key]) : '(absent)';
    const y = key in b ? canonical(b[key]) : '(absent)';
    if (x !== y) return { key, a: x, b: y };
  }
  return null;
}

/**
 * Merges partial files (in the order given, though the order does not change the result).
 * @param collectors  the collectors the files may hold, by kind
 * @returns the shared parameters and each collector's merged state
 */
export function mergePartials(
  files: ReadonlyArray<{ name: string; partial: PartialFile }>,
  collectors: ReadonlyArray<Collector<unknown, never, unknown>>,
): { params: PartialParams; states: Map<string, unknown> } {
  if (files.length === 0) throw new UsageError('merge: no partial files given');
  const first = files[0]!;
  const kinds = Object.keys(first.partial.collectors).sort();
  const states = new Map<string, unknown>();
  for (const kind of kinds) {
    const collector = collectors.find((c) => c.kind === kind);
    if (!collector) throw new UsageError(`${first.name}: unknown collector '${kind}'`);
    states.set(kind, collector.create());
  }
  for (const { name, partial } of files) {
    const diff = paramDifference(first.partial.params, partial.params);
    if (diff)
      throw new UsageError(
        `${name} was made with ${diff.key} = ${diff.b}, ${first.name} with ${diff.key} = ${diff.a}: partial results merge only when every parameter agrees`,
      );
    const theirs = Object.keys(partial.collectors).sort();
    if (theirs.join() !== kinds.join())
      throw new UsageError(
        `${name} holds ${theirs.join(', ') || 'nothing'}, ${first.name} holds ${kinds.join(', ')}: they come from different commands`,
      );
    for (const kind of kinds) {
      const collector = collectors.find((c) => c.kind === kind)!;
      const entry = partial.collectors[kind]!;
      if (entry.version !== collector.version)
        throw new UsageError(
          `${name}: '${kind}' state version ${entry.version}; this focal reads version ${collector.version}`,
        );
      collector.merge(states.get(kind), entry.state);
    }
  }
  return { params: first.partial.params, states };
}
