import { describe, expect, it } from 'vitest';
import { plainOutput, plainText } from '../src/output/plain.js';
import { runCli } from './helpers/cli.js';

const ASCII = /^[\x00-\x7f]*$/;
/** The numbers of a table, in order (they must not change in the plain fallback). */
const numbersOf = (text: string) => text.match(/-?(?:\d[\d,]*\.?\d*(?:e-?\d+)?|inf|∞)(?![\w^])/g) ?? [];

describe('the plain fallback: which environments get it', () => {
  it('a non-UTF-8 locale or TERM=dumb is plain; a UTF-8 one, or none at all, is not', () => {
    expect(plainOutput({ LANG: 'C' })).toBe(true);
    expect(plainOutput({ LANG: 'POSIX' })).toBe(true);
    expect(plainOutput({ LANG: 'en_US.ISO-8859-1' })).toBe(true);
    expect(plainOutput({ TERM: 'dumb', LANG: 'en_US.UTF-8' })).toBe(true);
    expect(plainOutput({ LANG: 'en_US.UTF-8' })).toBe(false);
    expect(plainOutput({ LANG: 'C.utf8' })).toBe(false);
    expect(plainOutput({})).toBe(false);
  });

  it('LC_ALL wins over LC_CTYPE, which wins over LANG (an empty one does not count)', () => {
    expect(plainOutput({ LC_ALL: 'C', LANG: 'en_US.UTF-8' })).toBe(true);
    expect(plainOutput({ LC_ALL: 'C.UTF-8', LANG: 'C' })).toBe(false);
    expect(plainOutput({ LC_CTYPE: 'C', LANG: 'en_US.UTF-8' })).toBe(true);
    expect(plainOutput({ LC_ALL: '', LC_CTYPE: 'de_DE.UTF-8', LANG: 'C' })).toBe(false);
  });
});

describe('plainText', () => {
  it('spells symbols out and keeps box drawing one character wide', () => {
    expect(plainText('γ = 2, α = 0.25, π = 0.01')).toBe('gamma = 2, alpha = 0.25, pi = 0.01');
    expect(plainText('(1−p_t)^γ')).toBe('(1-p_t)^gamma');
    expect(plainText('10⁻⁴ and 10⁶, x² · y, ∞')).toBe('10^-4 and 10^6, x^2 * y, inf');
    expect(plainText('┌─┬┐│├┼┤└┴┘')).toBe('+-++|++++++');
    expect(plainText('→')).toBe('?');
  });
});

describe('tables and charts with LANG=C or TERM=dumb', () => {
  it('compare: ASCII borders, gamma and alpha spelt out, the same numbers', async () => {
    const unicode = await runCli(['compare', '--p', '0.9,1', '--gamma', '2'], { env: { LANG: 'en_US.UTF-8' } });
    const plain = await runCli(['compare', '--p', '0.9,1', '--gamma', '2'], { env: { LANG: 'C' } });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(ASCII);
    expect(unicode.stdout).not.toMatch(ASCII);
    const lines = plain.stdout.split('\n');
    expect(lines[0]).toBe('gamma = 2, alpha = 0.25, log base = e');
    expect(lines[1]).toMatch(/^\+-+\+/);
    expect(lines[2]).toContain('| alpha_t | (1-p_t)^gamma |');
    expect(plain.stdout).toContain(' inf |'); // CE/FL at p_t = 1
    // every border line is as wide as the rows: the table is still aligned
    const widths = new Set(lines.filter((l) => l.startsWith('+') || l.startsWith('|')).map((l) => l.length));
    expect(widths.size).toBe(1);
    expect(numbersOf(plain.stdout.split('\n').slice(3).join('\n')).map((n) => n.replace('inf', '∞'))).toEqual(
      numbersOf(unicode.stdout.split('\n').slice(3).join('\n')),
    );
  });

  it('prior and imbalance summaries: pi, the minus sign and alpha in words', async () => {
    const prior = await runCli(['prior'], { env: { TERM: 'dumb' } });
    expect(prior.stdout).toMatch(ASCII);
    expect(prior.stdout).toContain('pi = 0.01, gamma = 2, alpha = 0.25');
    expect(prior.stdout).toContain('bias b = -log((1 - pi)/pi)');
    const imbalance = await runCli(
      ['imbalance', '--neg', '1000', '--neg-pt', '0.99', '--pos', '1', '--pos-pt', '0.1'],
      { env: { LC_ALL: 'POSIX', LANG: 'en_US.UTF-8' } },
    );
    expect(imbalance.stdout).toMatch(ASCII);
    expect(imbalance.stdout).toContain('alpha by inverse class frequency');
  });

  it('the terminal chart is ASCII too, its grid unchanged', async () => {
    const args = ['plot', '--width', '60', '--height', '12'];
    const unicode = await runCli(args, { env: {} });
    const plain = await runCli(args, { env: { LANG: 'C' } });
    expect(plain.stdout).toMatch(ASCII);
    expect(plain.stdout).toContain('### gamma = 5');
    // the plot area (between the title lines and the legend) keeps every column where it was
    const area = (s: string) => {
      const lines = s.split('\n');
      return lines
        .slice(
          2,
          lines.findIndex((l) => l.includes('p_t, the probability')),
        )
        .map((l) => l.length);
    };
    expect(area(plain.stdout).length).toBeGreaterThan(6);
    expect(area(plain.stdout)).toEqual(area(unicode.stdout));
  });

  it('help is ASCII and its options stay aligned', async () => {
    const r = await runCli(['compare', '--help'], { env: { LANG: 'C' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(ASCII);
    expect(r.stdout).toMatch(/^ {2}--gamma <gamma> +focusing parameter gamma >= 0/m);
    // every option's description starts in the same column
    const columns = r.stdout.split('\n').flatMap((l) => /^ {2}-\S.*? {2,}(?=\S)/.exec(l)?.[0].length ?? []);
    expect(columns.length).toBeGreaterThan(10);
    expect(new Set(columns).size).toBe(1);
  });

  it('machine formats are untouched: data keeps its exact text', async () => {
    const plain = await runCli(['compare', '--p', '1', '--y', '1', '--json'], { env: { LANG: 'C' } });
    const unicode = await runCli(['compare', '--p', '1', '--y', '1', '--json'], { env: {} });
    expect(plain.stdout).toBe(unicode.stdout);
    expect(plain.stdout).toContain('"ratio":"Infinity"');
  });
});

describe('COLUMNS', () => {
  it('sets the width of a terminal chart, as --width does', async () => {
    const byEnv = await runCli(['plot', '--height', '12'], { env: { COLUMNS: '64' } });
    const byFlag = await runCli(['plot', '--height', '12', '--width', '64'], { env: {} });
    expect(byEnv.stdout).toBe(byFlag.stdout);
    const wide = await runCli(['plot', '--height', '12'], { env: {} });
    expect(wide.stdout).not.toBe(byEnv.stdout); // 80 without it
  });

  it('wraps help at that width', async () => {
    // (commander leaves descriptions unwrapped when less than 40 columns would be left for them)
    const r = await runCli(['compare', '--help'], { env: { COLUMNS: '72' } });
    expect(
      Math.max(
        ...r.stdout
          .split('\n')
          .filter((l) => l.startsWith('  --'))
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(72);
    const wide = await runCli(['compare', '--help'], { env: { COLUMNS: '160' } });
    expect(
      Math.max(
        ...wide.stdout
          .split('\n')
          .filter((l) => l.startsWith('  --'))
          .map((l) => l.length),
      ),
    ).toBeGreaterThan(80);
  });

  it('is ignored unless a positive whole number', async () => {
    const bad = await runCli(['plot', '--height', '12'], { env: { COLUMNS: 'wide' } });
    const none = await runCli(['plot', '--height', '12'], { env: {} });
    expect(bad.stdout).toBe(none.stdout);
  });
});
