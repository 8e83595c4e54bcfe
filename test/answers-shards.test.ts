/**
 * sweep and calibration on every input format (the same report as the CSV of the same samples)
 * and as --partial shards merged by `focal merge` (the report of one run, bit for bit).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatFixture as f } from './helpers/formats.js';
import { parseJson, runBin, runCli } from './helpers/cli.js';
import { mulberry32 as random } from './helpers/seeded.js';
import { npyBytes } from './helpers/npy.js';

async function json(argv: string[]) {
  const r = await runCli([...argv, '--json']);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return parseJson(r.stdout);
}

/** A report without what names its input (file name, format, column names). */
function data(doc: any) {
  const rows = doc.rows.map((r: any) => ({ ...r, model: undefined }));
  const sections = Object.fromEntries(
    Object.entries(doc.sections ?? {}).map(([k, v]: [string, any]) => [
      k,
      v.map((r: any) => ({ ...r, model: undefined })),
    ]),
  );
  return { rows, sections, summary: doc.summary };
}

const SWEEP = ['--gamma', '0,0.5,2,5', '--alpha', '0.1,0.25,0.5,none'];

describe('sweep and calibration read every format: the report of the same samples as CSV', () => {
  it.each([
    ['binary.npz'],
    ['binary_compressed.npz'],
    ['binary.parquet'],
    ['binary_plain.parquet'],
    ['binary.arrow'],
    ['binary.arrows'],
  ])('binary: %s = binary.csv', async (name) => {
    expect(data(await json(['sweep', '--input', f(name), ...SWEEP]))).toEqual(
      data(await json(['sweep', '--input', f('binary.csv'), ...SWEEP])),
    );
    expect(data(await json(['calibration', '--input', f(name)]))).toEqual(
      data(await json(['calibration', '--input', f('binary.csv')])),
    );
  });

  it.each([
    ['p_f8.npy', 'y_i8.npy'],
    ['p_f4.npy', 'y_i2_be.npy'],
    ['p_f2.npy', 'y_u1.npy'],
  ])('binary, two .npy files (%s, %s) = binary.csv', async (p, y) => {
    const two = ['--input', f(p), '--labels', f(y), '--columns', `p=${p.replace('.npy', '')}`];
    expect(data(await json(['sweep', ...two, ...SWEEP]))).toEqual(
      data(await json(['sweep', '--input', f('binary.csv'), ...SWEEP])),
    );
    expect(data(await json(['calibration', ...two]))).toEqual(
      data(await json(['calibration', '--input', f('binary.csv')])),
    );
  });

  it.each([['vectors.npz'], ['vectors.parquet'], ['vectors.arrow']])(
    'softmax vectors: %s = vectors.csv (x0+x1+x2+x3)',
    async (name) => {
      const csv = ['--input', f('vectors.csv'), '--columns', 'logits=x0+x1+x2+x3,y=target'];
      expect(data(await json(['sweep', '--input', f(name), '--gamma', '0,1,2']))).toEqual(
        data(await json(['sweep', ...csv, '--gamma', '0,1,2'])),
      );
      expect(data(await json(['calibration', '--input', f(name)]))).toEqual(data(await json(['calibration', ...csv])));
    },
  );

  it('several models in different formats side by side; --labels refused beside text', async () => {
    const doc = await json(['calibration', '--input', f('binary.csv'), '--input', f('binary.parquet')]);
    expect(doc.rows.map((r: any) => r.model)).toEqual([f('binary.csv'), f('binary.parquet')]);
    expect({ ...doc.rows[1], model: null }).toEqual({ ...doc.rows[0], model: null });
    const r = await runCli(['sweep', '--input', f('binary.csv'), '--labels', f('y_i8.npy')]);
    expect([r.code, r.stdout, r.stderr.split('\n').length]).toEqual([2, '', 2]);
  });
});

describe('--partial shards of sweep and calibration merge into the report of one run, bit for bit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'focal-answers-shards-'));
  const answers = fileURLToPath(new URL('./fixtures/answers/', import.meta.url));
  /** The rows of a CSV cut at random into shards, each written as CSV or NDJSON (or, for one-column predictions, two .npy files). */
  function shards(input: string, seed: number): string[][] {
    const [header, ...rows] = readFileSync(input, 'utf8').trim().split('\n');
    const names = header!.split(',');
    const r = random(seed);
    const cuts = [
      ...new Set(Array.from({ length: 2 + Math.floor(r() * 5) }, () => 1 + Math.floor(r() * (rows.length - 1)))),
    ].sort((a, b) => a - b);
    const bounds = [0, ...cuts, rows.length];
    return bounds.slice(1).map((end, k) => {
      const part = rows.slice(bounds[k], end);
      const base = join(dir, `s${seed}-${k}`);
      const kind = Math.floor(r() * 3);
      if (kind === 0 || (kind === 2 && names.length > 2)) {
        writeFileSync(`${base}.csv`, `${header}\n${part.join('\n')}\n`);
        return ['--input', `${base}.csv`];
      }
      if (kind === 1) {
        writeFileSync(
          `${base}.ndjson`,
          part
            .map((line) => JSON.stringify(Object.fromEntries(line.split(',').map((v, j) => [names[j], Number(v)]))))
            .join('\n') + '\n',
        );
        return ['--input', `${base}.ndjson`];
      }
      const cells = part.map((line) => line.split(',').map(Number));
      writeFileSync(`${base}-${names[0]}.npy`, npyBytes(cells.map((c) => c[0]!)));
      writeFileSync(`${base}-y.npy`, npyBytes(cells.map((c) => c[1]!)));
      return [
        '--input',
        `${base}-${names[0]}.npy`,
        '--labels',
        `${base}-y.npy`,
        '--columns',
        `${names[0]}=s${seed}-${k}-${names[0]}`,
      ];
    });
  }

  const cases = [
    ['sweep, binary', 'binary-logits.csv', ['sweep', '--gamma', '0,0.5,1,2,5', '--alpha', '0.1,0.25,none']],
    ['sweep, multiclass', 'multi-logits.csv', ['sweep', '--gamma', '0,1,2']],
    ['calibration, binary', 'binary-p.csv', ['calibration']],
    ['calibration, multiclass', 'multi-logits.csv', ['calibration', '--bins', '10']],
  ] as const;
  for (const [name, file, command] of cases) {
    it.each([1, 2, 3])(`${name}: random split %i`, async (seed) => {
      const input = join(answers, file);
      const one = await json([...command, '--input', input]);
      const partials: string[] = [];
      for (const [k, shard] of shards(input, seed * 7919 + file.length).entries()) {
        const out = join(dir, `${name.replace(/\W+/g, '-')}-${seed}-${k}.json`);
        const r = await runCli([...command, ...shard, '--partial', out]);
        expect([r.code, r.stdout]).toEqual([0, '']);
        partials.push(out);
      }
      const merged = await json(['merge', ...partials.reverse()]);
      expect(merged.command).toBe(command[0]);
      expect(merged.params.shards).toBe(partials.length);
      if (command[0] === 'sweep') {
        expect([merged.rows, merged.sections, merged.summary.n]).toEqual([one.rows, one.sections, one.summary.n]);
        return;
      }
      // every number but those that need passes over all the samples, which a merge reports as null
      const passes = [
        'ada_ece',
        'temperature',
        'ece_scaled',
        'ada_ece_scaled',
        'mce_scaled',
        'brier_scaled',
        'nll_scaled',
      ];
      const [m, o] = [merged.rows[0], one.rows[0]];
      for (const key of passes) expect([key, m[key]]).toEqual([key, null]);
      for (const key of Object.keys(o))
        if (!passes.includes(key) && key !== 'model') expect([key, m[key]]).toEqual([key, o[key]]);
      expect(merged.sections.reliability.map((b: any) => ({ ...b, model: null }))).toEqual(
        one.sections.reliability.map((b: any) => ({ ...b, model: null })),
      );
      expect((await runCli(['merge', ...partials])).stdout).toMatch(/no AdaECE and no temperature/);
    });
  }

  it('refuses shards of other grids or bins, and --partial with several models or a picture, in one line', async () => {
    const input = join(answers, 'binary-p.csv');
    const part = (name: string, argv: string[]) => {
      const out = join(dir, name);
      return runCli([...argv, '--input', input, '--partial', out]).then((r) => (expect(r.code).toBe(0), out));
    };
    const a = await part('g1.json', ['sweep', '--gamma', '1']);
    const b = await part('g2.json', ['sweep', '--gamma', '2']);
    const c = await part('b10.json', ['calibration', '--bins', '10']);
    for (const argv of [
      ['merge', a, b],
      ['merge', a, c],
      ['calibration', '--input', input, '--input', input, '--partial', join(dir, 'x.json')],
      ['sweep', '--input', input, '--partial', join(dir, 'y.json'), '--chart'],
    ]) {
      const r = await runCli(argv);
      expect([r.code, r.stdout, r.stderr.split('\n').length]).toEqual([2, '', 2]);
    }
  });
});

describe('calibration passes over a temporary file of the samples', () => {
  const input = fileURLToPath(new URL('./fixtures/answers/multi-logits.csv', import.meta.url));
  it('from stdin: the report of the file, AdaECE and T included', async () => {
    const r = runBin(['calibration', '--input', '-', '--json'], { input: readFileSync(input, 'utf8') });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(data(parseJson(r.stdout))).toEqual(data(await json(['calibration', '--input', input])));
    expect(parseJson(r.stdout).rows[0].temperature).toEqual(expect.any(Number));
  });

  it('a temporary folder that cannot be written: one line, exit 2', () => {
    const r = runBin(['calibration', '--input', input], {
      env: { TMPDIR: join(tmpdir(), 'focal-no-such-folder', 'x') },
    });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(
      /^focal: error: cannot write a temporary file in .*focal-no-such-folder.* \(ENOENT\); set TMPDIR to a writable folder\.\n$/,
    );
  });
});
