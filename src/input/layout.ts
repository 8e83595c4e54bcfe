import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { shownName, shownText } from './show.js';

/**
 * Which columns of a file hold the predictions and the labels: found by name in the header
 * (or the first NDJSON object), or chosen with --columns.
 */

export type BinaryKind = 'p' | 'logit' | 'pt';
export type VectorKind = 'probs' | 'logits';
export type ColumnRole = BinaryKind | VectorKind | 'y';

/** --columns role=name pairs; probs and logits take several names joined with '+'. */
export type ColumnSpec = Partial<Record<ColumnRole, string[]>>;

const ROLES: readonly ColumnRole[] = ['p', 'logit', 'pt', 'probs', 'logits', 'y'];
const LABEL_NAMES = ['y', 'label', 'target'];
/** Array files (.npy, .npz) are often named in the plural: targets.npy, labels.npy. */
const ARRAY_LABEL_NAMES = [...LABEL_NAMES, 'labels', 'targets'];

export interface Layout {
  kind: BinaryKind | VectorKind;
  /** column names in slot order: [prediction, label] or [class 0 … class K−1, target] */
  names: string[];
  /** number of classes for vectors, 2 for binary */
  classes: number;
}

/** Parses `p=score,y=label` or `logits=c0+c1+c2,y=cls` (commander option parser; given once, each role once). */
export function columnSpec(text: string): ColumnSpec {
  const spec: ColumnSpec = {};
  for (const pair of text.split(',')) {
    const [role, names] = pair.split('=').map((s) => s.trim()) as [string, string | undefined];
    const key = role === 'target' || role === 'label' ? 'y' : role;
    if (!ROLES.includes(key as ColumnRole) || !names) {
      throw new InvalidArgumentError(
        `"${pair}" is not role=column; roles are ${ROLES.join(', ')} (probs/logits take names joined with +), e.g. p=score,y=label.`,
      );
    }
    if (spec[key as ColumnRole])
      throw new InvalidArgumentError(`the role ${key} is given twice; give each role one column (list).`);
    spec[key as ColumnRole] = names.split('+').map((s) => s.trim());
  }
  return spec;
}

const VECTOR_PATTERNS: [VectorKind, RegExp][] = [
  ['probs', /^(?:p|prob|probs)_?(\d+)$/i],
  ['logits', /^(?:logit|logits)_?(\d+)$/i],
];

function classColumns(header: string[], pattern: RegExp): string[] {
  const found = header.map((name) => [name, pattern.exec(name)?.[1]] as const).filter(([, i]) => i !== undefined);
  const byIndex = new Map(found.map(([name, i]) => [Number(i), name]));
  const names: string[] = [];
  for (let k = 0; byIndex.has(k); k++) names.push(byIndex.get(k)!);
  return names.length >= 2 ? names : [];
}

/**
 * The layout from a header (or the array / column names of a binary file) and --columns.
 * @param arrays  names of whole columns that may each hold a vector (an .npz array of shape
 *                [N, K], a Parquet list): probs=NAME and logits=NAME then take one name, and a
 *                column named probs or logits is found by itself
 */
export function resolveLayout(
  header: string[],
  spec: ColumnSpec,
  source: string,
  { arrays = false }: { arrays?: boolean } = {},
): Layout {
  const has = (name: string) => header.includes(name);
  const shown = header.slice(0, 12).map(shownName).join(', ') + (header.length > 12 ? ', …' : '');
  const missing = (what: string) =>
    new UsageError(
      `${source}: no ${what} column among [${shown}]; name it with --columns (e.g. --columns p=score,y=label).`,
    );
  for (const [role, names] of Object.entries(spec)) {
    for (const n of names ?? [])
      if (!has(n))
        throw new UsageError(`${source}: option '--columns' ${role}=${n}: no column ${shownText(n)} among [${shown}].`);
  }
  const labels = (arrays ? ARRAY_LABEL_NAMES : LABEL_NAMES).filter(has);
  if (!spec.y && labels.length > 1) {
    throw new UsageError(`${source}: several label columns (${labels.join(', ')}); choose one with --columns y=NAME.`);
  }
  const label = spec.y?.[0] ?? labels[0];
  const explicit = (['p', 'logit', 'pt', 'probs', 'logits'] as const).filter((k) => spec[k]);
  if (explicit.length > 1)
    throw new UsageError(`option '--columns' names both ${explicit.join(' and ')}; choose one kind of prediction.`);
  let kind = explicit[0];
  let predictions = kind ? spec[kind]! : [];
  if (!kind) {
    const binary = (
      (arrays ? ['p', 'logit', 'pt', 'probs', 'logits'] : ['p', 'logit', 'pt']) as ('p' | 'logit' | 'pt' | VectorKind)[]
    ).filter(has);
    const vectors = VECTOR_PATTERNS.map(([k, re]) => [k, classColumns(header, re)] as const).filter(
      ([, names]) => names.length > 0,
    );
    const candidates = binary.length + vectors.length;
    if (candidates > 1) {
      throw new UsageError(
        `${source}: several prediction columns (${[...binary, ...vectors.map(([k]) => k)].join(', ')}); choose one with --columns, e.g. --columns p=${binary[0] ?? 'p'}.`,
      );
    }
    if (binary.length === 1) {
      kind = binary[0]!;
      predictions = [kind];
    } else if (vectors.length === 1) {
      [kind, predictions] = [vectors[0]![0], [...vectors[0]![1]]];
    } else throw missing('prediction (p, logit, pt, or p_0, p_1, … / logit_0, logit_1, …)');
  }
  if (!label)
    throw missing(kind === 'probs' || kind === 'logits' ? 'target (target, y or label)' : 'label (y, label or target)');
  // arrays: one column of any width, or scalar columns joined with + (checked against the data)
  if (!arrays && (kind === 'probs' || kind === 'logits') && predictions.length < 2) {
    throw new UsageError(
      `option '--columns' ${kind} needs at least 2 class columns joined with +, e.g. ${kind}=c0+c1+c2.`,
    );
  }
  if (!arrays && !(kind === 'probs' || kind === 'logits') && predictions.length !== 1) {
    throw new UsageError(`option '--columns' ${kind} takes one column.`);
  }
  const names = [...predictions, label];
  const reused = names.find((n, i) => names.indexOf(n) !== i);
  if (reused !== undefined)
    throw new UsageError(
      `option '--columns' names column ${shownText(reused)} for two roles; each role takes a column of its own.`,
    );
  const repeated = names.find((n) => header.indexOf(n) !== header.lastIndexOf(n));
  if (repeated !== undefined)
    throw new UsageError(
      `${source}: the header names column ${shownName(repeated)} ${header.filter((h) => h === repeated).length} times; which one is meant is ambiguous (rename one).`,
    );
  return {
    kind,
    names,
    classes: kind === 'probs' || kind === 'logits' || predictions.length > 1 ? predictions.length : 2,
  };
}
