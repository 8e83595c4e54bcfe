import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CompensatedSum } from '../src/core/index.js';
import { Progress } from '../src/cli/progress.js';
import { parseDecimal } from '../src/input/decimal.js';
import { BIN, parseJson, runBin, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'focal-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

// A small batch, with an independent computation of its losses (plain formulas: the values
// are moderate, where they are accurate to a few ulps).
const P = [0.9, 0.2, 0.7, 0.05, 0.6, 0.999];
const Y = [1, 0, 1, 0, 0, 1];
const ce = P.map((p, i) => (Y[i] === 1 ? -Math.log(p) : -Math.log(1 - p)));
const fl = P.map((p, i) => {
  const pt = Y[i] === 1 ? p : 1 - p;
  return (Y[i] === 1 ? 0.25 : 0.75) * (1 - pt) ** 2 * ce[i]!;
});
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const csv = `p,y\n${P.map((p, i) => `${p},${Y[i]}`).join('\n')}\n`;

function summaryOf(argv: string[], input?: string) {
  const r = runBin([...argv, '--json'], { input });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseJson(r.stdout).summary;
}

describe('parseDecimal: correctly rounded, straight from bytes', () => {
  const enc = new TextEncoder();
  const parse = (s: string) => {
    const b = enc.encode(s);
    return parseDecimal(b, 0, b.length);
  };
  it('agrees with Number() on 200,000 random decimals of 1 to 21 digits and every double shape', () => {
    let seed = 7;
    const u = () => ((seed = (seed * 16807) % 2147483647), seed / 2147483647);
    const bad: string[] = [];
    for (let k = 0; k < 40000; k++) {
      const x = Math.exp((u() - 0.5) * 100) * (u() < 0.5 ? 1 : -1);
      let digits = '';
      for (let j = 1 + Math.floor(u() * 21); j > 0; j--) digits += Math.floor(u() * 10);
      for (const s of [String(x), x.toPrecision(16), x.toPrecision(17), x.toExponential(18), `0.${digits}`]) {
        if (!Object.is(parse(s), Number(s))) bad.push(s);
      }
    }
    expect(bad).toEqual([]);
  });
  it('decides exact midpoints between doubles correctly (ties to even)', () => {
    for (const s of [
      '9007199254740993',
      '9007199254740995',
      '4503599627370496.5',
      '4503599627370497.5',
      '0.1',
      '1e-400',
      '5e-324',
      '1e400',
      '-0',
      '.5',
      '1.',
      '+7e+2',
    ]) {
      expect(Object.is(parse(s), Number(s)), s).toBe(true);
    }
  });
  it('rejects what is not a plain decimal', () => {
    for (const s of ['', '.', '-', 'e5', '1e', 'nan', 'NaN', 'inf', 'Infinity', '0x10', '1,5', '1.2.3', '1 2'])
      expect(parse(s), s).toBeNaN();
  });
});

describe('CompensatedSum', () => {
  it('keeps the digits that naive summation loses', () => {
    const s = new CompensatedSum();
    for (const x of [1, 1e100, 1, -1e100]) s.add(x);
    expect(s.value).toBe(2);
  });
  it('an infinite term gives an infinite sum, also after merging', () => {
    const a = new CompensatedSum();
    a.add(1);
    a.add(Infinity);
    const b = new CompensatedSum();
    b.add(2);
    b.merge(a);
    expect([a.value, b.value]).toEqual([Infinity, Infinity]);
  });
});

describe('loss --input: every format and source gives the same, correct summary', () => {
  const expectSummary = (s: Record<string, number>, reduction = 'mean') => {
    const divisor = reduction === 'mean' ? P.length : reduction === 'positives' ? 3 : 1;
    expect(s.n).toBe(6);
    expect(s.positives).toBe(3);
    expect(s.ce).toBeCloseTo(sum(ce) / divisor, 14);
    expect(s.fl).toBeCloseTo(sum(fl) / divisor, 14);
    expect(s.ce_sum).toBeCloseTo(sum(ce), 14);
    expect(s.fl_mean).toBeCloseTo(sum(fl) / 6, 14);
    const negFl = sum(fl.filter((_, i) => Y[i] === 0));
    expect(s.negative_fl_share).toBeCloseTo(negFl / sum(fl), 14);
    expect(s.negative_count).toBe(3);
  };
  it('CSV', () => expectSummary(summaryOf(['loss', '--input', file('a.csv', csv)])));
  it('TSV', () => expectSummary(summaryOf(['loss', '--input', file('a.tsv', csv.replace(/,/g, '\t'))])));
  it('NDJSON', () =>
    expectSummary(
      summaryOf(['loss', '--input', file('a.ndjson', P.map((p, i) => JSON.stringify({ p, y: Y[i] })).join('\n'))]),
    ));
  it('gzip', () => expectSummary(summaryOf(['loss', '--input', file('a.csv.gz', gzipSync(csv))])));
  it('stdin with --input -', () => expectSummary(summaryOf(['loss', '--input', '-'], csv)));
  it('stdin as a pipe, with no samples given', () => expectSummary(summaryOf(['loss'], csv)));
  it('gzip on stdin, NDJSON sniffed', () =>
    expectSummary(
      summaryOf(['loss'], gzipSync(P.map((p, i) => JSON.stringify({ p, y: Y[i] })).join('\n')) as unknown as string),
    ));
  it('CRLF line ends, a BOM, blank lines and no final newline', () =>
    expectSummary(
      summaryOf([
        'loss',
        '--input',
        file('crlf.csv', `\ufeff${csv.trimEnd().replace(/\n/g, '\r\n').replace('\r\n0.2', '\r\n\r\n0.2')}`),
      ]),
    ));
  for (const reduction of ['sum', 'positives']) {
    it(`--reduction ${reduction}`, () =>
      expectSummary(summaryOf(['loss', '--input', file('a.csv', csv), '--reduction', reduction]), reduction));
  }
  it('--reduction none streams one row per sample, equal to the command-line rows', () => {
    const fromFile = parseJson(runBin(['loss', '--input', file('a.csv', csv), '--reduction', 'none', '--json']).stdout);
    const fromArgs = parseJson(
      runBin(['loss', '--p', P.join(','), '--y', Y.join(','), '--reduction', 'none', '--json']).stdout,
    );
    expect(fromFile.rows).toEqual(fromArgs.rows);
    expect(fromFile.summary.fl_sum).toBe(fromArgs.summary.fl_sum);
  });
  it('a parallel run (--threads 2) gives the same bits as one thread', () => {
    const big = file(
      'big.csv',
      `p,y\n${Array.from({ length: 20000 }, (_, i) => `${((i * 7919) % 9973) / 9973},${i % 10 === 0 ? 1 : 0}`).join('\n')}\n`,
    );
    const one = summaryOf(['loss', '--input', big, '--threads', '1']);
    const two = summaryOf(['loss', '--input', big, '--threads', '2']);
    expect(two).toEqual(one);
  });
});

describe('NDJSON: the byte-level fast path reads exactly what JSON.parse reads', () => {
  // lines the fast path must take, and lines it must leave to JSON.parse (strings holding a
  // key, escapes, spaces, duplicate keys, booleans): each is p,y = the CSV row beside it
  const tricky: [string, string][] = [
    ['{"p":0.25,"y":1}', '0.25,1'],
    ['{ "y" : 0 , "p" : 1e-3 }', '0.001,0'],
    ['{"s":"p","p":0.5,"y":1}', '0.5,1'],
    ['{"s":"a\\"p\\":9","p":0.75,"y":0}', '0.75,0'],
    ['{"p":0.1,"p":0.2,"y":1}', '0.2,1'],
    ['{"p":0.3,"y":true}', '0.3,1'],
    ['{"y":false,"p":0.9,"extra":{"p":1}}', '0.9,0'],
  ];
  it('gives the same summary as the same rows in CSV', () => {
    const nd = summaryOf(['loss', '--input', file('tricky.ndjson', `${tricky.map(([l]) => l).join('\n')}\n`)]);
    const plain = summaryOf(['loss', '--input', file('tricky.csv', `p,y\n${tricky.map(([, c]) => c).join('\n')}\n`)]);
    expect(nd).toEqual(plain);
  });
  it('numbers JSON does not allow are bad rows, as JSON.parse says', () => {
    for (const bad of ['.5', '+0.5', '05', '1.', '1e', '0x1']) {
      const r = runBin(['loss', '--input', file('num.ndjson', `{"p":0.5,"y":1}\n{"p":${bad},"y":1}\n`)]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toBe(
        `focal: error: ${dir}/num.ndjson:2: not valid JSON: ${JSON.stringify(`{"p":${bad},"y":1}`)}\n`,
      );
    }
  });
  it('a truncated object is a bad row, not a sample', () => {
    const r = runBin(['loss', '--input', file('cut.ndjson', '{"p":0.5,"y":1}\n{"p":0.5,"y":1\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cut\.ndjson:2: not valid JSON: "\{\\"p\\":0\.5,\\"y\\":1"\n$/);
  });
  it('a string value is named as not a number', () => {
    const r = runBin(['loss', '--input', file('str.ndjson', '{"p":0.5,"y":1}\n{"p":"0.5","y":1}\n')]);
    expect(r.stderr).toMatch(/str\.ndjson:2: column p: "\\"0\.5\\"" is not a number/);
  });
});

describe('columns', () => {
  it('finds label and target as the label', () => {
    expect(summaryOf(['loss', '--input', file('l.csv', csv.replace('p,y', 'p,label'))]).n).toBe(6);
    expect(summaryOf(['loss', '--input', file('t.csv', csv.replace('p,y', 'p,target'))]).n).toBe(6);
  });
  it('--columns maps other names, and ignores other columns', () => {
    const other = `id,score,truth\n${P.map((p, i) => `${i},${p},${Y[i]}`).join('\n')}\n`;
    expect(summaryOf(['loss', '--input', file('o.csv', other), '--columns', 'p=score,y=truth']).fl).toBeCloseTo(
      sum(fl) / 6,
      14,
    );
  });
  it('logit and pt columns', () => {
    const logits = `logit,y\n${P.map((p, i) => `${Math.log(p / (1 - p))},${Y[i]}`).join('\n')}\n`;
    expect(summaryOf(['loss', '--input', file('x.csv', logits)]).fl).toBeCloseTo(sum(fl) / 6, 13);
    const pts = `pt,y\n${P.map((p, i) => `${Y[i] === 1 ? p : 1 - p},${Y[i]}`).join('\n')}\n`;
    expect(summaryOf(['loss', '--input', file('pt.csv', pts)]).fl).toBeCloseTo(sum(fl) / 6, 14);
  });
  it('multiclass: p_0, p_1, … with target, and --columns logits=a+b+c', () => {
    const probs = 'p_0,p_1,p_2,target\n0.7,0.2,0.1,0\n0.1,0.3,0.6,2\n';
    const s = summaryOf(['loss', '--input', file('m.csv', probs), '--gamma', '0', '--alpha', 'none']);
    expect(s.ce).toBeCloseTo((-Math.log(0.7) - Math.log(0.6)) / 2, 14);
    expect(s.class_2_count).toBe(1);
    const lg = 'a,b,c,cls\n2,1,0.1,0\n';
    const t = summaryOf([
      'loss',
      '--input',
      file('lg.csv', lg),
      '--columns',
      'logits=a+b+c,y=cls',
      '--gamma',
      '0',
      '--alpha',
      'none',
    ]);
    expect(t.ce).toBeCloseTo(Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0.1)) - 2, 14);
  });
  it('an ambiguous or missing prediction column is one clear error', async () => {
    const both = await runCli(['loss', '--input', file('both.csv', 'p,logit,y\n0.5,0,1\n')]);
    expect([both.code, both.stdout]).toEqual([2, '']);
    expect(both.stderr).toMatch(/several prediction columns \(p, logit\).*--columns/);
    const none = await runCli(['loss', '--input', file('none.csv', 'score,y\n0.5,1\n')]);
    expect(none.stderr).toMatch(/no prediction .*column among \[score, y\].*--columns p=score,y=label/);
    const wrong = await runCli(['loss', '--input', file('a.csv', csv), '--columns', 'p=nope']);
    expect(wrong.stderr).toMatch(/--columns' p=nope: no column "nope"/);
  });
});

describe('bad rows', () => {
  const bad = file('bad.csv', 'p,y\n0.5,1\n0.25,0\nabc,1\n0.5,1\n1.5,0\n0.5,\n0.5,2\n');
  it('stop the run with exit 2 and one line naming file, line, column and value; no summary', async () => {
    const r = runBin(['loss', '--input', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`focal: error: ${bad}:4: column p: "abc" is not a number\n`);
  });
  it('out-of-range values are named the same way', async () => {
    const r = runBin(['loss', '--input', file('range.csv', 'p,y\n0.5,1\n1.5,0\n')]);
    expect(r.stderr).toMatch(/range\.csv:3: column p: 1\.5 is outside \[0, 1\]/);
  });
  it('--skip-invalid skips them, counts them and says on stderr why it skipped the first ones', () => {
    const r = runBin(['loss', '--input', bad, '--skip-invalid', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `focal: skipped 4 invalid rows of ${bad}:\n` +
        '  line 4: column p: "abc" is not a number\n' +
        '  line 6: column p: 1.5 is outside [0, 1]\n' +
        '  line 7: column y: empty\n' +
        '  line 8: column y: 2 is not a label in [0, 1]\n',
    );
    const s = parseJson(r.stdout).summary;
    expect([s.n, s.skipped]).toEqual([3, 4]);
  });
  it("in a parallel run, --skip-invalid names the file's lines and why, from every thread", () => {
    const rows = Array.from({ length: 30000 }, (_, i) =>
      i === 100 ? 'oops,1' : i === 25000 ? '0.5,1,9' : `0.5,${i % 2}`,
    );
    const big = file('bigskip.csv', `p,y\n${rows.join('\n')}\n`);
    const r = runBin(['loss', '--input', big, '--threads', '2', '--skip-invalid', '--json']);
    expect(r.stderr).toBe(
      `focal: skipped 2 invalid rows of ${big}:\n  line 102: column p: "oops" is not a number\n  line 25002: more fields than the header has (2)\n`,
    );
    expect(parseJson(r.stdout).params.threads).toBe(2);
  });
  it('a quoted last field in a CRLF file is read, like an unquoted one', () => {
    const quoted = summaryOf(['loss', '--input', file('quoted-crlf.csv', 'p,y\r\n"0.9","1"\r\n0.2,"0"\r\n')]);
    expect(quoted).toEqual(summaryOf(['loss', '--input', file('plain-lf.csv', 'p,y\n0.9,1\n0.2,0\n')]));
  });
  it('blank lines (and a BOM) before the header count in line numbers: CSV, TSV, NDJSON', () => {
    for (const [name, content, line] of [
      ['lead.csv', '\n \r\np,y\n0.5,1\nabc,1\n', 5],
      ['lead.tsv', '\ufeff\r\np\ty\r\n0.5\t1\r\nabc\t1\r\n', 4],
      ['lead.ndjson', '\n\n{"p":0.5,"y":1}\n{"p":"abc","y":1}\n', 4],
    ] as const) {
      const path = file(name, content);
      expect(runBin(['loss', '--input', path]).stderr).toBe(
        `focal: error: ${path}:${line}: column p: ${name.endsWith('ndjson') ? '"\\"abc\\""' : '"abc"'} is not a number\n`,
      );
    }
  });
  it('in a parallel run too, blank lines before the header count (CSV and NDJSON)', () => {
    const csvRows = Array.from({ length: 30000 }, (_, i) => (i === 25000 ? 'oops,1' : `0.5,${i % 2}`));
    const big = file('bigblank.csv', `\ufeff\n \np,y\n${csvRows.join('\n')}\n`);
    expect(runBin(['loss', '--input', big, '--threads', '2']).stderr).toBe(
      `focal: error: ${big}:25004: column p: "oops" is not a number\n`,
    );
    const jsonRows = Array.from({ length: 30000 }, (_, i) =>
      i === 25000 ? '{"p":"oops","y":1}' : `{"p":0.5,"y":${i % 2}}`,
    );
    const bigJson = file('bigblank.ndjson', `\n\n${jsonRows.join('\n')}\n`);
    expect(runBin(['loss', '--input', bigJson, '--threads', '2']).stderr).toBe(
      `focal: error: ${bigJson}:25003: column p: "\\"oops\\"" is not a number\n`,
    );
  });
  it("in a parallel run, line numbers are the file's", () => {
    const rows = Array.from({ length: 30000 }, (_, i) => (i === 25000 ? 'oops,1' : `0.5,${i % 2}`));
    const big = file('bigbad.csv', `p,y\n${rows.join('\n')}\n`);
    const r = runBin(['loss', '--input', big, '--threads', '2']);
    expect(r.stderr).toBe(`focal: error: ${big}:25002: column p: "oops" is not a number\n`);
  });
});

describe('broken gzip is bad input', () => {
  it('a truncated .gz file: exit 2, one line, no summary', () => {
    const path = file('cut.csv.gz', gzipSync(csv).subarray(0, 20));
    const r = runBin(['loss', '--input', path]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(
      new RegExp(
        `^focal: error: ${path.replace(/[.]/g, '\\.')}: not valid gzip data \\(unexpected end of file\\)\\.\\n$`,
      ),
    );
  });
});

describe('empty input is an error, not a NaN', () => {
  it('every row skipped as invalid: exit 2, not a mean of nothing', () => {
    const r = runBin(['loss', '--input', file('allbad.csv', 'p,y\nx,1\n2,0\n'), '--skip-invalid', '--json']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/allbad\.csv: no valid rows \(all 2 skipped as invalid\); nothing to reduce\.\n$/);
  });
  for (const [name, content] of [
    ['header only', 'p,y\n'],
    ['nothing', ''],
    ['blank lines', '\n\n'],
  ] as const) {
    it(name, () => {
      const r = runBin(['loss', '--input', file(`empty-${name}.csv`, content)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/no data rows/);
    });
  }
  it('an empty stdin', () => {
    const r = runBin(['loss'], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stdin: the input has no data rows/);
  });
});

describe('streaming', () => {
  it('per-sample output stops quietly when the reader does (EPIPE → status 0)', () => {
    const path = file(
      'many.csv',
      `p,y\n${Array.from({ length: 200000 }, (_, i) => `${(i % 999) / 1000},${i % 2}`).join('\n')}\n`,
    );
    const r = spawnSync(
      'bash',
      [
        '-c',
        `node ${BIN} loss --input ${path} --reduction none --format csv | head -2; echo "status=\${PIPESTATUS[0]}" >&2`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout.split('\n')[0]).toBe('index,p,y,pt,gamma,alpha,alpha_t,modulating,ce,fl,ratio');
    expect(r.stderr.trim()).toBe('status=0');
  });

  it('Ctrl-C during a long run ends it with status 130 (no timing asserted: the run would take minutes)', () => {
    // The signal is sent once the run is under way (its first output bytes are written), not
    // after a fixed sleep that a loaded machine may not honour.
    const out = join(dir, 'interrupted.csv');
    const script = `node ${BIN} compare --p 0:1:0.0000001 --format csv > ${out} & pid=$!; while [ ! -s ${out} ]; do sleep 0.02; done; kill -INT $pid; wait $pid; echo $?`;
    expect(spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000 }).stdout.trim()).toBe('130');
  });

  it('memory stays flat: 10× more rows through stdin cost no more than a few MiB of peak RSS', () => {
    const preload = fileURLToPath(new URL('./helpers/report-rss.cjs', import.meta.url));
    const peak = (rows: number) => {
      // rows are generated by a second process and piped in: the input never exists as a whole
      const gen = `let s='p,y\\n';for(let i=0;i<${rows};i++){s+=((i%9973)/9973)+','+(i%100===0?1:0)+'\\n';if(s.length>65536){process.stdout.write(s);s=''}}process.stdout.write(s)`;
      const r = spawnSync('bash', ['-c', `node -e "${gen}" | node -r ${preload} ${BIN} loss --reduction mean --json`], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      expect(r.status).toBe(0);
      expect(parseJson(r.stdout).summary.n).toBe(rows);
      return Number(/maxrss=(\d+)/.exec(r.stderr)![1]) / 1024;
    };
    const small = peak(200_000); // ~4 MB of input
    const large = peak(2_000_000); // ~40 MB of input
    expect(large - small).toBeLessThan(16);
  }, 60_000);
});

describe('progress', () => {
  afterEach(() => vi.useRealTimers());
  it('is shown only on a terminal', () => {
    expect(Progress.for({ write: () => true, isTTY: false }, 100)).toBeNull();
    expect(Progress.for({ write: () => true }, 100)).toBeNull();
    expect(Progress.for({ write: () => true, isTTY: true }, 100)).not.toBeNull();
  });
  it('on a terminal: a bar with rows/s after half a second, erased at the end', () => {
    vi.useFakeTimers();
    let out = '';
    const p = Progress.for({ write: (s: string) => (out += s), isTTY: true }, 1000)!;
    p.update(10, 100);
    expect(out).toBe(''); // short runs show nothing
    vi.advanceTimersByTime(1000);
    p.update(500, 5_000_000);
    expect(out).toMatch(/\r\x1b\[2K \[#{12}\.{12}\]  50%  5,000,000 rows  5\.0M rows\/s/);
    p.done();
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });
  /**
   * The clock is moved on by a second at every look, so the run is "long" at once: with a terminal
   * on stderr the bar appears (the test can see one), without a terminal nothing is written.
   */
  it('never writes to stderr when it is not a terminal, even in a run longer than its delay', async () => {
    let now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
    try {
      const path = file('progress.csv', csv);
      const tty = await runCli(['loss', '--input', path], { stderrIsTTY: true });
      expect(tty.code).toBe(0);
      expect(tty.stderr).toContain('\r\x1b[2K'); // the bar was drawn (and erased)
      const pipe = await runCli(['loss', '--input', path], { stderrIsTTY: false });
      expect(pipe.code).toBe(0);
      expect(pipe.stderr).toBe('');
    } finally {
      clock.mockRestore();
    }
  });
});

/** One clear line on stderr, exit 2, nothing on stdout; returns that line. */
async function refused(argv: string[]): Promise<string> {
  const r = await runCli(argv);
  expect([r.code, r.stdout], r.stderr).toEqual([2, '']);
  expect(r.stderr.split('\n')).toHaveLength(2);
  return r.stderr;
}

describe('ambiguous input is an error, not a guess', () => {
  it('a header that names a used column twice (p,p,y and p,y,y)', async () => {
    expect(await refused(['loss', '--input', file('pp.csv', 'p,p,y\n0.5,0.9,1\n')])).toMatch(
      /pp\.csv: the header names column p 2 times; which one is meant is ambiguous/,
    );
    expect(await refused(['loss', '--input', file('yy.csv', 'p,y,y\n0.5,1,0\n')])).toMatch(
      /yy\.csv: the header names column y 2 times/,
    );
  });
  it('a duplicated column that is not used is no ambiguity', async () => {
    const idid = `id,id,p,y\n${P.map((p, i) => `${i},${i},${p},${Y[i]}`).join('\n')}\n`;
    expect(summaryOf(['loss', '--input', file('idid.csv', idid)]).fl).toBeCloseTo(sum(fl) / 6, 14);
  });
  it('two label columns (p,label,y), unless --columns says which', async () => {
    const path = file('two-labels.csv', 'p,label,y\n0.9,0,1\n');
    expect(await refused(['loss', '--input', path])).toMatch(
      /several label columns \(y, label\); choose one with --columns y=NAME/,
    );
    expect(summaryOf(['loss', '--input', path, '--columns', 'y=label']).negative_count).toBe(1);
  });
  it('a row with more fields than the header (0.9,1,5 under p,y); with --skip-invalid, skipped and said why', async () => {
    const path = file('wide.csv', 'p,y\n0.5,1\n0.9,1,5\n');
    expect(await refused(['loss', '--input', path])).toBe(
      `focal: error: ${path}:3: more fields than the header has (2)\n`,
    );
    const r = runBin(['loss', '--input', path, '--skip-invalid', '--json']);
    expect(r.stderr).toBe(`focal: skipped 1 invalid row of ${path}:\n  line 3: more fields than the header has (2)\n`);
    expect(parseJson(r.stdout).summary.n).toBe(1);
  });
  it('a quoted text column may hold the separator: it is one field, not more', () => {
    const path = file('quoted.csv', `p,y,note\n${P.map((p, i) => `${p},${Y[i]},"a, ""quoted"" note"`).join('\n')}\n`);
    expect(summaryOf(['loss', '--input', path]).fl).toBeCloseTo(sum(fl) / 6, 14);
    const first = file('quoted-first.csv', `note,p,y\n${P.map((p, i) => `"x,y",${p},${Y[i]}`).join('\n')}\n`);
    expect(summaryOf(['loss', '--input', first]).fl).toBeCloseTo(sum(fl) / 6, 14);
  });
  it('one column as both prediction and label (--columns p=y,y=y)', async () => {
    expect(await refused(['loss', '--input', file('a.csv', csv), '--columns', 'p=y,y=y'])).toMatch(
      /--columns' names column "y" for two roles/,
    );
  });
});

describe('consistent files', () => {
  const ndjson = P.map((p, i) => JSON.stringify({ p, y: Y[i] })).join('\n');
  it('NDJSON with a UTF-8 BOM is read as CSV and TSV with one are, on one thread or two', () => {
    const path = file('bom.ndjson', `\ufeff${ndjson}\n`);
    const plain = summaryOf(['loss', '--input', file('plain.ndjson', ndjson)]);
    expect(summaryOf(['loss', '--input', path])).toEqual(plain);
    expect(summaryOf(['loss', '--input', path, '--threads', '2'])).toEqual(plain);
    expect(summaryOf(['loss', '--input', '-'], `\ufeff${ndjson}`)).toEqual(plain);
  });
  it('JSON true/false are read as 1/0 for a binary label only; text "true" and a boolean prediction are refused', async () => {
    const bools = file('bools.ndjson', P.map((p, i) => JSON.stringify({ p, y: Y[i] === 1 })).join('\n'));
    expect(summaryOf(['loss', '--input', bools])).toEqual(summaryOf(['loss', '--input', file('a.csv', csv)]));
    expect(await refused(['loss', '--input', file('boolp.ndjson', '{"p":true,"y":1}\n')])).toMatch(
      /boolp\.ndjson:1: column p: "true" is not a number/,
    );
    expect(
      await refused(['loss', '--input', file('booltarget.ndjson', '{"p_0":0.5,"p_1":0.5,"target":true}\n')]),
    ).toMatch(/column target: "true" is not a number/);
    expect(await refused(['loss', '--input', file('booltext.csv', 'p,y\n0.5,true\n')])).toMatch(
      /booltext\.csv:2: column y: "true" is not a number/,
    );
  });
  it('a line that is not JSON says so; a JSON value that is not an object too', async () => {
    expect(await refused(['loss', '--input', file('text.ndjson', '{"p":0.5,"y":1}\nhello\n')])).toBe(
      `focal: error: ${dir}/text.ndjson:2: not valid JSON: "hello"\n`,
    );
    expect(await refused(['loss', '--input', file('array.ndjson', '{"p":0.5,"y":1}\n[1,2]\n')])).toBe(
      `focal: error: ${dir}/array.ndjson:2: not a JSON object: "[1,2]"\n`,
    );
  });
  it('header names and file text in messages are escaped: no control bytes reach the terminal', async () => {
    const ansi = await refused(['loss', '--input', file('ansi.csv', 'p,\x1b[31my\x1b[0m\n0.5,1\n')]);
    expect(ansi).toContain('among [p, "\\u001b[31my\\u001b[0m"]');
    const cell = await refused(['loss', '--input', file('ansicell.csv', 'p,y\n\x1b]0;pwned\x07,1\n')]);
    expect(cell).toContain('column p: "\\u001b]0;pwned\\u0007" is not a number');
    const line = await refused(['loss', '--input', file('ansi.ndjson', '{"p":0.5,"y":1}\n\x1b[2J\u202e\x9b\n')]);
    expect(line).toContain('not valid JSON: "\\u001b[2J\\u202e\\u009b"');
    for (const text of [ansi, cell, line]) expect(text.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e]/);
  });
  it('long file text is cut', async () => {
    const message = await refused(['loss', '--input', file('long.csv', `p,y\n${'x'.repeat(5000)},1\n`)]);
    expect(message).toContain(`"${'x'.repeat(60)}…" is not a number`);
  });
  const npyHead = Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from('NUMPY\x01\x00v\x00{"descr": "<f8", "fortran_order": False, "shape": (3,), }'),
    Buffer.alloc(24),
  ]);
  const UNSUPPORTED: [string, Buffer, string][] = [
    ['x.csv', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x41]), 'binary data'],
    ['x.h5', Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'HDF5'],
    ['x.csv.gz', gzipSync(npyHead), 'a NumPy .npy array inside gzip'],
  ];
  for (const [name, bytes, kind] of UNSUPPORTED) {
    it(`an unsupported file (${name}) says "unsupported format: ${kind}", not its bytes`, async () => {
      const path = file(name, bytes);
      const message = await refused(['loss', '--input', path]);
      expect(message.startsWith(`focal: error: ${path}: unsupported format: ${kind}`)).toBe(true);
      expect(message.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f-\x9f\ufffd]/);
    });
  }
  // the binary formats focal reads, cut short: recognised by their magic bytes, refused as corrupt
  const TRUNCATED: [string, Buffer, RegExp][] = [
    ['x.npz', Buffer.from('PK\x03\x04\x14\x00\x00\x00\x00\x00'), /: corrupt \.npz \(zip\): no end-of-archive record/],
    [
      'x.parquet',
      Buffer.from('PAR1\x15\x04\x15\x10\x15\x14L\x15\x04\x15\x00\x12\x00\x00'),
      /: corrupt or unsupported Parquet/,
    ],
    ['x.arrow', Buffer.from('ARROW1\x00\x00\xff\xff\xff\xff'), /: not a readable Arrow IPC file or stream/],
  ];
  for (const [name, bytes, problem] of TRUNCATED) {
    it(`a truncated ${name} is refused in one line naming the file, not its bytes`, async () => {
      const path = file(name, bytes);
      const message = await refused(['loss', '--input', path]);
      expect(message.startsWith(`focal: error: ${path}: `)).toBe(true);
      expect(message).toMatch(problem);
      expect(message.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f-\x9f\ufffd]/);
    });
  }
  it('a truncated Parquet stream on stdin too', () => {
    const r = spawnSync('bash', ['-c', `printf 'PAR1\\x15\\x04' | node ${BIN} anatomy`], { encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^focal: error: stdin: corrupt or unsupported Parquet \(.*\)\n$/);
  });
  it('the built CLI, whose Parquet and Arrow readers are bundles of their own: a damaged file is still bad input (exit 2), not an internal error', () => {
    for (const [name, bytes, problem] of [
      ['cut.parquet', 'PAR1\\x15\\x04', /corrupt or unsupported Parquet/],
      ['cut.arrow', 'ARROW1\\x00\\x00garbage', /not a readable Arrow IPC file or stream/],
    ] as const) {
      const path = join(dir, name);
      const r = spawnSync('bash', ['-c', `printf '${bytes}' > ${path} && node ${BIN} loss --input ${path}`], {
        encoding: 'utf8',
      });
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(problem);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
  });
});

describe('non-seekable inputs are read as streams', () => {
  const path = file('seek.csv', csv);
  const gz = file('seek.csv.gz', gzipSync(csv));
  const expected = summaryOf(['loss', '--input', path]);
  const viaBash = (script: string) => {
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return parseJson(r.stdout).summary;
  };
  it('--input /dev/stdin from a pipe', () =>
    expect(viaBash(`cat ${path} | node ${BIN} loss --input /dev/stdin --json`)).toEqual(expected));
  it('--input <(zcat f.gz)', () => expect(viaBash(`node ${BIN} loss --input <(zcat ${gz}) --json`)).toEqual(expected));
  it('--input <(cat f.gz): gzip through a pipe', () =>
    expect(viaBash(`node ${BIN} loss --input <(cat ${gz}) --json --threads 2`)).toEqual(expected));
  it('a FIFO', () => {
    const fifo = join(dir, 'fifo');
    expect(
      viaBash(`rm -f ${fifo}; mkfifo ${fifo}; cat ${path} > ${fifo} & node ${BIN} loss --input ${fifo} --json; wait`),
    ).toEqual(expected);
  });
  it('anatomy reads them too', () => {
    const r = spawnSync('bash', ['-c', `node ${BIN} anatomy --input <(zcat ${gz}) --json`], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(parseJson(r.stdout).summary.n).toBe(6);
  });
});

describe('system errors in words', () => {
  it('no such file, a directory, a path through a file', async () => {
    expect(await refused(['loss', '--input', join(dir, 'nope.csv')])).toMatch(
      /cannot be read \(no such file or directory\)/,
    );
    expect(await refused(['loss', '--input', dir])).toMatch(/is a directory/);
    expect(await refused(['loss', '--input', join(file('a.csv', csv), 'x.csv')])).toMatch(
      /cannot be read \(a part of the path is not a directory\)/,
    );
  });
  it('never an errno code', async () => {
    for (const argv of [
      ['loss', '--input', join(dir, 'nope.csv')],
      ['loss', '--input', join(file('a.csv', csv), 'x')],
    ]) {
      expect(await refused(argv)).not.toMatch(/\bE[A-Z]{3,}\b/);
    }
  });
});

describe('loss --pt, as compare takes it', () => {
  it('equals the same samples given as p (p_t = p for y = 1, 1 − p for y = 0)', async () => {
    const pts = P.map((p, i) => (Y[i] === 1 ? p : 1 - p));
    const r = await runCli(['loss', '--pt', pts.join(','), '--y', Y.join(','), '--reduction', 'sum', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout).summary;
    expect(s.n).toBe(6);
    expect(s.fl).toBeCloseTo(sum(fl), 14);
    expect(s.ce).toBeCloseTo(sum(ce), 14);
    expect(JSON.parse(r.stdout).params.prediction).toBe('pt');
  });
  it('--label-smoothing is refused with p_t, on the command line and in a file', async () => {
    expect(await refused(['loss', '--pt', '0.5', '--y', '1', '--label-smoothing', '0.1'])).toMatch(
      /--label-smoothing' makes labels soft, and p_t needs hard labels/,
    );
    expect(await refused(['loss', '--input', file('pt.csv', 'pt,y\n0.5,1\n'), '--label-smoothing', '0.1'])).toMatch(
      /p_t needs hard labels/,
    );
  });
});

describe('an empty stdin hints at what the command takes', () => {
  it('anatomy: --input, not --p/--y', () => {
    const r = runBin(['anatomy'], { input: '' });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'focal: error: stdin: the input has no data rows (only a header, or nothing at all); give --input FILE, or pipe in a CSV, TSV or NDJSON file.\n',
    );
  });
  it('loss: the command-line samples too', () => {
    expect(runBin(['loss'], { input: '' }).stderr).toMatch(
      /give samples with --p\/--logit\/--pt and --y, or --input FILE\.\n$/,
    );
  });
});
