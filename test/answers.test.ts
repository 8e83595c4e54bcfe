import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_CANDIDATES,
  adaptiveCalibrationError,
  adaptiveCalibrationErrorByPasses,
  calibrationEdges,
} from '../src/core/index.js';
import { calibrationCollector } from '../src/pipeline/collect/calibration.js';
import type { Collector } from '../src/pipeline/collect/collector.js';
import type { PredictionBatch } from '../src/pipeline/collect/predictions.js';
import { sweepCollector } from '../src/pipeline/collect/sweep.js';
import { makePartial, parsePartial, serializePartial } from '../src/pipeline/state.js';
import { parseJson, runCli } from './helpers/cli.js';

// References from scripts/gen_answers_fixtures.py (mpmath at 50 digits; torchmetrics'
// CalibrationError definitions written out in numpy); the inputs are the CSVs beside them.
const dir = fileURLToPath(new URL('./fixtures/answers/', import.meta.url));
const ref = JSON.parse(readFileSync(`${dir}reference.json`, 'utf8'));
const BINARY = `${dir}binary-logits.csv`;
const MULTI = `${dir}multi-logits.csv`;

function close(actual: number, expected: number, rel: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  if (!(err <= rel))
    throw new Error(`${what}: got ${actual}, expected ${expected} (relative error ${err.toExponential(2)} > ${rel})`);
}

async function json(argv: string[]) {
  const r = await runCli(argv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseJson(r.stdout);
}

describe('focal sweep against mpmath', () => {
  it('binary: class shares of FL and gradient mass, easy shares, concentration, per (γ, α)', async () => {
    const doc = await json([
      'sweep',
      '--input',
      BINARY,
      '--gamma',
      ref.gammas.join(','),
      '--alpha',
      ref.alphas.join(','),
      '--json',
    ]);
    expect(doc.rows).toHaveLength(ref.sweepBinary.points.length);
    doc.rows.forEach((row: any, i: number) => {
      const p = ref.sweepBinary.points[i];
      const at = `γ=${p.gamma} α=${p.alpha}`;
      expect([row.gamma, row.alpha]).toEqual([p.gamma, p.alpha]);
      close(row.fl_total, p.flTotal, 1e-13, `${at} fl_total`);
      close(row.grad_total, p.gradTotal, 1e-13, `${at} grad_total`);
      close(row.easy_fl_share, p.easyFlShare, 1e-12, `${at} easy_fl_share`);
      close(row.easy_grad_share, p.easyGradShare, 1e-12, `${at} easy_grad_share`);
      close(row.concentration, p.concentration, 1e-13, `${at} concentration`);
      ['negative', 'positive'].forEach((name, c) => {
        close(row[`${name}_fl_share`], p.classes[c].flShare, 1e-13, `${at} ${name}_fl_share`);
        close(row[`${name}_grad_share`], p.classes[c].gradShare, 1e-13, `${at} ${name}_grad_share`);
        close(row[`${name}_easy_fl_share`], p.classes[c].easyFlShare, 1e-12, `${at} ${name}_easy_fl_share`);
        close(row[`${name}_concentration`], p.classes[c].concentration, 1e-13, `${at} ${name}_concentration`);
      });
    });
  });

  it('binary: the α that gives the positive class half of the loss and of the gradient mass, per γ', async () => {
    const doc = await json(['sweep', '--input', BINARY, '--gamma', ref.gammas.join(','), '--alpha', '0.5', '--json']);
    doc.sections.alpha.forEach((row: any, i: number) => {
      const g = ref.sweepBinary.perGamma[i];
      close(row.alpha_loss, g.alphaLoss, 1e-14, `γ=${g.gamma} alpha_loss`);
      close(row.alpha_grad, g.alphaGrad, 1e-14, `γ=${g.gamma} alpha_grad`);
    });
    // and at that α the positive share of FL is one half
    const at = await json([
      'sweep',
      '--input',
      BINARY,
      '--gamma',
      '2',
      '--alpha',
      String(doc.sections.alpha[3].alpha_loss),
      '--json',
    ]);
    close(at.rows[0].positive_fl_share, 0.5, 1e-15, 'positive share at α*');
  });

  it('multiclass: per-class shares and the α vector equalising the classes, per γ', async () => {
    const doc = await json(['sweep', '--input', MULTI, '--gamma', ref.gammas.join(','), '--json']);
    doc.rows.forEach((row: any, i: number) => {
      const p = ref.sweepMulti.points[i];
      close(row.fl_total, p.flTotal, 1e-13, `γ=${p.gamma} fl_total`);
      p.classes.forEach((c: any, k: number) => {
        close(row[`class_${k}_fl_share`], c.flShare, 1e-13, `γ=${p.gamma} class ${k} fl_share`);
        close(row[`class_${k}_grad_share`], c.gradShare, 1e-13, `γ=${p.gamma} class ${k} grad_share`);
      });
    });
    doc.sections.alpha.forEach((row: any, i: number) => {
      const g = ref.sweepMulti.perGamma[i];
      g.alphaVectorLoss.forEach((a: number, k: number) =>
        close(row.alpha_vector_loss[k], a, 1e-14, `γ=${g.gamma} α_loss[${k}]`),
      );
      g.alphaVectorGrad.forEach((a: number, k: number) =>
        close(row.alpha_vector_grad[k], a, 1e-14, `γ=${g.gamma} α_grad[${k}]`),
      );
    });
  });

  it('the one-pass grid equals separate `focal anatomy` runs bit for bit where they compute the same number', async () => {
    // α none (α_t = 1) and α = 0.5 (α_t·L exact): the per-sample FL terms are the same doubles in both commands
    for (const [input, classes] of [
      [BINARY, ['negative', 'positive']],
      [MULTI, ['class_0', 'class_1', 'class_2', 'class_3']],
    ] as const) {
      const alphas = input === BINARY ? ['none', '0.5'] : ['none'];
      const sweep = await json([
        'sweep',
        '--input',
        input,
        '--gamma',
        ref.gammas.join(','),
        ...(input === BINARY ? ['--alpha', alphas.join(',')] : []),
        '--json',
      ]);
      for (const gamma of ref.gammas) {
        for (const alpha of alphas) {
          const anatomy = await json([
            'anatomy',
            '--input',
            input,
            '--gamma',
            String(gamma),
            '--alpha',
            alpha,
            '--json',
          ]);
          const row = sweep.rows.find(
            (r: any) => r.gamma === gamma && (input === MULTI || r.alpha === (alpha === 'none' ? null : 0.5)),
          );
          for (const name of classes) {
            const a = anatomy.rows.find((r: any) => r.class === name);
            expect(row[`${name}_count`]).toBe(a.count);
            expect(row[`${name}_fl_total`]).toBe(a.fl_total);
            expect(row[`${name}_fl_share`]).toBe(a.fl_share);
            const easy = anatomy.sections.easy_hard.find((e: any) => e.class === name && e.split === 'easy');
            expect(row[`${name}_easy_fl_share`]).toBe(easy.fl_share);
          }
        }
      }
    }
  });

  it('refuses soft labels and --alpha with multiclass input in one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'focal-answers-')), 'soft.csv');
    writeFileSync(file, 'p,y\n0.2,0\n0.7,0.3\n');
    for (const command of ['sweep', 'calibration']) {
      const soft = await runCli([command, '--input', file]);
      expect(soft.code).toBe(2);
      expect(soft.stdout).toBe('');
      // named as any bad row is: the file and its line
      expect(soft.stderr).toBe(
        `focal: error: ${file}:3: column y: ${command} needs hard labels 0 or 1, but the label is 0.3\n`,
      );
      // and skipped with the others under --skip-invalid
      const skipped = await runCli([command, '--input', file, '--skip-invalid', '--json']);
      expect(skipped.code).toBe(0);
      expect(skipped.stderr).toMatch(/skipped 1 invalid row .*\n {2}line 3: column y: \w+ needs hard labels/);
    }
    const multi = await runCli(['sweep', '--input', MULTI, '--alpha', '0.25']);
    expect(multi.code).toBe(2);
    expect(multi.stdout).toBe('');
    expect(multi.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('focal sweep draws the positive share over (γ, α) with the α*(γ) curves on it', () => {
  it('terminal: each cell is the band of the share sweep reports at that α; L and G sit in the cells of α* (loss, grad)', async () => {
    const cells = 60 - 'γ = 2'.length - 3;
    const r = await runCli(['sweep', '--input', BINARY, '--gamma', '0,2', '--chart', '--width', '60']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const rows = r.stdout
      .split('\n')
      .filter((l) => l.includes('│'))
      .map((l) => [...l.split('│')[1]!]);
    expect(rows).toHaveLength(2);
    const centres = Array.from({ length: cells }, (_, i) => (i + 0.5) / cells);
    const grid = await json(['sweep', '--input', BINARY, '--gamma', '0,2', '--alpha', centres.join(','), '--json']);
    const glyphs = '·.:-=+*#%@';
    // top row: the largest γ
    [2, 0].forEach((gamma, k) => {
      const row = rows[k]!;
      expect(row).toHaveLength(cells);
      const star = grid.sections.alpha.find((a: any) => a.gamma === gamma);
      expect(row.indexOf('L')).toBe(Math.floor(star.alpha_loss * cells));
      const g = Math.floor(star.alpha_grad * cells);
      if (g !== row.indexOf('L')) expect(row.indexOf('G')).toBe(g);
      row.forEach((glyph, i) => {
        if (glyph === 'L' || glyph === 'G') return;
        const share = grid.rows.find((p: any) => p.gamma === gamma && p.alpha === centres[i]).positive_fl_share;
        // (a share within 1e-9 of a band edge could fall either way)
        if (Math.abs(share * 10 - Math.round(share * 10)) > 1e-9)
          expect(glyphs.indexOf(glyph)).toBe(Math.min(9, Math.floor(share * 10)));
      });
    });
  });

  it('SVG: the heatmap with the two curves through every row (top: the largest γ), and --picture curves the curves alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'focal-answers-'));
    const out = join(dir, 'h.svg');
    const r = await runCli(['sweep', '--input', BINARY, '--gamma', ref.gammas.join(','), '--out', out]);
    expect([r.code, r.stdout]).toEqual([0, '']);
    const svg = readFileSync(out, 'utf8');
    const grid = await json(['sweep', '--input', BINARY, '--gamma', ref.gammas.join(','), '--alpha', '0.5', '--json']);
    const overlays = [...svg.matchAll(/<g class="overlay" data-label="([^"]+)"[^>]*>([\s\S]*?)<\/g>/g)];
    expect(overlays.map((o) => o[1])).toEqual(['α*: positive half of FL', 'α: positive half of grad mass']);
    // the plot spans x = left … left + w for α = 0 … 1: the markers' x, rescaled, are the α* values, top row first
    const frame = svg.match(/<rect x="([\d.]+)" y="48" width="([\d.]+)" height="[\d.]+" fill="none"/)!;
    const [left, w] = [Number(frame[1]), Number(frame[2])];
    overlays.forEach((o, k) => {
      const xs = [...o[2]!.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => (Number(m[1]) - left) / w);
      const expected = [...grid.sections.alpha].reverse().map((a: any) => (k === 0 ? a.alpha_loss : a.alpha_grad));
      expect(xs).toHaveLength(expected.length);
      xs.forEach((x, i) => expect(Math.abs(x - expected[i])).toBeLessThan(0.01 / w + 1e-9));
    });
    const curves = join(dir, 'c.svg');
    expect((await runCli(['sweep', '--input', BINARY, '--picture', 'curves', '--out', curves])).code).toBe(0);
    expect(readFileSync(curves, 'utf8')).toContain('The α that balances the classes, per γ');
    const lone = await runCli(['sweep', '--input', BINARY, '--picture', 'curves']);
    expect([lone.code, lone.stdout, lone.stderr.trim().split('\n').length]).toEqual([2, '', 1]);
  });
});

describe('the pictures in docs/ are what their documented commands draw today', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  it.each([
    ['docs/sweep-heatmap.svg', ['sweep', '--input', 'examples/preds.csv', '--gamma', '0:5:0.25']],
    ['docs/reliability.svg', ['calibration', '--input', 'examples/model-ce.csv', '--input', 'examples/model-fl.csv']],
  ])('%s', async (picture, argv) => {
    const out = join(mkdtempSync(join(tmpdir(), 'focal-answers-')), 'p.svg');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect((await runCli([...argv, '--out', out])).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(root, picture), 'utf8'));
  });
});

describe('focal calibration against torchmetrics definitions (numpy) and mpmath', () => {
  it('bin edges are torch.linspace(0, 1, 16), bit for bit', () => {
    expect(Array.from(calibrationEdges(15))).toEqual(ref.linspace15);
  });

  for (const [name, input, key] of [
    ['binary', BINARY, 'calibrationBinary'],
    ['multiclass', MULTI, 'calibrationMulti'],
  ] as const) {
    it(`${name}: ECE, MCE, AdaECE, classwise ECE, Brier, NLL, accuracy; T to 1e-9; the report after scaling`, async () => {
      const doc = await json(['calibration', '--input', input, '--json']);
      const row = doc.rows[0];
      const r = ref[key];
      expect(row.n).toBe(r.n);
      expect(row.accuracy).toBe(r.accuracy);
      for (const [mine, theirs] of <[string, string][]>[
        ['ece', 'ece'],
        ['mce', 'mce'],
        ['ada_ece', 'adaptiveEce'],
        ['classwise_ece', 'classwiseEce'],
        ['brier', 'brier'],
        ['nll', 'nll'],
      ])
        close(row[mine], r[theirs], 1e-12, `${name} ${mine}`);
      close(row.temperature, r.temperature, 1e-9, `${name} T`);
      for (const [mine, theirs] of <[string, string][]>[
        ['ece_scaled', 'ece'],
        ['ada_ece_scaled', 'adaptiveEce'],
        ['mce_scaled', 'mce'],
        ['brier_scaled', 'brier'],
        ['nll_scaled', 'nll'],
      ])
        close(row[mine], r.scaled[theirs], 1e-9, `${name} ${mine}`);
      // the reliability rows are the bins ECE is computed from
      const bins = doc.sections.reliability;
      expect(bins).toHaveLength(16);
      expect(bins.reduce((a: number, b: any) => a + b.count, 0)).toBe(r.n);
    });
  }
});

describe('the reliability diagram shows the count and the gap of each bin, as the JSON reports them', () => {
  const models = [BINARY, `${dir}binary-p.csv`];
  const nonEmpty = (doc: any, model: string) =>
    doc.sections.reliability.filter((b: any) => b.model === model && b.count > 0);

  it('SVG (and so PNG and the page): one count bar and label per non-empty bin, one gap shade each', async () => {
    const doc = await json(['calibration', ...models.flatMap((m) => ['--input', m]), '--bins', '10', '--json']);
    const out = join(mkdtempSync(join(tmpdir(), 'focal-answers-')), 'r.svg');
    expect(
      (await runCli(['calibration', ...models.flatMap((m) => ['--input', m]), '--bins', '10', '--out', out])).code,
    ).toBe(0);
    const svg = readFileSync(out, 'utf8');
    const all = (re: RegExp) => [...svg.matchAll(re)].map((m) => m[1]!);
    // in model order, bin order: the JSON's counts and gaps (the gap as its shortest text: the same double)
    const expected = models.flatMap((m) => nonEmpty(doc, m));
    expect(expected.length).toBeGreaterThan(10);
    expect(all(/class="count-bar" data-count="(\d+)"/g).map(Number)).toEqual(expected.map((b: any) => b.count));
    expect(all(/<text class="count"[^>]*>(\d+)<\/text>/g).map(Number)).toEqual(expected.map((b: any) => b.count));
    expect(all(/class="gap" data-gap="([^"]+)"/g).map(Number)).toEqual(expected.map((b: any) => b.gap));
    // a shade spans accuracy to confidence: its height is |gap| of the plot's height
    const plotHeight = Number(/<clipPath id="plot">\s*<rect [^>]*height="([\d.]+)"/.exec(svg)![1]);
    const heights = all(/class="gap" data-gap="[^"]+" x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"/g).map(Number);
    heights.forEach((hgt, i) => expect(Math.abs(hgt - Math.abs(expected[i].gap) * plotHeight)).toBeLessThan(0.02));
  });

  it('terminal: under the plot, a strip of bars per model, one run per non-empty bin', async () => {
    const r = await runCli([
      'calibration',
      ...models.flatMap((m) => ['--input', m]),
      '--bins',
      '10',
      '--chart',
      '--width',
      '100',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const doc = await json(['calibration', ...models.flatMap((m) => ['--input', m]), '--bins', '10', '--json']);
    const strips = r.stdout.split('\n').filter((l) => /[▁▂▃▄▅▆▇█]/.test(l) && !l.includes('samples per bin'));
    expect(strips).toHaveLength(2);
    strips.forEach((line, k) => expect(line.match(/[▁▂▃▄▅▆▇█]+/g)).toHaveLength(nonEmpty(doc, models[k]!).length));
    expect(r.stdout).toContain('gap (confidence − accuracy)');
  });
});

/** The rows of a fixture CSV as batches, split at random points. */
function batches(path: string, cuts: number[]): PredictionBatch[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const width = header.length - 1;
  const kind = header[0] === 'logit' ? 'logit' : header[0] === 'p' ? 'p' : 'logits';
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const bounds = [0, ...cuts, rows.length];
  return bounds.slice(1).map((end, i) => {
    const part = rows.slice(bounds[i], end);
    return {
      kind,
      width,
      count: part.length,
      values: Float64Array.from(part.flatMap((r) => r.slice(0, width))),
      labels: Float64Array.from(part.map((r) => r[width]!)),
      first: bounds[i]!,
    };
  });
}

function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('AdaECE in constant memory (radix selection over passes) is the sort, bit for bit', () => {
  const next = random(4242);
  const cases: [string, number[], number[]][] = [];
  for (const [n, distinct] of [
    [1, 0],
    [7, 0],
    [15, 0],
    [16, 3],
    [240, 0],
    [1000, 5],
    [1000, 40],
    [3001, 0],
  ] as const) {
    // distinct > 0: confidences from a few values, so that runs of ties straddle bin boundaries
    const pool = Array.from({ length: distinct }, () => next());
    const conf = Array.from({ length: n }, () =>
      distinct ? pool[Math.floor(next() * distinct)]! : next() < 0.05 ? 1 : next() < 0.05 ? 0 : next() ** 3,
    );
    cases.push([`n=${n}, ${distinct || 'no'} repeated values`, conf, conf.map(() => (next() < 0.6 ? 1 : 0))]);
  }
  // values that share their upper bits and differ only in the last ones (every digit level decides)
  const close = Array.from({ length: 500 }, (_, i) => 0.5 + (i % 37) * 2 ** -52 + (i % 5) * 2 ** -30);
  cases.push(['values a few ulps apart', close, close.map((_, i) => (i % 3 === 0 ? 1 : 0))]);
  // one value only, and 0 and 1 only: every boundary inside one run of ties
  cases.push([
    'all equal',
    Array.from({ length: 300 }, () => 0.25),
    Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? 1 : 0)),
  ]);
  cases.push([
    'only 0 and 1',
    Array.from({ length: 301 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    Array.from({ length: 301 }, (_, i) => (i % 2 === 0 ? 1 : 0)),
  ]);
  for (const [name, conf, hit] of cases) {
    it(name, () => {
      for (const bins of [2, 15, 40]) {
        // how many samples the last pass may hold: all of these (one pass), none (the full 64
        // bits by histograms: five passes), and a few (the histograms stop part-way)
        for (const [candidates, most] of [
          [ADAPTIVE_CANDIDATES, 1],
          [0, 5],
          [7, 5],
          [60, 5],
        ] as const) {
          let passes = 0;
          const pass = (visit: (c: number, h: number) => void) => {
            passes++;
            conf.forEach((c, i) => visit(c, hit[i]!));
          };
          expect(adaptiveCalibrationErrorByPasses(pass, conf.length, bins, candidates)).toBe(
            adaptiveCalibrationError(conf, hit, bins),
          );
          expect(passes).toBeLessThanOrEqual(most);
          if (candidates === 0) expect(passes).toBe(5);
        }
      }
    });
  }
  it('more samples than the last pass may hold: histograms first, then the few that tie with a boundary', () => {
    // 150,000 samples: half on a grid of 1,000 values (long runs of ties), half anywhere
    const n = 150_000;
    const conf = Array.from({ length: n }, (_, i) => (i % 2 ? Math.floor(next() * 1000) / 1000 : next() ** 4));
    const hit = conf.map((c) => (next() < c ? 1 : 0));
    for (const bins of [15, 40]) {
      let passes = 0;
      const pass = (visit: (c: number, h: number) => void) => {
        passes++;
        for (let i = 0; i < n; i++) visit(conf[i]!, hit[i]!);
      };
      expect(adaptiveCalibrationErrorByPasses(pass, n, bins)).toBe(adaptiveCalibrationError(conf, hit, bins));
      expect(passes).toBeGreaterThan(1);
      expect(passes).toBeLessThanOrEqual(5);
    }
  });
});

describe('merge of states under random splits gives the bits of one pass', () => {
  const cases: [string, string, () => Collector<any, PredictionBatch, unknown>][] = [
    ['sweep, binary', BINARY, () => sweepCollector(ref.gammas, [0.1, 0.25, null])],
    ['sweep, multiclass', MULTI, () => sweepCollector(ref.gammas, [null])],
    ['calibration, binary', BINARY, () => calibrationCollector(15)],
    ['calibration, multiclass', MULTI, () => calibrationCollector(15)],
  ];
  for (const [name, input, make] of cases) {
    it(name, () => {
      const c = make();
      const one = c.create();
      for (const b of batches(input, [])) c.add(one, b);
      const expected = c.finish(one);
      const next = random(name.length * 7919);
      for (let trial = 0; trial < 5; trial++) {
        const n = readFileSync(input, 'utf8').trim().split('\n').length - 1;
        const cuts = [
          ...new Set(Array.from({ length: 1 + Math.floor(next() * 6) }, () => 1 + Math.floor(next() * (n - 1)))),
        ].sort((a, b) => a - b);
        // each shard's state goes through a --partial file's text, then the shards merge in a random order
        const shards = batches(input, cuts).map((b) => {
          const s = c.create();
          c.add(s, b);
          return parsePartial(serializePartial(makePartial({}, [[c as never, s]])), 'shard').collectors[c.kind]!.state;
        });
        shards.sort(() => next() - 0.5);
        const merged = c.create();
        for (const s of shards) c.merge(merged, s);
        expect(c.finish(merged)).toStrictEqual(expected);
      }
    });
  }
});
