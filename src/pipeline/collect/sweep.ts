/**
 * The (γ, α) grid of `focal sweep` in one pass. For each γ and class it keeps exact α-free
 * sums (see core/sweep.ts): L = (1 − p_t)^γ·CE and G = (1 − p_t)^γ·(1 − p_t + γ·p_t·CE) (the
 * gradient magnitude |dFL/dx| with respect to the true class's logit, before α), their parts
 * over the easy samples (p_t > 0.5), and Σ L² for the concentration. Every α is a weighted
 * combination of these sums in `finish`: the work per row is O(number of γ), never × the
 * number of α values. Exact sums make merge give the bits of one pass, however the rows were
 * split.
 */
import {
  balancingAlpha,
  binaryTermsInto,
  complementPower,
  concentration,
  emptyTerms,
  equalisingAlphas,
  evaluateCategorical,
  ExactSum,
  exactLinearCombination,
  shareOf,
  type ExactSumState,
} from '../../core/index.js';
import { UsageError } from '../../errors.js';
import type { Collector } from './collector.js';
import { isMulticlass, requireHardLabel, type PredictionBatch } from './predictions.js';

/**
 * The α-free sums of one class at one γ. The easy (p_t > 0.5) and hard samples' sums are kept
 * apart and added exactly when needed: one exact add per sample for each of L and G, not two.
 */
interface GammaSums {
  count: number;
  easyCount: number;
  easyLoss: ExactSumState;
  hardLoss: ExactSumState;
  easyGrad: ExactSumState;
  hardGrad: ExactSumState;
  lossSquares: ExactSumState;
}

export interface SweepState {
  gammas: number[];
  /** null until the first batch; then whether the input was multiclass */
  multiclass: boolean | null;
  rows: number;
  /** by class (label or target index): one GammaSums per γ, in the order of `gammas` */
  classes: Record<string, GammaSums[]>;
}

const SUMS = ['easyLoss', 'hardLoss', 'easyGrad', 'hardGrad', 'lossSquares'] as const;
type Live = { sums: GammaSums; exact: Record<(typeof SUMS)[number], ExactSum> }[];

const empty = (): ExactSumState => ({ partials: [], nonFinite: 0 });
const emptySums = (): GammaSums => ({
  count: 0,
  easyCount: 0,
  easyLoss: empty(),
  hardLoss: empty(),
  easyGrad: empty(),
  hardGrad: empty(),
  lossSquares: empty(),
});

/** The exact sums that make up a total: a loss or gradient sum is its easy part plus its hard part. */
const PARTS = {
  loss: ['easyLoss', 'hardLoss'],
  grad: ['easyGrad', 'hardGrad'],
  easyLoss: ['easyLoss'],
  easyGrad: ['easyGrad'],
  lossSquares: ['lossSquares'],
} as const;
type Total = keyof typeof PARTS;

/** A class's unweighted total, correctly rounded from its exact parts. */
function totalOf(s: GammaSums, name: Total): number {
  const [first, ...rest] = PARTS[name];
  const sum = ExactSum.from(s[first]);
  for (const part of rest) sum.merge(s[part]);
  return sum.value;
}

function live(sums: GammaSums[]): Live {
  // an object literal (one hidden class) rather than Object.fromEntries: this is the innermost loop's object
  return sums.map((s) => ({
    sums: s,
    exact: {
      easyLoss: ExactSum.from(s.easyLoss),
      hardLoss: ExactSum.from(s.hardLoss),
      easyGrad: ExactSum.from(s.easyGrad),
      hardGrad: ExactSum.from(s.hardGrad),
      lossSquares: ExactSum.from(s.lossSquares),
    },
  }));
}

function store(l: Live): void {
  for (const { sums, exact } of l) for (const k of SUMS) sums[k] = exact[k].state();
}

function take(l: Live[number], easy: boolean, loss: number, grad: number): void {
  l.sums.count++;
  l.exact.lossSquares.add(loss * loss);
  if (easy) {
    l.sums.easyCount++;
    l.exact.easyLoss.add(loss);
    l.exact.easyGrad.add(grad);
  } else {
    l.exact.hardLoss.add(loss);
    l.exact.hardGrad.add(grad);
  }
}

/** One class's numbers at one (γ, α). */
export interface SweepClass {
  key: number;
  count: number;
  flTotal: number;
  flShare: number | null;
  gradTotal: number;
  gradShare: number | null;
  /** this class's easy samples' share of the total FL */
  easyFlShare: number | null;
  /** (Σl)²/(nΣl²) within the class (α cancels within a class) */
  concentration: number | null;
}

export interface SweepPoint {
  gamma: number;
  /** null: unweighted (α_t = 1) */
  alpha: number | null;
  flTotal: number;
  gradTotal: number;
  easyFlShare: number | null;
  easyGradShare: number | null;
  concentration: number | null;
  classes: SweepClass[];
}

export interface SweepGammaResult {
  gamma: number;
  /** binary: α giving the positive class half the FL, and half the gradient mass */
  alphaLoss: number | null;
  alphaGrad: number | null;
  /** per-class α (summing to 1) equalising the classes' FL, and their gradient mass */
  alphaVectorLoss: number[] | null;
  alphaVectorGrad: number[] | null;
  /** the α-free totals Σ(1 − p_t)^γ·CE and Σ G per class (in the order of classKeys): class c's FL at α is α_c times its total */
  lossTotals: number[];
  gradTotals: number[];
}

export interface SweepResult {
  rows: number;
  multiclass: boolean;
  classKeys: number[];
  points: SweepPoint[];
  perGamma: SweepGammaResult[];
}

/** Grid parameters: the γ values (in the state) and the α values (applied in finish only). */
export function sweepCollector(
  gammas: readonly number[],
  alphas: readonly (number | null)[],
): Collector<SweepState, PredictionBatch, SweepResult> {
  // one BinaryTerms per sample of a batch, reused from batch to batch
  const pool = [] as ReturnType<typeof emptyTerms>[];
  return {
    kind: 'sweep',
    version: 2,

    create: () => ({ gammas: [...gammas], multiclass: null, rows: 0, classes: {} }),

    add(state, batch) {
      const multiclass = isMulticlass(batch.kind);
      state.multiclass ??= multiclass;
      state.rows += batch.count;
      const g = state.gammas;
      const lives = new Map<number, Live>();
      const liveOf = (key: number): Live => {
        let l = lives.get(key);
        if (!l) lives.set(key, (l = live((state.classes[String(key)] ??= g.map(emptySums)))));
        return l;
      };
      if (!multiclass) {
        // the terms of every sample once, then γ by γ over the batch: one modulating factor and
        // three exact adds per sample and γ
        const kind = batch.kind as 'p' | 'logit' | 'pt';
        while (pool.length < batch.count) pool.push(emptyTerms());
        const classes: Live[] = [];
        for (let i = 0; i < batch.count; i++) {
          requireHardLabel(batch, i, 'sweep');
          binaryTermsInto(pool[i]!, kind, batch.values[i]!, batch.labels[i]!);
          classes.push(liveOf(batch.labels[i]!));
        }
        for (let k = 0; k < g.length; k++) {
          const gamma = g[k]!;
          for (let i = 0; i < batch.count; i++) {
            const view = pool[i]!;
            // the very expressions of binaryLossInto and the hard-label gradient with α_t = 1: the same bits
            const m = complementPower(view, gamma);
            const loss = m * view.ce;
            const grad = m === 0 ? 0 : m * (view.q + (view.pt === 0 ? 0 : gamma * view.pt * view.ce));
            take(classes[i]![k]!, view.pt > 0.5, loss, grad);
          }
        }
      } else
        for (let i = 0; i < batch.count; i++) {
          requireHardLabel(batch, i, 'sweep');
          const y = batch.labels[i]!;
          const l = liveOf(y);
          const w = batch.width;
          const vector = batch.values.subarray(i * w, (i + 1) * w);
          // for probabilities, 1 − p_t summed from the other entries as the core does (no cancellation)
          let q = NaN;
          if (batch.kind === 'probs') {
            let others = 0;
            for (let j = 0; j < w; j++) if (j !== y) others += vector[j]!;
            q = others / (others + vector[y]!);
          }
          for (let k = 0; k < g.length; k++) {
            const gamma = g[k]!;
            const e = evaluateCategorical(batch.kind as 'probs' | 'logits', vector, y, { gamma, alpha: null });
            const m = e.modulating;
            const grad = e.grad ? -e.grad[y]! : m === 0 ? 0 : m * (q + (e.pt === 0 ? 0 : gamma * e.pt * e.ce));
            take(l[k]!, e.pt > 0.5, e.fl, grad);
          }
        }
      for (const l of lives.values()) store(l);
    },

    merge(into, other) {
      if (into.gammas.join() !== other.gammas.join())
        throw new UsageError(
          `sweep states of different γ grids (${into.gammas.join(',')} and ${other.gammas.join(',')}) do not merge`,
        );
      if (into.multiclass !== null && other.multiclass !== null && into.multiclass !== other.multiclass)
        throw new UsageError('a binary and a multiclass sweep state do not merge');
      into.multiclass ??= other.multiclass;
      into.rows += other.rows;
      for (const [key, sums] of Object.entries(other.classes)) {
        const mine = (into.classes[key] ??= into.gammas.map(emptySums));
        sums.forEach((o, k) => {
          const s = mine[k]!;
          s.count += o.count;
          s.easyCount += o.easyCount;
          for (const name of SUMS) {
            const e = ExactSum.from(s[name]);
            e.merge(o[name]);
            s[name] = e.state();
          }
        });
      }
    },

    finish(state) {
      const multiclass = state.multiclass ?? false;
      const keys = Object.keys(state.classes)
        .map(Number)
        .sort((a, b) => a - b);
      // binary: both classes always appear (a missing one has zero sums)
      if (!multiclass) for (const k of [0, 1]) if (!keys.includes(k)) keys.splice(k, 0, k);
      const sumsOf = (key: number, k: number): GammaSums => state.classes[String(key)]?.[k] ?? emptySums();
      const points: SweepPoint[] = [];
      const perGamma: SweepGammaResult[] = [];
      state.gammas.forEach((gamma, k) => {
        const sums = keys.map((key) => sumsOf(key, k));
        const n = sums.reduce((a, s) => a + s.count, 0);
        // binary: α weights the positive class, 1 − α the negative; multiclass: one α scales all classes alike
        for (const alpha of multiclass ? [null] : alphas) {
          const weight = (key: number) => (alpha === null ? 1 : key === 1 ? alpha : 1 - alpha);
          const total = (name: Total, square = false) =>
            exactLinearCombination(
              sums.flatMap((s, c) =>
                PARTS[name].map((part) => [square ? weight(keys[c]!) ** 2 : weight(keys[c]!), s[part]] as const),
              ),
            );
          const flTotal = total('loss');
          const gradTotal = total('grad');
          points.push({
            gamma,
            alpha,
            flTotal,
            gradTotal,
            easyFlShare: shareOf(total('easyLoss'), flTotal),
            easyGradShare: shareOf(total('easyGrad'), gradTotal),
            concentration: concentration(flTotal, total('lossSquares', true), n),
            classes: sums.map((s, c) => {
              const w = weight(keys[c]!);
              const fl = exactLinearCombination(PARTS.loss.map((part) => [w, s[part]] as const));
              const grad = exactLinearCombination(PARTS.grad.map((part) => [w, s[part]] as const));
              return {
                key: keys[c]!,
                count: s.count,
                flTotal: fl,
                flShare: shareOf(fl, flTotal),
                gradTotal: grad,
                gradShare: shareOf(grad, gradTotal),
                easyFlShare: shareOf(exactLinearCombination([[w, s.easyLoss]]), flTotal),
                concentration: concentration(totalOf(s, 'loss'), totalOf(s, 'lossSquares'), s.count),
              };
            }),
          });
        }
        const loss = sums.map((s) => totalOf(s, 'loss'));
        const grad = sums.map((s) => totalOf(s, 'grad'));
        const unweighted = (name: 'loss' | 'grad') =>
          exactLinearCombination(sums.flatMap((s) => PARTS[name].map((part) => [1, s[part]] as const)));
        perGamma.push({
          gamma,
          alphaLoss: multiclass ? null : balancingAlpha(loss[0]!, loss[1]!, unweighted('loss')),
          alphaGrad: multiclass ? null : balancingAlpha(grad[0]!, grad[1]!, unweighted('grad')),
          alphaVectorLoss: equalisingAlphas(loss),
          alphaVectorGrad: equalisingAlphas(grad),
          lossTotals: loss,
          gradTotals: grad,
        });
      });
      return { rows: state.rows, multiclass, classKeys: keys, points, perGamma };
    },
  };
}
