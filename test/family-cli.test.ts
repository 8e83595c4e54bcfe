import { describe, expect, it } from 'vitest';
import { evaluateVariants } from '../src/core/index.js';
import { parseJson, runBin, runCli } from './helpers/cli.js';

const LOSSES = 'ce,fl,ce-balanced,fl-star,poly1,poly1-fl,asl,fl-reduced,flsd';
const KEYS = ['ce', 'fl', 'ce_balanced', 'fl_star', 'poly1', 'poly1_fl', 'asl', 'fl_reduced', 'flsd'];

describe('focal compare --loss: the family side by side', () => {
  it('every loss is a column, in every format, equal to the core', () => {
    const argv = ['compare', '--logit', '-3,0.5,40', '--y', '0,1', '--loss', LOSSES, '--beta', '1', '--epsilon', '2'];
    const rows = parseJson(runBin([...argv, '--json']).stdout).rows;
    expect(rows).toHaveLength(6);
    let i = 0;
    for (const y of [0, 1]) {
      for (const x of [-3, 0.5, 40]) {
        const want = evaluateVariants(LOSSES.split(',') as never, 'logit', x, y, {
          gamma: 2,
          alpha: 0.25,
          beta: 1,
          epsilon: 2,
        });
        expect(KEYS.map((k) => rows[i][k])).toEqual([...want]);
        i++;
      }
    }
    const csv = runBin([...argv, '--format', 'csv']).stdout.split('\n');
    expect(csv[0]).toBe(`logit,p,y,pt,gamma,alpha,alpha_t,modulating,${KEYS.join(',')},ratio`);
    const nd = runBin([...argv, '--format', 'ndjson'])
      .stdout.trim()
      .split('\n')
      .map((l) => parseJson(l));
    expect(nd).toEqual(rows);
    const table = runBin(argv).stdout;
    for (const label of ['FL*', 'Poly-1', 'Poly-1 FL', 'ASL', 'FL reduced', 'FLSD', 'α·CE'])
      expect(table).toContain(label);
    expect(table).toMatch(/beta = 1, epsilon = 2/);
  });

  it('without --loss the classic columns are unchanged', () => {
    const row = parseJson(runBin(['compare', '--p', '0.9', '--y', '1', '--json']).stdout).rows[0];
    expect(Object.keys(row)).toEqual(['p', 'y', 'pt', 'gamma', 'alpha', 'alpha_t', 'modulating', 'ce', 'fl', 'ratio']);
  });

  it('--label-smoothing shows the smoothed label and uses it', () => {
    const row = parseJson(runBin(['compare', '--p', '0.9', '--y', '1', '--label-smoothing', '0.1', '--json']).stdout)
      .rows[0];
    expect([row.y, row.y_smoothed]).toEqual([1, 0.95]);
    expect(row.ce).toBeCloseTo(-(0.95 * Math.log(0.9) + 0.05 * Math.log(0.1)), 15);
  });

  it('--grad gives the gradients with respect to the logit and to p', () => {
    const row = parseJson(runBin(['compare', '--p', '0.3', '--y', '1', '--grad', '--json']).stdout).rows[0];
    expect(Object.keys(row).slice(-4)).toEqual(['grad', 'grad_ce', 'grad_p', 'grad_ce_p']);
    expect(row.grad_ce_p).toBeCloseTo(-1 / 0.3, 14);
    // chain rule: dFL/dx = dFL/dp · p(1 − p)
    expect(row.grad).toBeCloseTo(row.grad_p * 0.3 * 0.7, 14);
  });
});

describe('focal loss --loss', () => {
  it('sums and reduces every variant, from arguments and from a file alike', () => {
    const args = parseJson(
      runBin(['loss', '--p', '0.9,0.2,0.7', '--y', '1,0,1', '--loss', 'ce,fl,poly1,asl', '--json']).stdout,
    );
    const file = parseJson(
      runBin(['loss', '--loss', 'ce,fl,poly1,asl', '--json'], { input: 'p,y\n0.9,1\n0.2,0\n0.7,1\n' }).stdout,
    );
    for (const k of ['poly1', 'poly1_sum', 'asl', 'asl_sum', 'ce', 'fl']) expect(file.summary[k]).toBe(args.summary[k]);
    const want = [0.9, 0.2, 0.7].map(
      (p, i) => evaluateVariants(['poly1'], 'p', p, [1, 0, 1][i]!, { gamma: 2, alpha: 0.25 })[0]!,
    );
    expect(args.summary.poly1).toBeCloseTo(want.reduce((a, b) => a + b) / 3, 15);
    expect(args.rows[0].poly1).toBe(want[0]);
  });
});

describe('undefined variants are errors, not NaN', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'fl-star at γ = 0',
      ['compare', '--p', '0.5', '--loss', 'fl-star', '--gamma', '0'],
      /--loss' fl-star: fl-star divides by γ: it needs γ > 0/,
    ],
    [
      'asl with soft labels',
      ['compare', '--p', '0.5', '--y', '0.3', '--loss', 'asl'],
      /--loss' asl: asl needs hard labels/,
    ],
    [
      'fl-star with label smoothing',
      ['compare', '--p', '0.5', '--y', '1', '--loss', 'fl-star', '--label-smoothing', '0.1'],
      /label-smoothing makes labels soft/,
    ],
    ['an unknown loss', ['compare', '--p', '0.5', '--loss', 'dice'], /--loss.*"dice" is not a loss/],
    ['ε below −1', ['compare', '--p', '0.5', '--loss', 'poly1', '--epsilon', '-2'], /--epsilon.*outside \[-1/],
    ['a clip of 1', ['compare', '--p', '0.5', '--loss', 'asl', '--clip', '1'], /--clip.*outside/],
    [
      'binary-only variants with multiclass input',
      ['loss', '--logits', '1,2', '--target', '0', '--loss', 'asl'],
      /--loss' asl: binary only/,
    ],
  ];
  for (const [name, argv, message] of cases) {
    it(name, async () => {
      const r = await runCli(argv);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
  it('a soft label in a file with asl is a bad row (line and column named)', () => {
    const r = runBin(['loss', '--loss', 'ce,asl'], { input: 'p,y\n0.5,1\n0.5,0.5\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stdin:3: column y: asl needs hard labels 0 or 1, but the label is 0\.5/);
  });
});

describe('multiclass gradients in focal loss --grad', () => {
  it('JSON arrays over the logits, equal to the binary gradient for two classes, and ;-joined in CSV', () => {
    const doc = parseJson(
      runBin(['loss', '--logits', '2,-1;0.5,3', '--target', '0,1', '--reduction', 'none', '--grad', '--json']).stdout,
    );
    // two classes: softmax over [a, b] is σ(a − b), so dFL/da = binary dFL/dx at x = a − b, y = 1
    const binary = parseJson(runBin(['compare', '--logit', '3', '--y', '1', '--grad', '--json']).stdout).rows[0];
    expect(doc.rows[0].grad[0]).toBeCloseTo(binary.grad, 15);
    expect(doc.rows[0].grad[1]).toBeCloseTo(-binary.grad, 15);
    expect(doc.rows[0].grad_ce).toEqual([expect.closeTo(binary.grad_ce, 15), expect.closeTo(-binary.grad_ce, 15)]);
    const csv = runBin([
      'loss',
      '--logits',
      '2,-1;0.5,3',
      '--target',
      '0,1',
      '--reduction',
      'none',
      '--grad',
      '--format',
      'csv',
    ]).stdout.split('\n');
    expect(csv[0]).toBe('index,target,pt,gamma,alpha_t,modulating,ce,fl,ratio,grad,grad_ce');
    expect(csv[1]!.split(',')[9]).toBe(doc.rows[0].grad.join(';'));
  });
  it('a probability vector has no logit gradient: a clear error', async () => {
    const r = await runCli(['loss', '--probs', '0.5,0.5', '--target', '0', '--grad']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/--grad' gives the gradient over the logits: use --logits/);
  });
});
