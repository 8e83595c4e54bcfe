// Defects found by a hostile pass over the merged pipeline (round 2, session 2); each test failed
// before its fix.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, runBin, runCli } from './helpers/cli.js';
import { npyBytes } from './helpers/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'focal-review-'));
const PREDS = 'examples/preds.csv';

/** Writes an .npy file; returns its path. */
function npy(file: string, values: number[], dtype: '<f8' | '<i8', shape: number[] = [values.length]): string {
  writeFileSync(file, npyBytes(values, dtype, shape));
  return file;
}

describe('review fixes', () => {
  it('loss --reduction none streams a binary batch of 130,000 rows (no spread of a batch into push)', async () => {
    const n = 130_000;
    const p = npy(
      join(dir, 'big-logit.npy'),
      Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1)),
      '<f8',
    );
    const y = npy(
      join(dir, 'big-y.npy'),
      Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0)),
      '<i8',
    );
    const r = await runCli([
      'loss',
      '--input',
      p,
      '--labels',
      y,
      '--columns',
      'logit=big-logit',
      '--reduction',
      'none',
      '--format',
      'csv',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(n + 1);
  });

  it.each([['sweep'], ['calibration']])(
    '%s --partial - writes the state to stdout, and merge - reads it',
    async (command) => {
      const partial = await runCli([command, '--input', PREDS, '--partial', '-']);
      expect([partial.code, partial.stderr]).toEqual([0, '']);
      expect(existsSync('-')).toBe(false);
      const one = parseJson((await runCli([command, '--input', PREDS, '--json'])).stdout);
      const merged = parseJson((await runBin(['merge', '-', '--json'], { input: partial.stdout })).stdout);
      expect(merged.rows.length).toBe(one.rows.length);
      expect(merged.command).toBe(command);
    },
  );

  it('sweep and calibration --partial name --partial when the file cannot be written', async () => {
    for (const command of ['sweep', 'calibration']) {
      const r = await runCli([command, '--input', PREDS, '--partial', join(dir, 'no-such-folder', 'x.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^focal: error: option '--partial' .* cannot be written/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('sweep has one column per key in every machine format', async () => {
    const csv = await runCli(['sweep', '--input', PREDS, '--gamma', '2', '--alpha', '0.25', '--format', 'csv']);
    const header = csv.stdout.split('\n')[0]!.split(',');
    expect(header.length).toBe(new Set(header).size);
    expect(header).toContain('positive_fl_share');
  });

  it('merge of shards of two commands says so', async () => {
    const loss = join(dir, 'lo.json');
    const sweep = join(dir, 'sw.json');
    expect((await runCli(['loss', '--input', PREDS, '--partial', loss])).code).toBe(0);
    expect((await runCli(['sweep', '--input', PREDS, '--partial', sweep])).code).toBe(0);
    const r = await runCli(['merge', loss, sweep]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `focal: error: ${sweep} is a partial file of 'focal sweep', ${loss} of 'focal loss': merge combines shards of one command.\n`,
    );
  });

  it('a bad label in a large two-file .npy input is one line on stderr (the files are closed, no GC warnings)', () => {
    const n = 200_000;
    const p = npy(
      join(dir, 'wide.npy'),
      Array.from({ length: n * 5 }, (_, i) => Math.sin(i)),
      '<f8',
      [n, 5],
    );
    const t = npy(
      join(dir, 'wide-t.npy'),
      Array.from({ length: n }, (_, i) => (i % 13 === 0 ? -2 : i % 5)),
      '<i8',
    );
    for (let k = 0; k < 3; k++) {
      const r = runBin(['loss', '--input', p, '--labels', t]);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('in the two-file form a bad label names the labels file, a bad prediction the predictions file', async () => {
    const p = npy(join(dir, 'two-p.npy'), [0.1, 0.5, 0.7], '<f8');
    const y = npy(join(dir, 'two-y.npy'), [0, 1, 2], '<i8');
    const label = await runCli(['loss', '--input', p, '--labels', y, '--columns', 'p=two-p']);
    expect([label.code, label.stdout, label.stderr]).toEqual([
      2,
      '',
      `focal: error: ${y}: row 3: label 2 is not in [0, 1]\n`,
    ]);
    const q = npy(join(dir, 'two-q.npy'), [0.1, 1.5, 0.7], '<f8');
    const y01 = npy(join(dir, 'two-y01.npy'), [0, 1, 1], '<i8');
    const prediction = await runCli(['loss', '--input', q, '--labels', y01, '--columns', 'p=two-q']);
    expect([prediction.code, prediction.stderr]).toEqual([2, `focal: error: ${q}: row 2: p = 1.5 is not in [0, 1]\n`]);
  });
});

// Round 2, session 3: a hostile pass over the day's merge.
describe('review fixes (session 3)', () => {
  it('the reliability diagram in ASCII (TERM=dumb, LC_ALL=C): gap shades and the count strip are characters, not "?"', async () => {
    const argv = ['calibration', '--input', 'examples/model-ce.csv', '--input', 'examples/model-fl.csv', '--chart'];
    const envs: Record<string, string>[] = [{ TERM: 'dumb', COLUMNS: '60' }, { LC_ALL: 'C' }];
    for (const env of envs) {
      const r = await runCli(argv, { env });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/[^\x00-\x7f]/);
      expect(r.stdout).not.toContain('?');
      expect(r.stdout).toMatch(/\.: gap \(confidence - accuracy\); _-# samples per bin \(highest \d+\)/);
      // one strip row per model, marked by its glyph, with a bar under every non-empty bin
      expect(r.stdout).toMatch(/\n {2}o {2}[_.,\-~+*# ]+\n {2}\+ {2}[_.,\-~+*# ]+\n/);
    }
  });

  it('merging calibration partials of other --bins names the disagreement, not a "damaged" state', async () => {
    const a = join(dir, 'bins15.json');
    const b = join(dir, 'bins16.json');
    expect((await runCli(['calibration', '--input', 'examples/model-ce.csv', '--partial', a])).code).toBe(0);
    const made = await runCli(['calibration', '--input', 'examples/model-fl.csv', '--bins', '16', '--partial', b]);
    expect(made.code).toBe(0);
    const r = await runCli(['merge', a, b]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bins16\.json was made with bins = 16, .*bins15\.json with bins = 15/);
    expect(r.stderr).not.toMatch(/damaged/);
  });
});

describe('review fixes (session 3): a cut .npy', () => {
  it('a bad value before the cut is the error on one thread as on three (the rows before the cut go on first)', async () => {
    const n = 300_000;
    const p = Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000);
    p[99_990] = 1.5;
    const whole = npyBytes(p, '<f8', [n]);
    const cut = join(dir, 'p-bad-then-cut.npy');
    writeFileSync(cut, whole.subarray(0, 128 + 120_000 * 8)); // cut inside row 120,001's part of the data
    const y = npy(
      join(dir, 'y-for-cut.npy'),
      p.map((_, i) => i % 2),
      '<i8',
    );
    const argv = ['loss', '--input', cut, '--labels', y, '--columns', 'p=p-bad-then-cut,y=y-for-cut', '--json'];
    const one = await runCli([...argv, '--threads', '1']);
    const three = await runCli([...argv, '--threads', '3']);
    expect(one.code).toBe(2);
    expect(one.stdout).toBe('');
    expect(one.stderr).toMatch(/p-bad-then-cut\.npy: row 99991: p = 1\.5 is not in \[0, 1\]\n$/);
    expect(three).toEqual(one);
    // without the bad value, the cut is the error, on one thread as on three
    const fine = join(dir, 'p-cut.npy');
    writeFileSync(
      fine,
      npyBytes(
        p.map((v) => Math.min(v, 1)),
        '<f8',
        [n],
      ).subarray(0, 128 + 120_000 * 8),
    );
    const argv2 = ['loss', '--input', fine, '--labels', y, '--columns', 'p=p-cut,y=y-for-cut', '--json'];
    const cut1 = await runCli([...argv2, '--threads', '1']);
    expect(cut1.code).toBe(2);
    expect(cut1.stderr).toMatch(
      /p-cut\.npy: truncated \.npy: shape \(300000\) of float64 needs 2400128 bytes, the file has 960128\n$/,
    );
    expect(await runCli([...argv2, '--threads', '3'])).toEqual(cut1);
  }, 60_000);
});

describe('review fixes (session 3): --partial replaces a partial file, nothing else', () => {
  it('refuses to write over an input or any other file, before reading, in every command; a partial is replaced', async () => {
    const input = join(dir, 'keep.csv');
    const text = 'p,y\n0.3,1\n0.6,0\n';
    writeFileSync(input, text);
    for (const argv of [['loss'], ['anatomy'], ['sweep', '--gamma', '1'], ['calibration']]) {
      const r = await runCli([...argv, '--input', input, '--partial', input]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/keep\.csv": that file exists and is not a focal partial file; it is not replaced/);
      expect(readFileSync(input, 'utf8')).toBe(text);
      expect(existsSync(`${input}.samples`)).toBe(false);
      // a shard run again replaces its own partial file
      const partial = join(dir, `again-${argv[0]}.json`);
      expect((await runCli([...argv, '--input', input, '--partial', partial])).code).toBe(0);
      expect((await runCli([...argv, '--input', input, '--partial', partial])).code).toBe(0);
    }
  });
});

describe('session 3: a merged sweep counts the rows --skip-invalid left out', () => {
  it('merge of sweep shards gives the summary of one run, skipped rows included', async () => {
    const input = join(dir, 'sweep-skip.csv');
    writeFileSync(input, 'p,y\n0.3,1\n0.6,0\nx,1\n0.2,0\n0.9,1\n');
    const argv = ['sweep', '--input', input, '--gamma', '0,1,2', '--skip-invalid'];
    const one = await runCli([...argv, '--json']);
    expect(one.code).toBe(0);
    const partial = join(dir, 'sweep-skip.json');
    expect((await runCli([...argv, '--partial', partial])).code).toBe(0);
    const merged = await runCli(['merge', partial, '--json']);
    expect(merged.code).toBe(0);
    const [a, b] = [parseJson(one.stdout), parseJson(merged.stdout)] as { summary: unknown; rows: unknown }[];
    expect(b!.summary).toEqual({ n: 4, skipped: 1 });
    expect(b!.summary).toEqual(a!.summary);
    expect(b!.rows).toEqual(a!.rows);
  });
});
