import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

/**
 * Random command lines, good and bad, run in-process: the program must always answer with
 * status 0 and output free of NaN, or status 2 and exactly one line on stderr and nothing on
 * stdout — never an internal error, a stack trace or a NaN.
 */
let seed = 20261129;
const rand = () => ((seed = (seed * 48271) % 2147483647), seed / 2147483647);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

// Mostly valid values (to reach real answers at the ends of the ranges), some invalid.
const BAD = ['1.5', 'abc', '', 'nan', 'Infinity', '0:1:0', '-1'];
const PROBABILITIES = [
  '0',
  '1',
  '0.5',
  '0.9',
  '1e-300',
  '5e-324',
  '0.9999999999999999',
  '0:1:0.25',
  '0.1,0.2,0.3',
  '-0',
];
const LOGITS = ['-3', '745', '-745', '1e308', '-1e308', '0', '40', '-40:40:20'];
const GAMMAS = ['0', '0.5', '2', '5', '0:5:2.5', '0.1'];
const COUNTS = ['0', '10', '1000000', '1e6', '2.5', '9007199254740992'];
const POOLS: Record<string, string[]> = {
  '--p': PROBABILITIES,
  '--pt': PROBABILITIES,
  '--y': ['0', '1', '0,1', '0.3', '1,0,1'],
  '--logit': LOGITS,
  '--gamma': GAMMAS,
  '--beta': ['0', '1', '-2'],
  '--epsilon': ['1', '-0.5', '-2'],
  '--clip': ['0', '0.05', '1'],
  '--threshold': ['0.5', '1', '0'],
  '--label-smoothing': ['0', '0.1', '1', '2'],
  '--precision': ['1', '17', '3', '0'],
  '--neg': COUNTS,
  '--pos': COUNTS,
  '--neg-pt': PROBABILITIES.slice(0, 7),
  '--pos-pt': PROBABILITIES.slice(0, 7),
  '--neg-p': PROBABILITIES.slice(0, 7),
  '--pos-p': PROBABILITIES.slice(0, 7),
  '--pi': ['0.01', '0.5', '1e-300', '0', '1'],
  '--anchors': COUNTS,
  '--y-max': ['5', '0.1', '-1'],
  '--samples': ['2', '5', '1'],
  '--width': ['20', '80', '5'],
  '--height': ['10', '24', '3'],
};
/** Commands that answer as they are, before random options are added. */
const BASES: Record<string, string[][]> = {
  compare: [
    ['--p', '0.9'],
    ['--logit', '-3', '--y', '1'],
    ['--pt', '0.5:1:0.25', '--y', '0'],
  ],
  loss: [
    ['--p', '0.2,0.9', '--y', '0,1'],
    ['--logit', '745,-745', '--y', '1'],
    ['--logits', '2,1,0.1;0,0,3', '--target', '0,2'],
  ],
  imbalance: [['--neg', '1000', '--neg-pt', '0.99', '--pos', '10', '--pos-pt', '0.01']],
  prior: [[]],
  plot: [
    ['--format', 'csv', '--samples', '5'],
    ['--width', '40', '--height', '12'],
  ],
};
const OPTIONS: Record<string, string[]> = {
  compare: [
    '--p',
    '--logit',
    '--pt',
    '--y',
    '--gamma',
    '--alpha',
    '--log-base',
    '--loss',
    '--beta',
    '--epsilon',
    '--clip',
    '--threshold',
    '--label-smoothing',
    '--grad',
    '--format',
    '--precision',
  ],
  loss: [
    '--p',
    '--logit',
    '--y',
    '--probs',
    '--logits',
    '--target',
    '--gamma',
    '--alpha',
    '--reduction',
    '--loss',
    '--label-smoothing',
    '--grad',
    '--format',
  ],
  imbalance: [
    '--neg',
    '--pos',
    '--neg-pt',
    '--pos-pt',
    '--neg-p',
    '--pos-p',
    '--gamma',
    '--alpha',
    '--log-base',
    '--format',
  ],
  prior: ['--pi', '--anchors', '--foreground', '--gamma', '--alpha', '--format'],
  plot: ['--gamma', '--alpha', '--kind', '--y-scale', '--x', '--y-max', '--samples', '--format', '--width', '--height'],
};
const WORDS: Record<string, string[]> = {
  '--log-base': ['e', '2', '10', '3'],
  '--loss': ['ce,fl', 'fl-star', 'poly1,asl', 'flsd,fl-reduced', 'dice', 'ce-balanced,poly1-fl'],
  '--format': ['table', 'json', 'csv', 'tsv', 'ndjson', 'xml', 'chart'],
  '--reduction': ['none', 'mean', 'sum', 'positives', 'avg'],
  '--kind': ['loss', 'ratio', 'weight', 'grad', 'area'],
  '--y-scale': ['linear', 'log', 'cubic'],
  '--x': ['0:1', '0.5:1', '0.9:0.1', '0.2'],
  '--probs': ['0.7,0.2,0.1', '0.5,0.5;0.1,0.9', '1', '0,0'],
  '--logits': ['2,1,0.1', '800,0,-800', '1,2;3', '0,0'],
  '--target': ['0', '1', '2', '0,1', '-1'],
  '--alpha': ['0.25', 'none', '0', '1', '0.2,0.3,0.5', '2'],
  '--foreground': ['1:1000', '0.5', '2:1'],
};
const FLAGS = new Set(['--grad']);

describe('random command lines', () => {
  it('always exit 0 (no NaN) or 2 (one line, nothing on stdout)', async () => {
    const failures: string[] = [];
    let succeeded = 0;
    for (let run = 0; run < 400; run++) {
      const command = pick(Object.keys(OPTIONS));
      const argv = [command, ...pick(BASES[command]!)];
      for (let k = Math.floor(rand() * 3); k > 0; k--) {
        const option = pick(OPTIONS[command]!);
        const pool = WORDS[option] ?? POOLS[option] ?? PROBABILITIES;
        if (FLAGS.has(option)) argv.push(option);
        else argv.push(rand() < 0.5 ? option : `${option}=`, rand() < 0.1 ? pick(BAD) : pick(pool));
      }
      // `--opt= value` is not a form anyone writes: join those
      const line = argv.join(' ').replace(/= /g, '=');
      const r = await runCli(line.split(' ').filter((a) => a !== '') as string[]);
      const ok =
        r.code === 0
          ? !/NaN/.test(r.stdout) && r.stdout.length > 0
          : r.code === 2 &&
            r.stdout === '' &&
            /^focal: (error: )?.+\n$/.test(r.stderr) &&
            !r.stderr.trimEnd().includes('\n');
      if (r.code === 0) succeeded++;
      if (!ok) failures.push(`focal ${line} → ${r.code}: ${(r.stderr || r.stdout).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(succeeded).toBeGreaterThan(100); // the grammar reaches real answers, not only errors
  }, 60_000);
});
