import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompensatedSum, ExactSum } from '../../src/core/index.js';
import { UsageError } from '../../src/errors.js';
import type { ColumnBatch } from '../../src/pipeline/columns.js';
import { totalsCollector, type TotalsState } from '../../src/pipeline/collect/totals.js';
import { alignArrays } from '../../src/pipeline/decode/align.js';
import { decodeNpy } from '../../src/pipeline/decode/npy.js';
import { evaluateBatch, type EvaluationParams } from '../../src/pipeline/evaluate.js';
import { layoutBatch, type Layout } from '../../src/pipeline/layout.js';
import { makePartial, mergePartials, parsePartial, serializePartial } from '../../src/pipeline/state.js';
import { formatFixture } from '../helpers/formats.js';
import { mulberry32 as rng } from '../helpers/seeded.js';

const PARAMS: EvaluationParams = { gamma: 2, alpha: 0.25 };

function totalsOf(batches: Iterable<ColumnBatch>, layout: Layout, params = PARAMS): TotalsState {
  const state = totalsCollector.create();
  for (const b of batches) totalsCollector.add(state, evaluateBatch(layoutBatch(layout, b, 'test'), params));
  return state;
}

describe('ExactSum: the correctly rounded sum, whatever the order', () => {
  it('cases whose exact sums are known', () => {
    const sum = (xs: number[]) => {
      const s = new ExactSum();
      xs.forEach((x) => s.add(x));
      return s.value;
    };
    expect(sum([1, 1e100, 1, -1e100])).toBe(2);
    expect(sum(Array(10).fill(0.1))).toBe(1); // a plain sum gives 0.9999999999999999
    expect(sum([0.1, 0.2, -0.3])).toBe(2.7755575615628914e-17);
    // a tie broken by a tiny third term: 1 + 2^-53 + 2^-106 rounds up
    expect(sum([1, 2 ** -53, 2 ** -106])).toBe(1 + 2 ** -52);
    expect(sum([1, 2 ** -53])).toBe(1); // the tie alone goes to even
    expect(sum([1e308, 1e308])).toBe(Infinity);
    expect(sum([Infinity, 1])).toBe(Infinity);
    expect(sum([Infinity, -Infinity])).toBeNaN();
    expect(sum([])).toBe(0);
  });
  it('why not CompensatedSum: it is not correctly rounded, so nothing ties its bits to the order', () => {
    const c = new CompensatedSum();
    const e = new ExactSum();
    for (const x of [1, 2 ** -53, 2 ** -106]) (c.add(x), e.add(x));
    expect(c.value).toBe(1);
    expect(e.value).toBe(1 + 2 ** -52);
  });
  it('random splits and merge orders give the bits of one pass', () => {
    const u = rng(7);
    const xs = Array.from({ length: 2000 }, () => (u() - 0.3) * 10 ** Math.floor(u() * 40 - 20));
    const one = new ExactSum();
    xs.forEach((x) => one.add(x));
    for (let trial = 0; trial < 50; trial++) {
      const parts: ExactSum[] = [];
      for (let i = 0; i < xs.length;) {
        const n = 1 + Math.floor(u() * 300);
        const s = new ExactSum();
        xs.slice(i, i + n).forEach((x) => s.add(x));
        parts.push(s);
        i += n;
      }
      const order = parts.map((_, k) => k).sort(() => u() - 0.5);
      const merged = new ExactSum();
      for (const k of order) {
        merged.merge(ExactSum.from(JSON.parse(JSON.stringify(parts[k]!.state()))));
      }
      expect(merged.value).toBe(one.value);
    }
  });
});

describe('the totals collector under random sharding', () => {
  const u = rng(20240909);
  const n = 5000;
  // logits over a wide range, labels hard and soft: terms from 1e-40 to 1e2
  const logit = Float64Array.from({ length: n }, () => (u() - 0.5) * 2 * 10 ** (u() * 2.3));
  const y = Float64Array.from({ length: n }, () => (u() < 0.1 ? Math.round(u() * 100) / 100 : u() < 0.25 ? 1 : 0));
  const layout: Layout = { shape: 'binary', input: 'logit', prediction: 'x', label: 'y' };
  const batch = (a: number, b: number): ColumnBatch => ({
    rowStart: a,
    rows: b - a,
    columns: {
      x: { dtype: 'float64', width: 1, values: logit.subarray(a, b) },
      y: { dtype: 'float64', width: 1, values: y.subarray(a, b) },
    },
  });
  const onePass = totalsCollector.finish(totalsOf([batch(0, n)], layout));

  it('one pass: counts by class, soft labels apart', () => {
    expect(onePass.elements).toBe(n);
    expect(onePass.classes.map((c) => c.key)).toEqual([0, 1, 'soft']);
    expect(onePass.classes.reduce((s, c) => s + c.count, 0)).toBe(n);
    expect(onePass.positives).toBe(onePass.classes.find((c) => c.key === 1)!.count);
  });

  it('20 random shardings, through partial files, merged in random order: the same result bit for bit', () => {
    for (let trial = 0; trial < 20; trial++) {
      const cuts = [
        0,
        ...Array.from({ length: 1 + Math.floor(u() * 8) }, () => Math.floor(u() * n)).sort((a, b) => a - b),
        n,
      ];
      const files = cuts.slice(1).map((end, k) => {
        // each shard in batches of random sizes, as a decoder would cut it
        const batches: ColumnBatch[] = [];
        for (let a = cuts[k]!; a < end;) {
          const b = Math.min(end, a + 1 + Math.floor(u() * 700));
          batches.push(batch(a, b));
          a = b;
        }
        const text = serializePartial(
          makePartial({ command: 'loss', gamma: 2, alpha: 0.25 }, [[totalsCollector, totalsOf(batches, layout)]]),
        );
        return { name: `shard${k}.json`, partial: parsePartial(text, `shard${k}.json`) };
      });
      files.sort(() => u() - 0.5);
      const { states } = mergePartials(files, [totalsCollector]);
      expect(totalsCollector.finish(states.get('totals') as TotalsState)).toEqual(onePass);
    }
  });

  it('merge refuses shards made with other parameters, other collectors or another version', () => {
    const state = totalsOf([batch(0, 10)], layout);
    const a = { name: 'a.json', partial: makePartial({ gamma: 2, alpha: 0.25 }, [[totalsCollector, state]]) };
    const b = { name: 'b.json', partial: makePartial({ gamma: 1.5, alpha: 0.25 }, [[totalsCollector, state]]) };
    expect(() => mergePartials([a, b], [totalsCollector])).toThrow(
      new UsageError(
        'b.json was made with gamma = 1.5, a.json with gamma = 2: partial results merge only when every parameter agrees',
      ),
    );
    const c = { name: 'c.json', partial: makePartial({ gamma: 2, alpha: 0.25 }, []) };
    expect(() => mergePartials([a, c], [totalsCollector])).toThrow(/c\.json holds nothing, a\.json holds totals/);
    expect(() => parsePartial('{"format":"focal-partial","version":9}', 'v.json')).toThrow(
      new UsageError('v.json: partial file version 9; this focal reads version 1'),
    );
    expect(() => parsePartial('[1,', 'x.json')).toThrow(/^x\.json: not a focal partial file \(not valid JSON\)$/);
    expect(() => mergePartials([], [totalsCollector])).toThrow(UsageError);
  });

  it('infinite losses survive the JSON of a partial file', () => {
    const inf: ColumnBatch = {
      rowStart: 0,
      rows: 1,
      columns: {
        x: { dtype: 'float64', width: 1, values: Float64Array.of(-Infinity) },
        y: { dtype: 'float64', width: 1, values: Float64Array.of(1) },
      },
    };
    const state = totalsOf([inf], layout);
    const text = serializePartial(makePartial({}, [[totalsCollector, state]]));
    expect(text).toContain('"Infinity"');
    const back = parsePartial(text, 'i.json').collectors.totals!.state as TotalsState;
    expect(totalsCollector.finish(back).ce.sum).toBe(Infinity);
  });
});

interface SigmoidReference {
  gamma: number;
  alpha: number;
  ignore: number;
  logits: number[][];
  label: number[];
  multihot: number[][];
  index_form: Expected;
  multihot_form: Expected;
}
interface Expected {
  rows: number;
  ignored: number;
  elements: number;
  positives: number;
  ce_sum: number;
  fl_sum: number;
  fl_mean: number;
  fl_positives: number;
  classes: { class: number; count: number; positives: number; ce: number; fl: number }[];
}

describe("sigmoid rows [N, C] against torchvision's sigmoid_focal_loss (numpy, test/fixtures/formats/sigmoid_reference.json)", () => {
  const ref = JSON.parse(readFileSync(formatFixture('sigmoid_reference.json'), 'utf8')) as SigmoidReference;
  const C = ref.logits[0]!.length;
  // numpy's formula computes 1 − p_t as 1 − σ(x) (cancellation near p_t = 1): its per-class
  // sums are good to ~1e-14 relative here, where focal's are exact to the last bit or two.
  const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));

  function check(got: ReturnType<typeof totalsCollector.finish>, want: Expected): void {
    expect([got.rows, got.ignored, got.elements, got.positives]).toEqual([
      want.rows,
      want.ignored,
      want.elements,
      want.positives,
    ]);
    close(got.ce.sum, want.ce_sum);
    close(got.fl.sum, want.fl_sum);
    close(got.fl.mean!, want.fl_mean);
    close(got.fl.positives, want.fl_positives);
    expect(got.classes.map((c) => [c.key, c.count, c.positives])).toEqual(
      want.classes.map((c) => [c.class, c.count, c.positives]),
    );
    got.classes.forEach((c, k) => {
      close(c.ceTotal, want.classes[k]!.ce);
      close(c.flTotal, want.classes[k]!.fl);
    });
  }

  it('a class index per row: −1 and C background, −2 ignored and counted (read from numpy-written .npy files)', async () => {
    const batches: ColumnBatch[] = [];
    const read = (name: string) => decodeNpy([new Uint8Array(readFileSync(formatFixture(name)))], name);
    for await (const b of alignArrays([
      { name: 'logits', where: 'sigmoid_logits.npy', batches: read('sigmoid_logits.npy') },
      { name: 'label', where: 'sigmoid_label.npy', batches: read('sigmoid_label.npy') },
    ]))
      batches.push(b);
    expect(Array.from(batches[0]!.columns.logits!.values.subarray(0, C))).toEqual(ref.logits[0]);
    const layout: Layout = {
      shape: 'sigmoid',
      input: 'logit',
      prediction: 'logits',
      target: 'label',
      ignoreLabel: ref.ignore,
    };
    check(totalsCollector.finish(totalsOf(batches, layout, { gamma: ref.gamma, alpha: ref.alpha })), ref.index_form);
  });

  it('one-hot / multi-hot rows [N, C]', () => {
    const b: ColumnBatch = {
      rowStart: 0,
      rows: ref.logits.length,
      columns: {
        logits: { dtype: 'float64', width: C, values: Float64Array.from(ref.logits.flat()) },
        t: { dtype: 'uint8', width: C, values: Uint8Array.from(ref.multihot.flat()) },
      },
    };
    const layout: Layout = {
      shape: 'sigmoid',
      input: 'logit',
      prediction: 'logits',
      target: 't',
      ignoreLabel: ref.ignore,
    };
    check(totalsCollector.finish(totalsOf([b], layout, { gamma: ref.gamma, alpha: ref.alpha })), ref.multihot_form);
  });

  it('another ignore label: −2 becomes background, 7 is skipped', () => {
    const label = Float64Array.from(ref.label, (l) => (l === ref.ignore ? 7 : l));
    const b: ColumnBatch = {
      rowStart: 0,
      rows: ref.logits.length,
      columns: {
        logits: { dtype: 'float64', width: C, values: Float64Array.from(ref.logits.flat()) },
        label: { dtype: 'float64', width: 1, values: label },
      },
    };
    const got = totalsCollector.finish(
      totalsOf([b], { shape: 'sigmoid', input: 'logit', prediction: 'logits', target: 'label', ignoreLabel: 7 }),
    );
    expect([got.rows, got.ignored, got.positives]).toEqual([
      ref.index_form.rows,
      ref.index_form.ignored,
      ref.index_form.positives,
    ]);
  });
});

describe('layout checks: one line naming the file, the row and the value', () => {
  const col = (values: number[], width = 1) => ({
    dtype: 'float64' as const,
    width,
    values: Float64Array.from(values),
  });
  const run = (layout: Layout, columns: ColumnBatch['columns'], rows: number) => () =>
    layoutBatch(layout, { rowStart: 10, rows, columns }, 'f.npz');
  const binary: Layout = { shape: 'binary', input: 'p', prediction: 'p', label: 'y' };
  it.each<[string, Layout, ColumnBatch['columns'], number, string]>([
    ['p out of range', binary, { p: col([0.5, 1.5]), y: col([1, 0]) }, 2, 'f.npz: row 12: p = 1.5 is not in [0, 1]'],
    ['a label of 2', binary, { p: col([0.5]), y: col([2]) }, 1, 'f.npz: row 11: label 2 is not in [0, 1]'],
    [
      'soft label with p_t',
      { ...binary, input: 'pt' },
      { p: col([0.5]), y: col([0.5]) },
      1,
      'f.npz: row 11: label 0.5 is not 0 or 1 (p_t needs hard labels)',
    ],
    [
      'a vector for a binary prediction',
      binary,
      { p: col([0.5, 0.5], 2), y: col([1]) },
      1,
      "f.npz: 'p' has 2 values per row: a binary prediction is one number (use --activation softmax or sigmoid for vectors)",
    ],
    [
      'a softmax class out of range',
      { shape: 'softmax', input: 'logits', prediction: 'p', target: 'y' },
      { p: col([1, 2, 3], 3), y: col([3]) },
      1,
      'f.npz: row 11: class index 3 is not an integer in 0…2',
    ],
    [
      'a sigmoid NaN logit',
      { shape: 'sigmoid', input: 'logit', prediction: 'p', target: 'y', ignoreLabel: -2 },
      { p: col([1, NaN], 2), y: col([0]) },
      1,
      'f.npz: row 11: logit = NaN is not a number',
    ],
    [
      'a fractional class index',
      { shape: 'sigmoid', input: 'logit', prediction: 'p', target: 'y', ignoreLabel: -2 },
      { p: col([1, 2], 2), y: col([0.5]) },
      1,
      'f.npz: row 11: class index 0.5 is not an integer (0…1 a class, others background, -2 ignored)',
    ],
    [
      'targets of another width',
      { shape: 'sigmoid', input: 'logit', prediction: 'p', target: 'y', ignoreLabel: -2 },
      { p: col([1, 2, 3], 3), y: col([0, 1], 2) },
      1,
      "f.npz: 'y' has 2 values per row and 'p' 3: give 3 targets per row or one class index",
    ],
  ])('%s', (_name, layout, columns, rows, message) => {
    expect(run(layout, columns, rows)).toThrow(new UsageError(message));
  });
});
