import type { ClassKey, LossAccumulator, Reduction } from '../core/index.js';
import type { Cell, Column, Row, SummaryItem } from '../output/index.js';
import { LOSS_LABELS, lossKey, type Family } from './family.js';

/**
 * The summary of a `loss` run, the same whatever the source: reduced values and totals, then
 * each class's count, total CE and FL and its share of each, as flat keys so that every
 * format (CSV included) carries them: negative_count, negative_ce_share, …, class_2_fl_total.
 */

export function className(key: ClassKey, binary: boolean): string {
  if (key === 'soft') return 'soft';
  return binary ? (key === 1 ? 'positive' : 'negative') : `class_${key}`;
}

export const CLASS_COLUMNS: readonly Column[] = [
  { key: 'class', label: 'class', kind: 'text' },
  { key: 'count', label: 'count', kind: 'count' },
  { key: 'ce_total', label: 'CE total' },
  { key: 'fl_total', label: 'FL total' },
  { key: 'ce_share', label: 'CE share' },
  { key: 'fl_share', label: 'FL share' },
];

export function classRows(acc: LossAccumulator, binary: boolean): Row[] {
  return acc.byClass().map((c) => ({
    class: className(c.key, binary),
    count: c.count,
    ce_total: c.ceTotal,
    fl_total: c.flTotal,
    ce_share: c.ceShare,
    fl_share: c.flShare,
  }));
}

export function lossSummary(acc: LossAccumulator, reduction: Reduction, binary: boolean, extra: Record<string, Cell> = {}, family?: Family): Record<string, Cell> {
  const reduced = acc.reduce(reduction);
  const variantSums = acc.extraSums();
  const variants: Record<string, Cell> = {};
  family?.extras.forEach((name, k) => {
    variants[lossKey(name)] = reduction === 'none' ? null : variantSums[k]! / acc.divisor(reduction);
    variants[`${lossKey(name)}_sum`] = variantSums[k]!;
  });
  const summary: Record<string, Cell> = {
    reduction: reduced.reduction,
    n: reduced.n,
    ...(binary ? { positives: reduced.positives } : {}),
    ce: reduced.ce,
    fl: reduced.fl,
    ce_sum: reduced.ce_sum,
    fl_sum: reduced.fl_sum,
    ce_mean: reduced.n > 0 ? reduced.ce_sum / reduced.n : null,
    fl_mean: reduced.n > 0 ? reduced.fl_sum / reduced.n : null,
    ...variants,
    ...extra,
  };
  for (const row of classRows(acc, binary)) {
    for (const key of ['count', 'ce_total', 'fl_total', 'ce_share', 'fl_share']) summary[`${row.class}_${key}`] = row[key]!;
  }
  return summary;
}

export function summaryItems(binary: boolean, family?: Family): SummaryItem[] {
  const variants = (family?.extras ?? []).flatMap((name) => [
    { key: `${lossKey(name)}_sum`, label: `${LOSS_LABELS[name]} sum` },
    { key: lossKey(name), label: `${LOSS_LABELS[name]} reduced` },
  ]);
  return [
    { key: 'n', label: 'samples', kind: 'count' },
    ...(binary ? [{ key: 'positives', label: 'positives (y = 1)', kind: 'count' as const }] : []),
    { key: 'skipped', label: 'invalid rows skipped', kind: 'count' },
    { key: 'ce_sum', label: 'CE sum' },
    { key: 'fl_sum', label: 'FL sum' },
    { key: 'ce', label: 'CE reduced' },
    { key: 'fl', label: 'FL reduced' },
    ...variants,
  ];
}
