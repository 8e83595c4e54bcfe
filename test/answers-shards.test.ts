/**
 * sweep and calibration on every input format (the same report as the CSV of the same samples)
 * and as --partial shards merged by `focal merge` (the report of one run, bit for bit).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  function shards(input: string, seed: number, count?: number): string[][] {
    const [header, ...rows] = readFileSync(input, 'utf8').trim().split('\n');
    const names = header!.split(',');
    const r = random(seed);
    const cut = () => 1 + Math.floor(r() * (rows.length - 1));
    const picked = new Set(Array.from({ length: count === undefined ? 2 + Math.floor(r() * 5) : 0 }, cut));
    while (count !== undefined && picked.size < count - 1) picked.add(cut());
    const cuts = [...picked].sort((a, b) => a - b);
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
      expect([merged.rows, merged.sections, merged.summary.n]).toEqual([one.rows, one.sections, one.summary.n]);
    });
  }

  /** A second multiclass model: the first's logits halved (a less confident model). */
  const softer = join(dir, 'multi-softer.csv');
  writeFileSync(
    softer,
    readFileSync(join(answers, 'multi-logits.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((line, i) =>
        i === 0
          ? line
          : line
              .split(',')
              .map((v, j, all) => (j < all.length - 1 ? String(Number(v) / 2) : v))
              .join(','),
      )
      .join('\n') + '\n',
  );
  const calibrationCases = [
    ['binary', [join(answers, 'binary-p.csv'), join(answers, 'binary-logits.csv')], []],
    ['multiclass', [join(answers, 'multi-logits.csv'), softer], ['--bins', '10']],
  ] as const;
  for (const [name, models, options] of calibrationCases)
    it.each([1, 2, 3, 4])(
      `calibration, ${name}, two models: each cut at random into %i shards merges into the bytes of one run, AdaECE and T included`,
      async (k) => {
        const side = await runCli(['calibration', ...models.flatMap((m) => ['--input', m]), ...options, '--json']);
        expect([side.code, side.stderr]).toEqual([0, '']);
        const together = parseJson(side.stdout);
        for (const [i, model] of models.entries()) {
          const single = await runCli(['calibration', '--input', model, ...options, '--json']);
          const partials = shards(model, 31 * k + i, k).map((shard, s) => {
            const out = join(dir, `cal-${name}-${k}-${i}-${s}.json`);
            return runCli(['calibration', ...shard, ...options, '--partial', out]).then((r) => {
              expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
              return out;
            });
          });
          const files = await Promise.all(partials);
          // any order of the shards gives the same bits
          const merged = await runCli(['merge', ...files.reverse(), '--json']);
          expect([merged.code, merged.stderr]).toEqual([0, '']);
          const doc = parseJson(merged.stdout);
          expect(doc.params.shards).toBe(k);
          expect(doc.rows[0].temperature).toEqual(expect.any(Number));
          expect(doc.rows[0].ada_ece).toEqual(expect.any(Number));
          // the bytes of the one-model run, once the merged report's name for the model (its shards) is that run's
          const named = merged.stdout
            .split(JSON.stringify(doc.rows[0].model))
            .join(JSON.stringify(model))
            .replace(`,"shards":${k}`, '');
          expect(named).toBe(single.stdout);
          // and the numbers of that model in the side-by-side run
          expect({ ...doc.rows[0], model }).toEqual(together.rows[i]);
          expect(doc.sections.reliability.map((b: any) => ({ ...b, model }))).toEqual(
            together.sections.reliability.filter((b: any) => b.model === model),
          );
        }
      },
    );

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

describe('calibration partial files and their samples: damaged, cut, swapped or mismatched is one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'focal-calibration-partials-'));
  const answers = fileURLToPath(new URL('./fixtures/answers/', import.meta.url));
  /** Two halves of 120 rows of binary-p.csv and one shard of multiclass logits, as partial files. */
  async function partials(tag: string): Promise<{ a: string; b: string; multi: string }> {
    const [header, ...rows] = readFileSync(join(answers, 'binary-p.csv'), 'utf8').trim().split('\n');
    const out: Record<string, string> = {};
    for (const [key, part] of [
      ['a', rows.slice(0, 120)],
      ['b', rows.slice(120)],
    ] as const) {
      const csv = join(dir, `${tag}-${key}.csv`);
      writeFileSync(csv, `${header}\n${part.join('\n')}\n`);
      out[key] = join(dir, `${tag}-${key}.json`);
      expect((await runCli(['calibration', '--input', csv, '--partial', out[key]!])).code).toBe(0);
    }
    out.multi = join(dir, `${tag}-multi.json`);
    const multi = ['calibration', '--input', join(answers, 'multi-logits.csv'), '--partial', out.multi];
    expect((await runCli(multi)).code).toBe(0);
    return out as { a: string; b: string; multi: string };
  }
  const edit = (file: string, change: (doc: any) => void) => {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    change(doc);
    writeFileSync(file, JSON.stringify(doc));
  };
  async function refused(files: string[], message: RegExp, input?: string) {
    const r = input === undefined ? await runCli(['merge', ...files]) : runBin(['merge', ...files], { input });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^focal: error: [^\n]+\n$/);
    expect(r.stderr).toMatch(message);
  }

  it('a partial file beside its samples, which are the float64 records the docs describe', async () => {
    const { a } = await partials('layout');
    const doc = JSON.parse(readFileSync(a, 'utf8'));
    const d = doc.collectors.calibration.state.samples;
    expect(doc.collectors.calibration.version).toBe(3);
    expect(d).toMatchObject({
      layout: 'focal-calibration-samples',
      version: 1,
      rows: 120,
      width: 1,
      file: 'layout-a.json.samples',
    });
    const bytes = readFileSync(`${a}.samples`);
    expect(bytes.byteLength).toBe(d.bytes);
    expect(d.bytes).toBe(8 * 120 * (1 + 3));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(d.sha256);
    // the first section: (confidence, hit) = (p, y) of the shard's rows; the second: (logit(p), y)
    const rows = readFileSync(join(answers, 'binary-p.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1, 121)
      .map((l) => l.split(',').map(Number));
    const f = (i: number) => bytes.readDoubleLE(8 * i);
    rows.forEach(([p, y], i) => {
      expect([f(2 * i), f(2 * i + 1)]).toEqual([p, y]);
      expect(f(240 + 2 * i + 1)).toBe(y);
      expect(Math.abs(1 / (1 + Math.exp(-f(240 + 2 * i))) - p!)).toBeLessThan(1e-15);
    });
  });

  it('a missing, cut, longer, flipped or swapped samples file', async () => {
    const { a, b } = await partials('damage');
    const original = readFileSync(`${a}.samples`);
    const cases: [Buffer | null, RegExp][] = [
      [null, /damage-a\.json\.samples: cannot be read \(no such file\)/],
      [original.subarray(0, 1000), /shorter than its partial file says/],
      [Buffer.concat([original, Buffer.alloc(8)]), /longer than the 3840 bytes/],
      [
        Buffer.from(original.map((x, i) => (i === 77 ? x ^ 1 : x))),
        /its SHA-256 is not the one .*damage-a\.json names/,
      ],
      // the other half: as many rows, other samples
      [readFileSync(`${b}.samples`), /its SHA-256 is not the one/],
    ];
    for (const [bytes, message] of cases) {
      if (bytes === null) rmSync(`${a}.samples`);
      else writeFileSync(`${a}.samples`, bytes);
      await refused([a, b], message);
    }
    writeFileSync(`${a}.samples`, original);
    expect((await runCli(['merge', a, b])).code).toBe(0);
  });

  it('a damaged state or descriptor, an older version, binary with multiclass', async () => {
    const { a, b, multi } = await partials('state');
    const cases: [(doc: any) => void, RegExp][] = [
      [(d) => (d.collectors.calibration.state.n = 'many'), /state-a\.json: its calibration state is damaged/],
      [(d) => d.collectors.calibration.state.top.counts.pop(), /its calibration state is damaged/],
      [(d) => (d.collectors.calibration.state.top.counts[3] += 1), /its calibration state is damaged/],
      [(d) => delete d.collectors.calibration.state.samples, /without its samples/],
      [(d) => (d.collectors.calibration.state.samples.rows = 119), /not a valid descriptor/],
      [(d) => (d.collectors.calibration.state.samples.file = '../x.samples'), /not a valid descriptor/],
      [(d) => (d.collectors.calibration.state.samples.version = 2), /samples of layout .* version 2; this focal reads/],
      [(d) => (d.collectors.calibration.version = 2), /'calibration' state version 2; this focal reads version 3/],
    ];
    const original = readFileSync(a, 'utf8');
    for (const [change, message] of cases) {
      writeFileSync(a, original);
      edit(a, change);
      await refused([a, b], message);
    }
    await refused([b, multi], /binary and multiclass states do not merge/);
  });

  it('--partial - carries the samples inline (base64): merge - gives the report of the file; a damaged one is refused', async () => {
    const input = join(answers, 'multi-logits.csv');
    const partial = await runCli(['calibration', '--input', input, '--partial', '-']);
    expect([partial.code, partial.stderr]).toEqual([0, '']);
    const d = JSON.parse(partial.stdout).collectors.calibration.state.samples;
    expect([d.file, d.base64.length > 0]).toEqual([undefined, true]);
    const merged = runBin(['merge', '-', '--json'], { input: partial.stdout });
    expect([merged.code, merged.stderr]).toEqual([0, '']);
    expect(data(parseJson(merged.stdout))).toEqual(data(await json(['calibration', '--input', input])));
    const doc = JSON.parse(partial.stdout);
    const piece: string = doc.collectors.calibration.state.samples.base64[0];
    doc.collectors.calibration.state.samples.base64[0] = (piece[0] === 'A' ? 'B' : 'A') + piece.slice(1);
    await refused(['-'], /stdin \(its inline samples\): its SHA-256 is not the one stdin names/, JSON.stringify(doc));
  });

  it('a partial that cannot be written leaves no samples file (nor temporary file) behind', async () => {
    const folder = join(dir, 'taken');
    mkdirSync(folder);
    const r = await runCli(['calibration', '--input', join(answers, 'binary-p.csv'), '--partial', folder]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^focal: error: option '--partial' .* cannot be written/);
    expect(readdirSync(dir).filter((n) => n.startsWith('taken') || n.startsWith('.taken'))).toEqual(['taken']);
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
