/**
 * The pipeline through the CLI: every binary format gives the report the same samples give as
 * CSV (the same JSON numbers, bit for bit), the sigmoid mode against torchvision's formula,
 * corrupt files in one line, and --partial shards that merge into one run's report exactly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, parseJson, runCli } from './helpers/cli.js';
import { formatFixture } from './helpers/formats.js';
import { mulberry32 as random } from './helpers/seeded.js';
import { npyBytes } from './helpers/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'focal-pipeline-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `focal ARGS --json`, which must succeed, parsed. */
async function json(
  argv: string[],
): Promise<{ params: Record<string, unknown>; summary: Record<string, unknown>; rows: unknown[]; sections?: unknown }> {
  const r = await runCli([...argv, '--json']);
  if (r.code !== 0) throw new Error(`focal ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  expect(r.stderr).toBe('');
  return parseJson(r.stdout);
}

/** `focal ARGS`, which must fail with exit 2, one line on stderr and nothing on stdout; the line. */
async function refused(argv: string[]): Promise<string> {
  const r = await runCli(argv);
  expect([r.code, r.stdout]).toEqual([2, '']);
  expect(r.stderr.split('\n')).toHaveLength(2);
  expect(r.stderr).toMatch(/^focal: error: /);
  return r.stderr;
}

const f = formatFixture;

describe('each format gives the report its samples give as CSV', () => {
  it.each([
    ['binary.npz'],
    ['binary_compressed.npz'],
    ['binary.parquet'],
    ['binary_plain.parquet'],
    ['binary.arrow'],
    ['binary.arrows'],
  ])('loss: %s = binary.csv', async (name) => {
    for (const extra of [
      [],
      ['--reduction', 'sum', '--gamma', '0.5', '--alpha', '0.9'],
      ['--reduction', 'positives', '--log-base', '2'],
      ['--reduction', 'none', '--grad'],
    ]) {
      const csv = await json(['loss', '--input', f('binary.csv'), ...extra]);
      const got = await json(['loss', '--input', f(name), ...extra]);
      expect(got.summary).toEqual(csv.summary);
      expect(got.rows).toEqual(csv.rows);
      expect({ ...got.params, input: null, input_format: null }).toEqual({
        ...csv.params,
        input: null,
        input_format: null,
      });
    }
  });

  it.each([['binary.npz'], ['binary.parquet'], ['binary.arrow']])(
    'loss --loss variants and --label-smoothing (one pipeline for every format): %s = binary.csv',
    async (name) => {
      for (const extra of [
        ['--loss', 'ce,fl,poly1,fl-star', '--reduction', 'sum'],
        ['--label-smoothing', '0.1'],
        ['--loss', 'ce,fl,poly1', '--label-smoothing', '0.2', '--reduction', 'none'],
      ]) {
        const csv = await json(['loss', '--input', f('binary.csv'), ...extra]);
        const got = await json(['loss', '--input', f(name), ...extra]);
        expect(got.summary).toEqual(csv.summary);
        expect(got.rows).toEqual(csv.rows);
      }
      // and they are applied: smoothed labels give other totals, the variants their sums
      const plain = await json(['loss', '--input', f(name)]);
      const smoothed = await json(['loss', '--input', f(name), '--label-smoothing', '0.1']);
      expect(smoothed.summary.fl_sum).not.toBe(plain.summary.fl_sum);
      expect((await json(['loss', '--input', f(name), '--loss', 'ce,fl,poly1'])).summary.poly1_sum).toBeGreaterThan(0);
    },
  );

  it('the table and the CSV of per-sample rows are the same, captions aside', async () => {
    const table = async (name: string, extra: string[] = []) =>
      (await runCli(['loss', '--input', f(name), ...extra])).stdout.split('\n').slice(1).join('\n');
    expect(await table('binary.parquet')).toBe(await table('binary.csv'));
    expect(await table('binary.arrow', ['--reduction', 'none'])).toBe(
      await table('binary.csv', ['--reduction', 'none']),
    );
    const rows = async (name: string) =>
      (await runCli(['loss', '--input', f(name), '--reduction', 'none', '--format', 'csv'])).stdout;
    expect(await rows('binary.npz')).toBe(await rows('binary.csv'));
  });

  it.each([
    ['p_f8.npy', 'y_i8.npy'],
    ['p_f8_be.npy', 'y_bool.npy'],
    ['p_f8_v2.npy', 'y_u1.npy'],
    ['p_f8_v3.npy', 'y_f8.npy'],
    ['p_f4.npy', 'y_i2_be.npy'],
    ['p_f2.npy', 'y_u1.npy'],
  ])('two .npy files (%s, %s) = binary.csv (the p values are exact in float16)', async (p, y) => {
    const csv = await json(['loss', '--input', f('binary.csv')]);
    const got = await json(['loss', '--input', f(p), '--labels', f(y), '--columns', `p=${p.replace('.npy', '')}`]);
    expect(got.summary).toEqual(csv.summary);
  });

  it('extreme probabilities (5e-324, 1 − 2^-53 …): extreme_p.npy + extreme_y.npy = extreme.csv', async () => {
    const csv = await json(['loss', '--input', f('extreme.csv')]);
    expect(
      await json(['loss', '--input', f('extreme_p.npy'), '--labels', f('extreme_y.npy'), '--columns', 'p=extreme_p']),
    ).toMatchObject({ summary: csv.summary });
  });

  it.each([['vectors.npz'], ['vectors.parquet'], ['vectors.arrow']])(
    'softmax vectors: %s = vectors.csv (x0+x1+x2+x3)',
    async (name) => {
      for (const extra of [[], ['--alpha', '0.1,0.2,0.3,0.4'], ['--reduction', 'none', '--grad']]) {
        const csv = await json([
          'loss',
          '--input',
          f('vectors.csv'),
          '--columns',
          'logits=x0+x1+x2+x3,y=target',
          ...extra,
        ]);
        const got = await json(['loss', '--input', f(name), ...extra]);
        expect([got.summary, got.rows]).toEqual([csv.summary, csv.rows]);
      }
    },
  );

  it('anatomy: binary.npz = binary.csv, every table', async () => {
    const csv = await json(['anatomy', '--input', f('binary.csv')]);
    const npz = await json(['anatomy', '--input', f('binary.npz')]);
    expect([npz.summary, npz.rows, npz.sections]).toEqual([csv.summary, csv.rows, csv.sections]);
  });

  it('stdin: an Arrow stream, an .npz and Parquet (read whole), recognised by their bytes', () => {
    const csv = JSON.parse(
      spawnSync(process.execPath, [BIN, 'loss', '--input', f('binary.csv'), '--json'], { encoding: 'utf8' }).stdout,
    ).summary;
    for (const name of ['binary.arrows', 'binary.arrow', 'binary_compressed.npz', 'binary.parquet']) {
      const r = spawnSync(process.execPath, [BIN, 'loss', '--json'], {
        input: readFileSync(f(name)),
        encoding: 'utf8',
      });
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout).summary).toEqual(csv);
    }
  });
});

interface SigmoidForm {
  elements: number;
  positives: number;
  rows: number;
  ignored: number;
  ce_sum: number;
  fl_sum: number;
  fl_mean: number;
  fl_positives: number;
  classes: { class: number; count: number; positives: number; ce: number; fl: number }[];
}

describe("--activation sigmoid against torchvision's sigmoid_focal_loss (numpy, math.fsum: sigmoid_reference.json)", () => {
  const ref = JSON.parse(readFileSync(f('sigmoid_reference.json'), 'utf8')) as {
    gamma: number;
    alpha: number;
    ignore: number;
    index_form: SigmoidForm;
    multihot_form: SigmoidForm;
  };
  // the reference evaluates numpy's formula, an ulp or two from focal's stable one per element
  const close = (got: unknown, want: number) =>
    expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
  const args = [
    '--input',
    f('sigmoid_logits.npy'),
    '--columns',
    'logits=sigmoid_logits',
    '--activation',
    'sigmoid',
    '--gamma',
    String(ref.gamma),
    '--alpha',
    String(ref.alpha),
  ];

  it.each([
    ['index_form', 'sigmoid_label.npy'],
    ['multihot_form', 'sigmoid_multihot.npy'],
  ] as const)('%s (%s): counts exact, sums to 1e-12, RetinaNet normalisation', async (form, labels) => {
    const want = ref[form];
    const mean = await json(['loss', ...args, '--labels', f(labels)]);
    const s = mean.summary;
    expect([s.n, s.positives, s.rows, s.ignored]).toEqual([want.elements, want.positives, want.rows, want.ignored]);
    close(s.ce_sum, want.ce_sum);
    close(s.fl_sum, want.fl_sum);
    close(s.fl, want.fl_mean);
    for (const c of want.classes) {
      expect([s[`class_${c.class}_count`], s[`class_${c.class}_positives`]]).toEqual([c.count, c.positives]);
      close(s[`class_${c.class}_fl_total`], c.fl);
    }
    const positives = await json(['loss', ...args, '--labels', f(labels), '--reduction', 'positives']);
    close(positives.summary.fl, want.fl_positives);
    expect(positives.summary.fl).toBe((s.fl_sum as number) / Math.max(1, want.positives));
  });

  it('--ignore-label: another label skips other rows (the default −2 rows become background)', async () => {
    const s = (await json(['loss', ...args, '--labels', f('sigmoid_label.npy'), '--ignore-label', '99'])).summary;
    expect([s.rows, s.ignored, s.n]).toEqual([30, 0, 150]);
  });

  it('without --activation a vector is refused as a binary prediction; p_t is refused with sigmoid', async () => {
    expect(
      await refused([
        'loss',
        '--input',
        f('sigmoid_logits.npy'),
        '--labels',
        f('sigmoid_label.npy'),
        '--columns',
        'logit=sigmoid_logits',
      ]),
    ).toMatch(
      /has 5 values per row: a binary prediction is one number \(use --activation softmax or sigmoid for vectors\)/,
    );
    expect(
      await refused([
        'loss',
        '--input',
        f('sigmoid_logits.npy'),
        '--labels',
        f('sigmoid_label.npy'),
        '--columns',
        'pt=sigmoid_logits',
        '--activation',
        'sigmoid',
      ]),
    ).toMatch(/p_t is one number per sample/);
  });

  it('the same rows as CSV (logit_0 … logit_4, target, written here from the fixture) give the same report, and shards of both merge', async () => {
    const full = JSON.parse(readFileSync(f('sigmoid_reference.json'), 'utf8')) as {
      logits: number[][];
      label: number[];
    };
    const header = `${full.logits[0]!.map((_, j) => `logit_${j}`).join(',')},target\n`;
    const csv = file(
      'sigmoid.csv',
      header + full.logits.map((row, i) => `${row.join(',')},${full.label[i]}\n`).join(''),
    );
    const focal = ['--activation', 'sigmoid', '--gamma', String(ref.gamma), '--alpha', String(ref.alpha)];
    const fromNpy = await json(['loss', ...args, '--labels', f('sigmoid_label.npy'), '--reduction', 'positives']);
    const fromCsv = await json(['loss', '--input', csv, ...focal, '--reduction', 'positives']);
    expect(fromCsv.summary).toEqual(fromNpy.summary);
    const half = file(
      'sigmoid-half.csv',
      header +
        full.logits
          .slice(0, 11)
          .map((row, i) => `${row.join(',')},${full.label[i]}\n`)
          .join(''),
    );
    const rest = file(
      'sigmoid-rest.csv',
      header +
        full.logits
          .slice(11)
          .map((row, i) => `${row.join(',')},${full.label[i + 11]}\n`)
          .join(''),
    );
    const parts = [join(dir, 'sig-a.json'), join(dir, 'sig-b.json')];
    for (const [input, out] of [
      [half, parts[0]!],
      [rest, parts[1]!],
    ] as const)
      expect(
        (await runCli(['loss', '--input', input, ...focal, '--reduction', 'positives', '--partial', out])).code,
      ).toBe(0);
    expect((await json(['merge', ...parts])).summary).toEqual(fromNpy.summary);
    // a CSV shard and an .npy shard of other rows merge too: the parameters, not the formats, must agree
    const npyPart = join(dir, 'sig-npy.json');
    expect(
      (
        await runCli([
          'loss',
          ...args,
          '--labels',
          f('sigmoid_label.npy'),
          '--reduction',
          'positives',
          '--partial',
          npyPart,
        ])
      ).code,
    ).toBe(0);
    expect((await json(['merge', parts[0]!, parts[1]!, npyPart])).summary).toMatchObject({
      n: 2 * ref.index_form.elements,
      ignored: 2 * ref.index_form.ignored,
    });
  });

  it('anatomy per class (column) of the same elements', async () => {
    const a = await json(['anatomy', ...args, '--labels', f('sigmoid_label.npy')]);
    expect(a.summary.n).toBe(ref.index_form.elements);
    close(a.summary.fl_total, ref.index_form.fl_sum);
  });
});

describe('corrupt and truncated files: exit 2, one line naming the file', () => {
  const bytes = (name: string) => readFileSync(f(name));
  const cut = (name: string, keep: number) => {
    const b = bytes(name);
    return file(`cut-${keep}-${name}`, b.subarray(0, keep < 0 ? b.length + keep : keep));
  };
  it.each([
    [
      'an .npy cut in its data',
      () => ['--input', cut('p_f8.npy', -5), '--labels', f('y_i8.npy'), '--columns', `p=cut--5-p_f8`],
      /cut--5-p_f8\.npy: .*truncated/,
    ],
    [
      'an .npy cut in its header',
      () => ['--input', cut('p_f8.npy', 20), '--labels', f('y_i8.npy'), '--columns', 'p=cut-20-p_f8'],
      /cut-20-p_f8\.npy: truncated \.npy/,
    ],
    ['an .npz cut short', () => ['--input', cut('binary_compressed.npz', -30)], /: corrupt \.npz \(zip\)/],
    ['Parquet cut short', () => ['--input', cut('binary.parquet', -10)], /: corrupt or unsupported Parquet/],
    ['an Arrow file cut short', () => ['--input', cut('binary.arrow', -40)], /\.arrow: /],
    [
      'two .npy files of different lengths',
      () => ['--input', f('p_f8.npy'), '--labels', f('extreme_y.npy'), '--columns', 'p=p_f8'],
      /must have the same number of rows/,
    ],
    ['a missing array', () => ['--input', f('binary.npz'), '--columns', 'p=score'], /no column "score" among \[p, y\]/],
    [
      'an .npy without --labels',
      () => ['--input', f('p_f8.npy')],
      /an \.npy file holds one array; give the labels in a second one with --labels/,
    ],
  ])('%s', async (_what, argv, message) => {
    expect(await refused(['loss', ...argv()])).toMatch(message);
  });
});

describe('--partial shards merge into the report of one run, bit for bit', () => {
  // probabilities over many magnitudes, so that a plain or compensated sum would depend on the order
  const rand = random(9);
  const rows = Array.from({ length: 600 }, () => {
    const p =
      rand() < 0.2 ? 10 ** (-300 * rand()) : rand() < 0.1 ? 1 - 2 ** -52 * Math.floor(1 + 100 * rand()) : rand();
    return { p, y: rand() < 0.3 ? 1 : 0 };
  });
  const csv = (part: typeof rows) => `p,y\n${part.map((r) => `${r.p},${r.y}`).join('\n')}\n`;
  const ndjson = (part: typeof rows) => part.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const npy = (values: number[]) => npyBytes(values);
  const all = file('all.csv', csv(rows));

  it.each([1, 2, 3, 4, 5])('random split %i: CSV, NDJSON and .npy shards', async (seed) => {
    const r = random(seed * 7919);
    const cuts = [
      ...new Set(Array.from({ length: 2 + Math.floor(r() * 6) }, () => Math.floor(r() * rows.length))),
    ].sort((a, b) => a - b);
    const bounds = [0, ...cuts, rows.length];
    const partials: string[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const part = rows.slice(bounds[k], bounds[k + 1]);
      if (part.length === 0) continue;
      const kind = Math.floor(r() * 3);
      const input =
        kind === 0
          ? ['--input', file(`s${seed}-${k}.csv`, csv(part))]
          : kind === 1
            ? ['--input', file(`s${seed}-${k}.ndjson`, ndjson(part))]
            : [
                '--input',
                file(`p${seed}-${k}.npy`, npy(part.map((x) => x.p))),
                '--labels',
                file(`y${seed}-${k}.npy`, npy(part.map((x) => x.y))),
                '--columns',
                `p=p${seed}-${k}`,
              ];
      const out = join(dir, `part-${seed}-${k}.json`);
      const shard = await runCli(['loss', ...input, '--partial', out, '--reduction', 'sum']);
      expect([shard.code, shard.stdout, shard.stderr]).toEqual([0, '', '']);
      partials.push(out);
    }
    const one = await json(['loss', '--input', all, '--reduction', 'sum']);
    const merged = await json(['merge', ...partials.reverse()]);
    expect(merged.summary).toEqual(one.summary);
    expect(merged.rows).toEqual(one.rows);
    expect(merged.params).toMatchObject({ shards: partials.length, gamma: 2, alpha: 0.25, reduction: 'sum' });
  });

  it("partial files on stdin ('-'), one after another, as `--partial -` writes them", () => {
    const halves = [rows.slice(0, 250), rows.slice(250)].map((part, k) => file(`half-${k}.csv`, csv(part)));
    const docs = halves
      .map(
        (h) => spawnSync(process.execPath, [BIN, 'loss', '--input', h, '--partial', '-'], { encoding: 'utf8' }).stdout,
      )
      .join('');
    const merged = spawnSync(process.execPath, [BIN, 'merge', '-', '--json'], { input: docs, encoding: 'utf8' });
    expect([merged.status, merged.stderr]).toEqual([0, '']);
    const one = spawnSync(process.execPath, [BIN, 'loss', '--input', all, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(merged.stdout).summary).toEqual(JSON.parse(one.stdout).summary);
  });

  it('shards made with other parameters, a non-partial file, a missing file: exit 2, one line', async () => {
    const a = join(dir, 'g2.json');
    const b = join(dir, 'g1.json');
    await runCli(['loss', '--input', all, '--partial', a]);
    await runCli(['loss', '--input', all, '--partial', b, '--gamma', '1']);
    expect(await refused(['merge', a, b])).toBe(
      `focal: error: ${b} was made with gamma = 1, ${a} with gamma = 2: partial results merge only when every parameter agrees\n`,
    );
    expect(await refused(['merge', a, all])).toMatch(/not a focal partial file \(not valid JSON\)/);
    expect(await refused(['merge', join(dir, 'nope.json')])).toMatch(/nope\.json: cannot be read \(no such file\)/);
    expect(await refused(['loss', '--input', all, '--partial', join(dir, 'p.json'), '--reduction', 'none'])).toMatch(
      /--partial' keeps totals, not rows/,
    );
    expect(await refused(['loss', '--p', '0.5', '--y', '1', '--partial', join(dir, 'p.json')])).toMatch(
      /'--partial' is for --input/,
    );
  });
});
