import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

/**
 * JSON `params` has one shape per key in every command (docs/formats.md): `gamma` is a number,
 * `gammas` an array, `alpha` a number or null, the input's format is `input_format`. Every key
 * any command writes is in the documented schema.
 */
const RUNS: Record<string, string[]> = {
  compare: ['compare', '--p', '0.9'],
  'compare, a grid': [
    'compare',
    '--p',
    '0.9',
    '--gamma',
    '1,2',
    '--alpha',
    '0.25,none',
    '--loss',
    'ce,fl,fl-star,poly1,asl,fl-reduced',
  ],
  'compare, label smoothing': ['compare', '--logit', '1', '--y', '1', '--label-smoothing', '0.1', '--grad'],
  loss: ['loss', '--p', '0.9,0.1', '--y', '1,0'],
  'loss, variants': ['loss', '--logit', '2,-1', '--y', '1,0', '--loss', 'fl,poly1-fl', '--alpha', 'none'],
  'loss, multiclass': ['loss', '--logits', '2,1,0.1', '--target', '0'],
  'loss, α per class': ['loss', '--logits', '2,1,0.1', '--target', '0', '--alpha', '0.2,0.3,0.5'],
  'loss, a file': ['loss', '--input', 'examples/preds.csv'],
  'loss, a file, per sample': ['loss', '--input', 'examples/preds.ndjson', '--reduction', 'none'],
  imbalance: ['imbalance', '--neg', '100', '--neg-pt', '0.9', '--pos', '1', '--pos-pt', '0.2'],
  prior: ['prior'],
  plot: ['plot', '--format', 'json', '--samples', '3'],
  anatomy: ['anatomy', '--input', 'examples/dets.tsv', '--columns', 'p=score,y=label'],
  'anatomy, multiclass α per class': ['anatomy', '--input', 'examples/multiclass.csv', '--alpha', '0.2,0.3,0.5'],
  'loss, .npz': ['loss', '--input', 'examples/formats/binary.npz'],
  'loss, two .npy, sigmoid': [
    'loss',
    '--input',
    'examples/formats/logits.npy',
    '--labels',
    'examples/formats/targets.npy',
    '--activation',
    'sigmoid',
  ],
  merge: ['merge', 'examples/partials/part-0.json', 'examples/partials/part-1.json'],
  sweep: ['sweep', '--input', 'examples/preds.csv', '--gamma', '1,2', '--alpha', '0.25,0.5'],
  calibration: ['calibration', '--input', 'examples/model-ce.csv'],
  'compare --as': ['compare', '--logit', '2', '--y', '1', '--as', 'torchvision', '--dtype', 'float16'],
  'loss --as': ['loss', '--logit', '2,-1', '--y', '1,0', '--as', 'keras', '--dtype', 'float32'],
  stability: ['stability', '--as', 'torchvision', '--dtype', 'bfloat16', '--gamma', '2', '--y', '1', '--logit=-5:5'],
};

const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
/** The shape each documented key must have. */
const SHAPES: Record<string, (v: unknown) => boolean> = {
  gamma: isNumber,
  gammas: (v) => Array.isArray(v) && v.length > 0 && v.every(isNumber),
  alpha: (v) => v === null || isNumber(v),
  alphas: (v) => Array.isArray(v) && v.length > 0 && v.every((a) => a === null || isNumber(a)),
  alpha_per_class: (v) => Array.isArray(v) && v.length > 1 && v.every(isNumber),
  prediction: (v) => ['p', 'logit', 'pt', 'probs', 'logits'].includes(v as string),
  input: (v) => typeof v === 'string',
  input_format: (v) => ['csv', 'tsv', 'ndjson', 'npy', 'npz', 'parquet', 'arrow'].includes(v as string),
  inputs: (v) => Array.isArray(v) && v.length > 0 && v.every((i) => typeof i === 'string'),
  as: (v) => Array.isArray(v) && v.length > 0 && v.every((i) => typeof i === 'string'),
  dtype: (v) => ['float64', 'float32', 'float16', 'bfloat16'].includes(v as string),
  dtypes: (v) =>
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((d) => ['float64', 'float32', 'float16', 'bfloat16'].includes(d as string)),
  columns: (v) => Array.isArray(v) && v.every((c) => typeof c === 'string'),
  log_base: (v) => ['e', '2', '10'].includes(v as string),
};

const documented = (() => {
  const formats = readFileSync(new URL('../docs/formats.md', import.meta.url), 'utf8');
  const table = formats.slice(formats.indexOf('### `params`'), formats.indexOf('### Rows and summaries'));
  // the first cell of each row names one or more keys: | `beta`, `epsilon` | …
  return new Set(
    table
      .split('\n')
      .flatMap((l) => (l.startsWith('| `') ? [...l.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!) : [])),
  );
})();

describe('JSON params', () => {
  it.each(Object.entries(RUNS))('%s: every key documented, each in its one shape', async (_name, argv) => {
    const r = await runCli([...argv, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const params = JSON.parse(r.stdout).params as Record<string, unknown>;
    for (const [key, value] of Object.entries(params)) {
      expect(documented.has(key), `params.${key} is not in docs/formats.md`).toBe(true);
      if (SHAPES[key]) expect(SHAPES[key]!(value), `params.${key} = ${JSON.stringify(value)}`).toBe(true);
    }
    expect(params).not.toHaveProperty('format'); // the input's format is input_format
    // exactly one of them (calibration has no γ: it measures predictions, not a loss)
    const alphaGiven = 'alpha' in params || 'alphas' in params || 'alpha_per_class' in params;
    if (argv[0] === 'calibration')
      expect(['gamma' in params, 'gammas' in params, alphaGiven]).toEqual([false, false, false]);
    else {
      expect('gamma' in params !== 'gammas' in params).toBe(true);
      expect(alphaGiven).toBe(true);
    }
  });

  it('a file gives its name, format, columns and the kind of prediction found', async () => {
    const params = JSON.parse(
      (await runCli(['loss', '--input', 'examples/dets.tsv', '--columns', 'p=score,y=label', '--json'])).stdout,
    ).params;
    expect(params).toMatchObject({
      input: 'examples/dets.tsv',
      input_format: 'tsv',
      columns: ['score', 'label'],
      prediction: 'p',
      gamma: 2,
      alpha: 0.25,
    });
  });

  it('a grid gives its lists in order; one value is still a list there', async () => {
    const grid = JSON.parse(
      (await runCli(['compare', '--p', '0.9', '--gamma', '0,2', '--alpha', '0.25,none', '--json'])).stdout,
    ).params;
    expect(grid).toMatchObject({ gammas: [0, 2], alphas: [0.25, null] });
    const one = JSON.parse((await runCli(['compare', '--p', '0.9', '--json'])).stdout).params;
    expect(one).toMatchObject({ gammas: [2], alphas: [0.25] });
  });
});
