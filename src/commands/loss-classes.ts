import type { ClassKey, Reduction } from '../core/index.js';
import type { Cell, Column, Row, SummaryItem } from '../output/index.js';
import { totalsCollector, type TotalsResult, type TotalsState } from '../pipeline/collect/totals.js';
import { LOSS_LABELS, lossKey, type Family } from './family.js';

/**
 * The summary of a `loss` run, the same whatever the source (command line, text, binary
 * files, merged --partial files): reduced values and totals, then each class's count, total CE
 * and FL and its share of each, as flat keys so that every format (CSV included) carries them:
 * negative_count, negative_ce_share, …, class_2_fl_total. Everything comes from the totals
 * collector's state, so equal states give equal reports, bit for bit.
 */

/** binary: one prediction and label per sample; softmax: a vector and a class index; sigmoid: a vector of one-vs-rest scores. */
export type SampleShape = 'binary' | 'softmax' | 'sigmoid';

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

const POSITIVES_COLUMN: Column = { key: 'positives', label: 'positives', kind: 'count' };

export function classColumns(shape: SampleShape): readonly Column[] {
  return shape === 'sigmoid'
    ? [...CLASS_COLUMNS.slice(0, 2), POSITIVES_COLUMN, ...CLASS_COLUMNS.slice(2)]
    : CLASS_COLUMNS;
}

export function classRows(result: TotalsResult, shape: SampleShape): Row[] {
  return result.classes.map((c) => ({
    class: className(c.key, shape === 'binary'),
    count: c.count,
    ...(shape === 'sigmoid' ? { positives: c.positives } : {}),
    ce_total: c.ceTotal,
    fl_total: c.flTotal,
    ce_share: c.ceShare,
    fl_share: c.flShare,
  }));
}

/** The further losses of the focal family (--loss): their totals, in family.extras order. */
export interface VariantTotals {
  family: Family;
  sums: readonly number[];
}

/** What a reduction divides a total by: the elements, max(1, positives) (RetinaNet), or 1. */
function divisor(result: TotalsResult, reduction: Reduction): number {
  return reduction === 'mean' ? result.elements : reduction === 'positives' ? Math.max(1, result.positives) : 1;
}

/** @param fromInput  samples read from an input, whose rows may have been skipped (the `skipped` key) */
export function lossSummary(
  result: TotalsResult,
  reduction: Reduction,
  shape: SampleShape,
  variants?: VariantTotals,
  fromInput = true,
): Record<string, Cell> {
  const reduce = (r: TotalsResult['ce']): number | null =>
    reduction === 'mean' ? r.mean : reduction === 'sum' ? r.sum : reduction === 'positives' ? r.positives : null;
  const variantCells: Record<string, Cell> = {};
  variants?.family.extras.forEach((name, k) => {
    variantCells[lossKey(name)] = reduction === 'none' ? null : variants.sums[k]! / divisor(result, reduction);
    variantCells[`${lossKey(name)}_sum`] = variants.sums[k]!;
  });
  const n = result.elements;
  const summary: Record<string, Cell> = {
    reduction,
    n,
    ...(shape !== 'softmax' ? { positives: result.positives } : {}),
    ...(shape === 'sigmoid' ? { rows: result.rows, ignored: result.ignored } : {}),
    ce: reduce(result.ce),
    fl: reduce(result.fl),
    ce_sum: result.ce.sum,
    fl_sum: result.fl.sum,
    ce_mean: result.ce.mean,
    fl_mean: result.fl.mean,
    ...variantCells,
    ...(fromInput ? { skipped: result.skipped } : {}),
  };
  for (const row of classRows(result, shape)) {
    for (const key of ['count', 'positives', 'ce_total', 'fl_total', 'ce_share', 'fl_share'])
      if (key in row) summary[`${row.class}_${key}`] = row[key]!;
  }
  return summary;
}

export function summaryItems(shape: SampleShape, family?: Family): SummaryItem[] {
  const variants = (family?.extras ?? []).flatMap((name) => [
    { key: `${lossKey(name)}_sum`, label: `${LOSS_LABELS[name]} sum` },
    { key: lossKey(name), label: `${LOSS_LABELS[name]} reduced` },
  ]);
  return [
    { key: 'n', label: shape === 'sigmoid' ? 'elements (rows × classes)' : 'samples', kind: 'count' },
    ...(shape === 'sigmoid'
      ? [
          { key: 'rows', label: 'rows', kind: 'count' as const },
          { key: 'ignored', label: 'rows ignored (ignore label)', kind: 'count' as const },
        ]
      : []),
    ...(shape !== 'softmax'
      ? [
          {
            key: 'positives',
            label: shape === 'sigmoid' ? 'positive elements (target 1)' : 'positives (y = 1)',
            kind: 'count' as const,
          },
        ]
      : []),
    { key: 'skipped', label: 'invalid rows skipped', kind: 'count' },
    { key: 'ce_sum', label: 'CE sum' },
    { key: 'fl_sum', label: 'FL sum' },
    { key: 'ce', label: 'CE reduced' },
    { key: 'fl', label: 'FL reduced' },
    ...variants,
  ];
}

/** The parts of a loss report that come from the totals: the summary and the table by class. */
export function totalsReport(
  state: () => TotalsState,
  reduction: Reduction,
  shape: SampleShape,
  {
    family,
    variantSums = () => [],
    fromInput = true,
  }: { family?: Family; variantSums?: () => readonly number[]; fromInput?: boolean } = {},
) {
  return {
    summary: () =>
      lossSummary(
        totalsCollector.finish(state()),
        reduction,
        shape,
        family && { family, sums: variantSums() },
        fromInput,
      ),
    summaryItems: summaryItems(shape, family),
    summaryIsTheRecord: reduction !== 'none',
    sections: () => [
      { caption: 'by class', columns: classColumns(shape), rows: classRows(totalsCollector.finish(state()), shape) },
    ],
  };
}
