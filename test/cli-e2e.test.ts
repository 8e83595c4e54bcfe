import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evaluateBinary } from '../src/core/index.js';
import { BIN, parseJson, runBin, runCli } from './helpers/cli.js';

const ANSI = /\x1b\[/;

describe('the README quick start, through the built binary', () => {
  it('focal compare --p 0.9 --gamma 2 prints the easy positive and the hard negative', () => {
    const r = runBin(['compare', '--p', '0.9', '--gamma', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/γ = 2, α = 0\.25, log base = e/);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('│'));
    expect(lines).toHaveLength(3); // header + 2 rows
    expect(lines[1]).toMatch(/│\s+0\.9 │ 0 │\s+0\.1 │\s+0\.75 │\s+0\.81 │\s+2\.3026 │\s+1\.3988 │\s+1\.6461 │/);
    expect(lines[2]).toMatch(/│\s+0\.9 │ 1 │\s+0\.9 │\s+0\.25 │\s+0\.01 │\s+0\.10536 │\s+0\.0002634 │\s+400 │/);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('focal --version prints the package version', () => {
    const r = runBin(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("the article's numbers", () => {
  it('the four scenarios at γ = 2, α = 0.25, log base 10 (the article rounds 133.3 to 150 and 1.646 to 2)', () => {
    const r = runBin(['compare', '--y', '1,0', '--p', '0.9,0.1', '--log-base', '10', '--json']);
    expect(r.code).toBe(0);
    const rows = parseJson(r.stdout).rows as Record<string, number>[];
    const scenarios = rows.map((row) => [row.y, row.p, Number(row.ratio!.toFixed(3))]);
    expect(scenarios).toEqual([
      [1, 0.9, 400],
      [1, 0.1, 4.938],
      [0, 0.9, 1.646],
      [0, 0.1, 133.333],
    ]);
    // CE in base 10: −log10(0.9) and −log10(0.1) = 1.
    expect(rows[0]!.ce).toBeCloseTo(0.0457574905606751, 15);
    expect(rows[1]!.ce).toBeCloseTo(1, 15);
  });

  it('1,000,000 easy negatives versus 10 hard positives (log base 10)', () => {
    const r = runBin([
      'imbalance',
      '--neg',
      '1000000',
      '--neg-pt',
      '0.99',
      '--pos',
      '10',
      '--pos-pt',
      '0.01',
      '--gamma',
      '2',
      '--alpha',
      '0.25',
      '--log-base',
      '10',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const doc = parseJson(r.stdout);
    const [neg, pos] = doc.rows;
    expect([neg.class, neg.count, pos.class, pos.count]).toEqual(['negative', 1000000, 'positive', 10]);
    expect(neg.ce_total.toFixed(1)).toBe('4364.8');
    expect(pos.ce_total.toFixed(1)).toBe('20.0');
    expect(pos.ce_share.toFixed(4)).toBe('0.0046');
    expect(neg.fl_total.toFixed(4)).toBe('0.3274');
    expect(pos.fl_total.toFixed(4)).toBe('4.9005');
    expect(pos.fl_share.toFixed(4)).toBe('0.9374');
    expect(doc.summary.positive_fl_share).toBe(pos.fl_share);
    expect(doc.summary.alpha_inverse_frequency).toBe(1000000 / 1000010);
  });

  it('the imbalance table shows counts with thousands separators', () => {
    const r = runBin([
      'imbalance',
      '--neg',
      '1000000',
      '--neg-pt',
      '0.99',
      '--pos',
      '10',
      '--pos-pt',
      '0.01',
      '--log-base',
      '10',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1,000,000');
    expect(r.stdout).toMatch(/positives' share of FL\s+0\.93738/);
  });
});

describe('every format of every subcommand', () => {
  const commands: [string, string[]][] = [
    ['compare', ['compare', '--logit', '-745,-3,0,40,745', '--y', '0,1', '--gamma', '0,2']],
    ['loss', ['loss', '--p', '0,0.2,1', '--y', '1,0,1', '--reduction', 'none']],
    ['imbalance', ['imbalance', '--neg', '100', '--neg-p', '0.1', '--pos', '3', '--pos-p', '0.4']],
  ];
  for (const [name, argv] of commands) {
    it(`${name}: JSON, CSV, TSV and NDJSON agree, at full precision`, () => {
      const json = parseJson(runBin([...argv, '--format', 'json']).stdout);
      expect(json.command).toBe(name);
      expect(Object.keys(json)).toEqual(['command', 'params', 'rows', 'summary']);
      const rows = json.rows as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(1);
      const keys = Object.keys(rows[0]!);
      const fromDelimited = (text: string, sep: string) => {
        const [header, ...lines] = text.trimEnd().split('\n');
        expect(header!.split(sep)).toEqual(keys);
        return lines.map((l) =>
          Object.fromEntries(
            l
              .split(sep)
              .map((cell, i) => [
                keys[i],
                cell === '' ? null : /^-?(Infinity|[\d.]+(e[-+]?\d+)?)$/.test(cell) ? Number(cell) : cell,
              ]),
          ),
        );
      };
      expect(fromDelimited(runBin([...argv, '--format', 'csv']).stdout, ',')).toEqual(rows);
      expect(fromDelimited(runBin([...argv, '--format', 'tsv']).stdout, '\t')).toEqual(rows);
      const nd = runBin([...argv, '--format', 'ndjson'])
        .stdout.trimEnd()
        .split('\n')
        .map((l) => parseJson(l));
      expect(nd).toEqual(rows);
      expect(runBin([...argv, '--json']).stdout).toBe(runBin([...argv, '--format', 'json']).stdout);
    });
  }

  it('JSON numbers parse back to the very doubles the core computed', () => {
    const r = runBin(['compare', '--logit', '37,-0.1,745', '--y', '1', '--gamma', '0.5,5', '--json']);
    const rows = parseJson(r.stdout).rows;
    let i = 0;
    for (const gamma of [0.5, 5]) {
      for (const x of [37, -0.1, 745]) {
        const e = evaluateBinary('logit', x, 1, { gamma, alpha: 0.25 });
        expect([rows[i].ce, rows[i].fl, rows[i].ratio, rows[i].modulating]).toEqual([
          e.ce,
          e.fl,
          e.ratio,
          e.modulating,
        ]);
        i++;
      }
    }
  });

  it('Infinity is the string "Infinity" in JSON and never NaN', () => {
    const r = runBin(['compare', '--p', '0,1', '--y', '1', '--json']);
    expect(r.stdout).toContain('"ratio":"Infinity"');
    expect(r.stdout).toContain('"ce":"Infinity"');
    expect(r.stdout).not.toMatch(/NaN/);
  });

  it('grid order: γ slowest, then α, then y, then the input', () => {
    const rows = parseJson(
      runBin(['compare', '--p', '0.2,0.8', '--y', '1,0', '--gamma', '1,2', '--alpha', '0.25,none', '--json']).stdout,
    ).rows;
    const order = rows.map((r: any) => `${r.gamma}/${r.alpha}/${r.y}/${r.p}`);
    expect(order.slice(0, 5)).toEqual(['1/0.25/1/0.2', '1/0.25/1/0.8', '1/0.25/0/0.2', '1/0.25/0/0.8', '1/null/1/0.2']);
    expect(order).toHaveLength(16);
    expect(order[15]).toBe('2/null/0/0.8');
  });

  it('ranges include both ends and land on the decimals written', () => {
    const rows = parseJson(runBin(['compare', '--p', '0:1:0.1', '--y', '1', '--json']).stdout).rows;
    expect(rows.map((r: any) => r.p)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
});

describe('loss reductions against an independent sum', () => {
  const ps = [0.9, 0.2, 0.7, 0.05];
  const ys = [1, 0, 1, 0];
  // Independent: the formulas written out directly (moderate p, no extreme-value care needed).
  const ce = ps.map((p, i) => (ys[i] === 1 ? -Math.log(p) : -Math.log(1 - p)));
  const fl = ps.map((p, i) => {
    const pt = ys[i] === 1 ? p : 1 - p;
    const at = ys[i] === 1 ? 0.25 : 0.75;
    return at * (1 - pt) ** 2 * ce[i]!;
  });
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  for (const [reduction, divisor] of [
    ['mean', 4],
    ['sum', 1],
    ['positives', 2],
  ] as const) {
    it(`--reduction ${reduction}`, () => {
      const doc = parseJson(
        runBin(['loss', '--p', ps.join(','), '--y', ys.join(','), '--reduction', reduction, '--json']).stdout,
      );
      expect(doc.summary.reduction).toBe(reduction);
      expect(doc.summary.n).toBe(4);
      expect(doc.summary.positives).toBe(2);
      expect(doc.summary.ce).toBeCloseTo(sum(ce) / divisor, 14);
      expect(doc.summary.fl).toBeCloseTo(sum(fl) / divisor, 14);
      expect(doc.summary.ce_sum).toBeCloseTo(sum(ce), 14);
      expect(doc.summary.fl_sum).toBeCloseTo(sum(fl), 14);
      expect(doc.rows).toHaveLength(4);
    });
  }

  it('positives with no positive samples divides by 1', () => {
    const doc = parseJson(runBin(['loss', '--logit=-4,-5', '--y', '0', '--reduction', 'positives', '--json']).stdout);
    expect(doc.summary.positives).toBe(0);
    expect(doc.summary.fl).toBe(doc.summary.fl_sum);
  });

  it('a reduced loss is one CSV record: the summary', () => {
    const r = runBin(['loss', '--p', '0.9,0.2', '--y', '1,0', '--format', 'csv']);
    const [header, record, extra] = r.stdout.trimEnd().split('\n');
    expect(header).toBe(
      'reduction,n,positives,ce,fl,ce_sum,fl_sum,ce_mean,fl_mean,' +
        'negative_count,negative_ce_total,negative_fl_total,negative_ce_share,negative_fl_share,' +
        'positive_count,positive_ce_total,positive_fl_total,positive_ce_share,positive_fl_share',
    );
    expect(record).toMatch(/^mean,2,1,/);
    expect(extra).toBeUndefined();
  });

  it('multiclass: per-class α, softmax, and the summary', () => {
    const doc = parseJson(
      runBin(['loss', '--logits', '2,1,0.1;0,0,3', '--target', '0,2', '--alpha', '0.2,0.3,0.5', '--json']).stdout,
    );
    expect(doc.rows.map((r: any) => r.alpha_t)).toEqual([0.2, 0.5]);
    const lse = Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0.1));
    expect(doc.rows[0].ce).toBeCloseTo(lse - 2, 14);
    expect(doc.summary.n).toBe(2);
    expect(doc.summary).not.toHaveProperty('positives');
  });
});

describe('colour', () => {
  it('on a TTY tables are coloured', async () => {
    const r = await runCli(['compare', '--p', '0.9'], { isTTY: true });
    expect(r.stdout).toMatch(ANSI);
  });
  it('NO_COLOR turns colour off, even on a TTY', async () => {
    const r = await runCli(['compare', '--p', '0.9'], { isTTY: true, env: { NO_COLOR: '1' } });
    expect(r.stdout).not.toMatch(ANSI);
  });
  it('--no-color turns it off', async () => {
    const r = await runCli(['compare', '--p', '0.9', '--no-color'], { isTTY: true });
    expect(r.stdout).not.toMatch(ANSI);
  });
  it('not a TTY: no colour', async () => {
    const r = await runCli(['compare', '--p', '0.9'], { isTTY: false });
    expect(r.stdout).not.toMatch(ANSI);
  });
  it('machine formats are never coloured', async () => {
    const r = await runCli(['compare', '--p', '0.9', '--json'], { isTTY: true, env: { FORCE_COLOR: '1' } });
    expect(r.stdout).not.toMatch(ANSI);
  });
});

describe('pipes', () => {
  it('focal … | head -1 ends quietly with status 0', () => {
    const r = spawnSync(
      'bash',
      ['-c', `node ${BIN} compare --p 0:1:0.000001 --y 1 --format csv | head -1; echo "status=\${PIPESTATUS[0]}" >&2`],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('p,y,pt,gamma,alpha,alpha_t,modulating,ce,fl,ratio\n');
    expect(r.stderr.trim()).toBe('status=0');
  });
});
