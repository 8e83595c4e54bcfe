import { describe, expect, it } from 'vitest';
import { run } from '../src/cli.js';
import { runCli } from './helpers/cli.js';

/**
 * Every class of bad input: exit status 2, exactly one line on stderr that names the option
 * and the value and says what is allowed, and nothing on stdout.
 */
const CASES: [string, string[], RegExp][] = [
  ['p above 1', ['compare', '--p', '1.5'], /--p.*'1\.5'.*outside \[0, 1\]/],
  ['p below 0 in a list', ['compare', '--p', '0.5,-0.1'], /--p.*Item "-0\.1".*outside \[0, 1\]/],
  ['p not a number', ['compare', '--p', 'abc'], /--p.*'abc'.*not a number/],
  ['an empty list', ['compare', '--p', ''], /--p.*list is empty/],
  ['an empty list item', ['compare', '--p', '0.1,,0.2'], /--p.*empty item/],
  ['a hexadecimal number', ['compare', '--p', '0x1'], /--p.*not a number/],
  [
    'a label other than 0/1 where a hard label is needed',
    ['compare', '--pt', '0.5', '--y', '0.5'],
    /--y.*hard labels 0 or 1.*0\.5/,
  ],
  ['a label outside [0, 1]', ['compare', '--p', '0.5', '--y', '2'], /--y.*'2'.*outside \[0, 1\]/],
  ['γ < 0', ['compare', '--p', '0.5', '--gamma', '-1'], /--gamma.*'-1'.*must be ≥ 0/],
  ['γ not a number', ['compare', '--p', '0.5', '--gamma', 'two'], /--gamma.*'two'.*not a number/],
  ['α outside [0, 1]', ['compare', '--p', '0.5', '--alpha', '1.25'], /--alpha.*'1\.25'.*outside \[0, 1\]/],
  ['α a word other than none', ['compare', '--p', '0.5', '--alpha', 'auto'], /--alpha.*'auto'.*not a number.*none/],
  [
    'a logit out of the double range',
    ['compare', '--logit', '1e999', '--y', '1'],
    /--logit.*'1e999'.*out of the double range/,
  ],
  ['an unknown log base', ['compare', '--p', '0.5', '--log-base', '3'], /--log-base.*'3'.*e, 2, 10/],
  ['an unknown format', ['compare', '--p', '0.5', '--format', 'xml'], /--format.*'xml'.*table, json, csv, tsv, ndjson/],
  ['a range with step 0', ['compare', '--p', '0:1:0'], /--p.*step 0.*> 0/],
  ['a malformed range', ['compare', '--p', '0:1'], /--p.*not a range start:stop:step/],
  ['a backwards range', ['compare', '--p', '0.9:0.1:0.1'], /--p.*ends before it starts/],
  ['an absurd range', ['compare', '--logit', '0:1e9:1', '--y', '1'], /--logit.*1000000001 values; at most/],
  ['no predictions', ['compare'], /compare needs predictions.*--p, --logit, --pt/],
  ['two kinds of predictions', ['compare', '--p', '0.1', '--logit', '2'], /--p and --logit/],
  ['lists of mismatched length', ['loss', '--p', '0.1,0.2', '--y', '1,0,1'], /--y.*3 values for 2 samples/],
  ['loss without labels', ['loss', '--p', '0.1'], /loss needs labels.*--y/],
  ['a γ list in loss', ['loss', '--p', '0.1', '--y', '1', '--gamma', '1,2'], /--gamma.*one value in 'loss'/],
  [
    'an unknown reduction',
    ['loss', '--p', '0.1', '--y', '1', '--reduction', 'avg'],
    /--reduction.*'avg'.*none, mean, sum, positives/,
  ],
  ['a target outside the vector', ['loss', '--probs', '0.5,0.5', '--target', '2'], /--target.*2.*use 0 to 1/],
  [
    'vectors of different lengths',
    ['loss', '--logits', '1,2;1,2,3', '--target', '0'],
    /--logits.*sample 1 has 3 classes/,
  ],
  ['a one-class vector', ['loss', '--logits', '1', '--target', '0'], /--logits.*needs at least 2/],
  ['a fractional target', ['loss', '--logits', '1,2', '--target', '0.5'], /--target.*not a class index/],
  [
    'a negative count',
    ['imbalance', '--neg', '-5', '--pos', '1', '--neg-pt', '0.9', '--pos-pt', '0.1'],
    /--neg.*'-5'.*whole number ≥ 0/,
  ],
  [
    'a fractional count',
    ['imbalance', '--neg', '2.5', '--pos', '1', '--neg-pt', '0.9', '--pos-pt', '0.1'],
    /--neg.*'2\.5'.*whole number/,
  ],
  [
    'a count above 2^53',
    ['imbalance', '--neg', '1e16', '--pos', '1', '--neg-pt', '0.9', '--pos-pt', '0.1'],
    /--neg.*above 2\^53/,
  ],
  [
    'a missing group confidence',
    ['imbalance', '--neg', '5', '--pos', '1', '--neg-pt', '0.9'],
    /positives' confidence.*--pos-pt or --pos-p/,
  ],
  [
    'both forms of a confidence',
    ['imbalance', '--neg', '5', '--pos', '1', '--neg-pt', '0.9', '--neg-p', '0.1', '--pos-pt', '0.1'],
    /--neg-pt.*cannot be used with.*--neg-p/,
  ],
  ['an unknown option', ['compare', '--p', '0.5', '--bogus'], /unknown option '--bogus'/],
  ['an unknown subcommand', ['comprae'], /unknown command 'comprae'.*compare/],
  [
    '--json with another format',
    ['compare', '--p', '0.5', '--json', '--format', 'csv'],
    /--json and --format csv disagree/,
  ],
  // an option that holds one value, given twice: which one was meant would be a guess
  [
    '--input twice',
    ['loss', '--input', 'a.csv', '--input', 'b.csv'],
    /option '--input <file>' argument 'b\.csv' is invalid\. --input was already given; give it once/,
  ],
  [
    '--columns twice',
    ['loss', '--input', 'a.csv', '--columns', 'p=s', '--columns', 'y=t'],
    /'--columns <spec>' argument 'y=t'.*--columns was already given/,
  ],
  [
    'a role twice in --columns',
    ['loss', '--input', 'a.csv', '--columns', 'p=s,p=t'],
    /--columns.*role p is given twice/,
  ],
  ['--format twice', ['compare', '--p', '0.5', '--format', 'csv', '--format', 'json'], /--format was already given/],
  ['--out twice', ['plot', '--out', 'a.svg', '--out', 'b.svg'], /--out was already given/],
  [
    '--neg twice',
    ['imbalance', '--neg', '5', '--neg', '6', '--pos', '1', '--neg-pt', '0.9', '--pos-pt', '0.1'],
    /--neg was already given/,
  ],
  ['--pi twice', ['prior', '--pi', '0.1', '--pi', '0.2'], /--pi was already given/],
  [
    '--threads twice',
    ['anatomy', '--input', 'a.csv', '--threads', '1', '--threads', '2'],
    /--threads was already given/,
  ],
  ['--pt with a soft label in loss', ['loss', '--pt', '0.5', '--y', '0.5'], /--y.*with --pt takes hard labels 0 or 1/],
  ['--pt and --p in loss', ['loss', '--pt', '0.5', '--p', '0.5', '--y', '1'], /--p and --pt/],
];

describe('bad input exits 2 with one line on stderr and nothing on stdout', () => {
  for (const [name, argv, message] of CASES) {
    it(name, async () => {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^focal: error: /);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
    });
  }
});

describe('options that accumulate may repeat', () => {
  it('--p, --y and --gamma given twice append (compare), --loss too', async () => {
    const r = await runCli([
      'compare',
      '--p',
      '0.1',
      '--p',
      '0.2',
      '--y',
      '1',
      '--gamma',
      '0',
      '--gamma',
      '2',
      '--loss',
      'ce',
      '--loss',
      'fl',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows.map((row: { p: number; gamma: number }) => [row.gamma, row.p])).toEqual([
      [0, 0.1],
      [0, 0.2],
      [2, 0.1],
      [2, 0.2],
    ]);
  });
  it('flags without a value are harmless to repeat', async () => {
    expect((await runCli(['compare', '--p', '0.5', '--json', '--json'])).code).toBe(0);
  });
});

describe('negative numbers as values', () => {
  for (const argv of [['--logit', '-3'], ['--logit=-3'], ['--logit', '-3,-2.5'], ['--logit', '-1e3']]) {
    it(`compare ${argv.join(' ')}`, async () => {
      const r = await runCli(['compare', ...argv, '--y', '1', '--json']);
      expect(r.code).toBe(0);
      const rows = JSON.parse(r.stdout).rows;
      expect(rows[0].logit).toBeLessThan(0);
    });
  }
});

describe('help and version', () => {
  for (const cmd of ['compare', 'loss', 'imbalance', 'plot', 'prior', 'anatomy']) {
    it(`focal ${cmd} --help shows options and real examples, exit 0`, async () => {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: focal /);
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n\\s+\\$ focal ${cmd}\\b`));
      expect(r.stdout).toMatch(/--format <f>/);
    });
  }

  it('focal --help lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['compare', 'loss', 'imbalance', 'plot', 'prior', 'anatomy']) expect(r.stdout).toContain(cmd);
  });

  it('focal with no arguments prints a short usage on stdout and exits 0 (asking for nothing is not an error)', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: focal <command>/m);
  });
});

describe('an internal failure', () => {
  it('exits 1 with one line on stderr, no stack trace', async () => {
    let stderr = '';
    const code = await run(['compare', '--p', '0.5', '--json'], {
      stdout: {
        write: () => {
          throw new Error('disk full');
        },
      },
      stderr: { write: (s: string) => ((stderr += s), true) },
      env: {},
    });
    expect(code).toBe(1);
    expect(stderr).toBe('focal: internal error: disk full\n');
  });
});
