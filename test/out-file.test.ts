import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './helpers/cli.js';

/**
 * Issue 8 §2, --out: a file is written whole or not at all (no temporary file left behind
 * when the disk fills), nothing at the target is replaced without --force (a symbolic link
 * included), and --out is refused wherever it would write nothing.
 */

const root = mkdtempSync(join(tmpdir(), 'focal-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
/** A fresh, empty folder per test, so that "nothing left behind" can be checked by listing it. */
const folder = () => {
  const dir = join(root, String(++folders));
  mkdirSync(dir);
  return dir;
};

const predictions = join(root, 'preds.csv');
writeFileSync(predictions, 'p,y\n0.9,1\n0.2,0\n0.6,0\n0.7,1\n');

function expectUsageError(r: { code: number; stdout: string; stderr: string }, message: RegExp) {
  expect([r.code, r.stdout]).toEqual([2, '']);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe('a write that fails midway leaves nothing', () => {
  // A file-size limit makes the write fail with EFBIG after the first blocks, as a full disk
  // fails with ENOSPC: the temporary file exists, half written, when the error comes.
  for (const [command, name] of [
    [['plot'], 'figure.svg'],
    [['plot'], 'figure.png'],
    [['anatomy', '--input', predictions], 'cdf.svg'],
  ] as const) {
    it(`${command[0]} --out ${name} under a 4 KiB file-size limit: exit 2 in words, and the folder stays empty`, () => {
      const dir = folder();
      const r = spawnSync(
        'sh',
        ['-c', 'ulimit -f 8 && exec "$0" "$@"', process.execPath, BIN, ...command, '--out', join(dir, name)],
        { encoding: 'utf8' },
      );
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(
        new RegExp(
          `^focal: error: option '--out' ".*${name.replace('.', '\\.')}" cannot be written: file too large\\.\\n$`,
        ),
      );
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});

describe('nothing at the target is replaced without --force', () => {
  it('a dangling symbolic link is refused, and kept', async () => {
    const dir = folder();
    const link = join(dir, 'figure.svg');
    symlinkSync(join(dir, 'nowhere.svg'), link);
    expectUsageError(await runCli(['plot', '--out', link]), /--out' ".*figure\.svg" is a symbolic link; add --force/);
    expect(readlinkSync(link)).toBe(join(dir, 'nowhere.svg'));
    expect(existsSync(join(dir, 'nowhere.svg'))).toBe(false);
  });
  it('with --force the link itself is replaced by the file; the file it pointed to is left alone', async () => {
    const dir = folder();
    const kept = join(dir, 'kept.svg');
    writeFileSync(kept, 'mine');
    const link = join(dir, 'figure.svg');
    symlinkSync(kept, link);
    expectUsageError(
      await runCli(['anatomy', '--input', predictions, '--out', link]),
      /is a symbolic link; add --force/,
    );
    const r = await runCli(['anatomy', '--input', predictions, '--out', link, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, 'utf8')).toMatch(/^<svg /);
    expect(readFileSync(kept, 'utf8')).toBe('mine');
  });
  it('a directory is never replaced, even with --force', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'figure.svg'));
    for (const force of [[], ['--force']])
      expectUsageError(
        await runCli(['plot', '--out', join(dir, 'figure.svg'), ...force]),
        /--out' ".*figure\.svg" is a directory/,
      );
    expect(readdirSync(dir)).toEqual(['figure.svg']);
  });
  it('a missing folder is said in words', async () => {
    expectUsageError(
      await runCli(['plot', '--out', join(root, 'no-such-folder', 'figure.svg')]),
      /cannot be written: no such file or directory\.$/m,
    );
  });
});

describe('--out is refused where it would write nothing', () => {
  const dir = folder();
  const svg = join(dir, 'never.svg');
  const page = join(dir, 'never.html');
  afterAll(() => expect(readdirSync(dir)).toEqual([]));
  for (const [name, argv, message] of [
    ["plot --out ''", ['plot', '--out', ''], /--out.*argument '' is invalid.*file name is empty/],
    ["anatomy --out ''", ['anatomy', '--input', predictions, '--out', ''], /--out.*file name is empty/],
    ["imbalance --input --out ''", ['imbalance', '--input', predictions, '--out', ''], /--out.*file name is empty/],
    [
      'imbalance without --input',
      ['imbalance', '--neg', '9', '--neg-pt', '0.9', '--pos', '1', '--pos-pt', '0.1', '--out', svg],
      /option '--out' applies to real predictions \(--input FILE\)/,
    ],
    [
      'imbalance --chart without --input',
      ['imbalance', '--neg', '9', '--neg-pt', '0.9', '--pos', '1', '--pos-pt', '0.1', '--chart'],
      /option '--chart' applies to real predictions/,
    ],
    [
      'imbalance --buckets without --input',
      ['imbalance', '--neg', '9', '--neg-pt', '0.9', '--pos', '1', '--pos-pt', '0.1', '--buckets', '5'],
      /option '--buckets' applies to real predictions/,
    ],
    [
      'anatomy --out with a data format',
      ['anatomy', '--input', predictions, '--out', svg, '--format', 'csv'],
      /--out' writes a picture; --format csv writes data/,
    ],
    [
      'anatomy --out with --json',
      ['anatomy', '--input', predictions, '--out', svg, '--json'],
      /--out' writes a picture; --format json writes data/,
    ],
    [
      'anatomy --chart with a data format',
      ['anatomy', '--input', predictions, '--chart', '--format', 'ndjson'],
      /--chart' draws a chart; --format ndjson writes data/,
    ],
    [
      'anatomy --chart with --format table',
      ['anatomy', '--input', predictions, '--chart', '--format', 'table'],
      /--chart' draws a chart; --format table writes a table/,
    ],
    [
      'anatomy --out with --chart',
      ['anatomy', '--input', predictions, '--out', svg, '--chart'],
      /--out' writes the chart to a file and --chart draws it in the terminal; give one/,
    ],
    [
      'anatomy --force without --out',
      ['anatomy', '--input', predictions, '--force'],
      /--force' replaces the --out file, but no --out is given/,
    ],
    [
      'anatomy --out page with a data format',
      ['anatomy', '--input', predictions, '--out', page, '--format', 'csv'],
      /--out' writes a page; --format csv writes data/,
    ],
    [
      'sweep --out page with a data format',
      ['sweep', '--input', predictions, '--out', page, '--format', 'tsv'],
      /--out' writes a page; --format tsv writes data/,
    ],
    [
      'sweep --out page with --json',
      ['sweep', '--input', predictions, '--out', page, '--json'],
      /--out' writes a page; --format json writes data/,
    ],
    [
      'sweep --out page with --chart',
      ['sweep', '--input', predictions, '--out', page, '--chart'],
      /--out' writes the report as a page and --chart draws it in the terminal; give one/,
    ],
    [
      'sweep --out .htm',
      ['sweep', '--input', predictions, '--out', join(dir, 'never.htm')],
      /must end in \.svg, \.png or \.html/,
    ],
    [
      'calibration --out page with a data format',
      ['calibration', '--input', predictions, '--out', page, '--format', 'ndjson'],
      /--out' writes a page; --format ndjson writes data/,
    ],
    [
      'calibration --out page with --json',
      ['calibration', '--input', predictions, '--out', page, '--json'],
      /--out' writes a page; --format json writes data/,
    ],
    [
      'calibration --force without --out',
      ['calibration', '--input', predictions, '--force'],
      /--force' replaces the --out file, but no --out is given/,
    ],
    ['plot --force without --out', ['plot', '--force'], /--force' replaces the --out file, but no --out is given/],
    ['plot --out with --json', ['plot', '--out', svg, '--json'], /--out' writes a picture; --format json writes data/],
    ['compare --out', ['compare', '--p', '0.9', '--out', svg], /unknown option '--out'/],
    ['loss --out', ['loss', '--p', '0.9', '--y', '1', '--out', svg], /unknown option '--out'/],
    ['prior --out', ['prior', '--out', svg], /unknown option '--out'/],
  ] as const) {
    it(name, async () => expectUsageError(await runCli([...argv]), message));
  }
});

describe('plot --json --format csv is refused as compare refuses it', () => {
  it('the same one line from both', async () => {
    const plot = await runCli(['plot', '--json', '--format', 'csv']);
    const compare = await runCli(['compare', '--p', '0.9', '--json', '--format', 'csv']);
    expectUsageError(plot, /--json and --format csv disagree; give one of them/);
    expect(plot.stderr).toBe(compare.stderr);
  });
  it('--json with --format json is fine', async () => {
    const r = await runCli(['plot', '--json', '--format', 'json', '--samples', '2', '--gamma', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toHaveLength(2);
  });
});
