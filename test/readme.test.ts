import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as library from '../src/index.js';
import { BIN, parseJson, runBin } from './helpers/cli.js';

/**
 * The documentation's examples run, and print what the pages show. In README.md, docs/*.md and
 * examples/README.md:
 * - every line of a ```sh block that calls focal is run by bash (pipes and redirections as
 *   written) from a fresh folder that holds only examples/, with `focal` on the PATH and HOME in
 *   a temporary folder; it must exit 0 and print no error;
 * - when such a block holds one focal command and the next block is plain output, or an output
 *   block starts with `$ focal …`, the command must print exactly that output (stdout; stderr
 *   for an example of an error);
 * - `fn(…); // value` lines of ```ts blocks give that value;
 * - numbers that the prose states, listed in CLAIMS below, are measured.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'examples/README.md',
];
const text = (page: string) => readFileSync(join(ROOT, page), 'utf8');

// a user's machine in miniature: `focal` on the PATH, the examples, an empty home
const sandbox = mkdtempSync(join(tmpdir(), 'focal-docs-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));
const bin = join(sandbox, 'bin');
const home = join(sandbox, 'home');
mkdirSync(bin);
mkdirSync(home);
writeFileSync(join(bin, 'focal'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
chmodSync(join(bin, 'focal'), 0o755);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one documented command line in a fresh working folder. */
function shell(line: string): Result {
  const cwd = mkdtempSync(join(sandbox, 'run-'));
  symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    HOME: home,
    MANPAGER: 'cat',
    PAGER: 'cat',
  };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'LC_ALL', 'LC_CTYPE', 'LANG', 'TERM', 'COLUMNS']) delete env[name];
  const r = spawnSync('bash', ['-c', line], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A focal command as a page writes it, made runnable: `npx focal` is `focal`; npm is never run. */
function runnable(line: string): string | null {
  const command = line.replace(/\s+#\s.*$/, '').trim();
  if (!/(^|[\s|;&(])(npx )?focal\s/.test(command)) return null;
  const steps = command.split(' && ');
  while (steps[0]!.startsWith('npm ')) steps.shift();
  return steps.join(' && ').replace(/\bnpx focal\b/g, 'focal');
}

interface Example {
  page: string;
  command: string;
  output?: string;
}

function examplesOf(page: string): Example[] {
  const blocks = [...text(page).matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));
  const examples: Example[] = [];
  blocks.forEach((block, i) => {
    const lines = block.body.trimEnd().split('\n');
    if (block.lang === 'sh') {
      const commands = lines.map(runnable).filter((c): c is string => c !== null);
      const next = blocks[i + 1];
      if (commands.length === 1 && next && next.lang === '' && !next.body.startsWith('$ '))
        examples.push({ page, command: commands[0]!, output: next.body });
      else for (const command of commands) examples.push({ page, command });
    } else if (block.lang === '' && lines[0]!.startsWith('$ focal ')) {
      examples.push({ page, command: lines[0]!.slice(2), output: `${lines.slice(1).join('\n')}\n` });
    }
  });
  return examples;
}

const EXAMPLES = PAGES.flatMap(examplesOf);

describe('the pages and their examples', () => {
  it('finds every page and its examples', () => {
    expect(PAGES).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/commands.md',
        'docs/formats.md',
        'docs/accuracy.md',
        'docs/performance.md',
        'docs/architecture.md',
        'examples/README.md',
      ]),
    );
    expect(EXAMPLES.filter((e) => e.page === 'README.md' && e.output).length).toBeGreaterThanOrEqual(7);
    expect(EXAMPLES.filter((e) => e.page === 'docs/commands.md').length).toBeGreaterThanOrEqual(25);
    expect(EXAMPLES[0]!.command).toBe('focal compare --p 0.9 --gamma 2'); // the quick start
  });

  for (const { page, command, output } of EXAMPLES) {
    it(`${page}: ${command}`, () => {
      const r = shell(command);
      if (output === undefined) {
        expect(r.stderr).not.toMatch(/error/i);
        expect(r.code).toBe(0);
      } else if (r.code === 0) expect(r.stdout).toBe(output);
      else expect(r.stderr).toBe(output); // an example of an error message
    });
  }
});

describe("the examples in each command's --help run", () => {
  const help = (args: string) => shell(`focal ${args} --help`).stdout;
  const commands = [...help('').matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  // `$ focal …` lines; a comment follows two spaces; what comes after && or | is another program
  const examples = ['', ...commands].flatMap((c) =>
    [...help(c).matchAll(/^ {2}\$ (focal .*)$/gm)].map((m) => m[1]!.split(/ {2,}| && | \| /)[0]!),
  );

  it('finds them', () => {
    expect(commands).toContain('anatomy');
    expect(examples.length).toBeGreaterThan(30);
  });

  for (const command of new Set(examples)) {
    it(command, () => {
      const r = shell(command);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
    });
  }
});

describe('links between the pages', () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
  const anchors = (page: string) => new Set([...text(page).matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));

  it.each(PAGES)('%s: every relative link reaches a file, and every #anchor a heading', (page) => {
    const dir = page.includes('/') ? page.slice(0, page.lastIndexOf('/') + 1) : '';
    const links = [...text(page).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    for (const link of links) {
      const [file, anchor] = link.split('#') as [string, string | undefined];
      const target = file === '' ? page : join(dir, file);
      expect(existsSync(join(ROOT, target)), `${page}: ${link}`).toBe(true);
      if (anchor !== undefined) expect(anchors(target).has(anchor), `${page}: ${link}`).toBe(true);
    }
  });
});

describe('library examples give the values in their comments', () => {
  for (const page of PAGES) {
    const calls = [...text(page).matchAll(/```ts\n([\s\S]*?)```/g)].flatMap((m) => [
      ...m[1]!.matchAll(/^(\w+\(.*\));\s+\/\/ (-?[\d.]+(?:e-?\d+)?)\b/gm),
    ]);
    for (const [, call, value] of calls) {
      it(`${page}: ${call} is ${value}`, () => {
        const names = Object.keys(library);
        const result = new Function(...names, `return ${call};`)(
          ...names.map((n) => (library as Record<string, unknown>)[n]),
        );
        expect(result).toBe(Number(value));
      });
    }
  }
});

/** n with d significant digits, as prose writes it (400, 133.3, 0.46). */
const digits = (x: number, d: number) => String(Number(x.toPrecision(d)));
const percent = (x: number, d: number) => digits(100 * x, d);
const json = (args: string[]) => {
  const r = runBin([...args, '--json']);
  expect(r.code).toBe(0);
  return parseJson(r.stdout);
};

/** The lines the documented NDJSON sweep writes (counted by wc: the output is large). */
let sweep: number | undefined;
const sweepRows = () =>
  (sweep ??= Number(
    shell('focal compare --p 0.0001:0.9999:0.0001 --gamma 0:5:0.5 --format ndjson | wc -l').stdout.trim(),
  ));

/** Numbers stated in prose, each measured: the page must say exactly what the measurement gives. */
const CLAIMS: { page: string; claim: () => string }[] = [
  {
    page: 'docs/commands.md',
    claim: () => `writes its ${sweepRows().toLocaleString('en-US')} rows`,
  },
  {
    page: 'README.md',
    claim: () => {
      const [a, b, c, d] = json(['compare', '--y', '1,0', '--p', '0.9,0.1', '--log-base', '10']).rows.map(
        (r: { ratio: number }) => r.ratio,
      );
      return `the exact values are ${digits(a, 4)}, **${digits(d, 4)}**, ${digits(b, 4)} and **${digits(c, 4)}**`;
    },
  },
  {
    page: 'README.md',
    claim: () => {
      const s = json([
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
      ]).summary;
      return `Under CE the ten positives carry ${percent(s.positive_ce_share, 2)}% of the loss; under FL, ${percent(s.positive_fl_share, 3)}%.`;
    },
  },
  {
    page: 'README.md',
    claim: () => {
      const rows = json(['prior', '--pi', '0.01']).rows as { init: string; class: string; ce_share: number }[];
      const share = (init: string) => rows.find((r) => r.init === init && r.class === 'negative')!.ce_share;
      return `Without the prior the 99,900 background anchors carry ${percent(share('b = 0'), 3)}% of the CE; with it, ${percent(share('prior'), 2)}%.`;
    },
  },
  {
    page: 'README.md',
    claim: () => {
      const s = json(['loss', '--input', 'examples/dets.tsv', '--columns', 'p=score,y=label']).summary;
      return `A detector's ${s.n.toLocaleString('en-US')} anchors, one positive per thousand negatives`;
    },
  },
  {
    page: 'README.md',
    claim: () => {
      const s = json(['loss', '--input', 'examples/dets.tsv', '--columns', 'p=score,y=label']).summary;
      return `The positives are ${percent(s.positive_count / s.n, 1)}% of the anchors and carry ${percent(s.positive_ce_share, 2)}% of the CE, but ${percent(s.positive_fl_share, 2)}% of the FL.`;
    },
  },
];

describe('what the prose claims is what focal measures', () => {
  it.each(CLAIMS.map((c, i) => [i, c] as const))('claim %i', (_i, { page, claim }) => {
    const prose = text(page).replace(/\s+/g, ' ');
    const said = claim();
    expect(prose.includes(said), `${page} should say: ${said}`).toBe(true);
  });

  it("compare --help states the sweep's row count as the docs do", () => {
    const rows = sweepRows();
    expect(rows).toBe(9999 * 11 * 2); // 9,999 values of p × 11 of γ × both labels
    expect(runBin(['compare', '--help']).stdout).toContain(`(streams ${rows.toLocaleString('en-US')} rows)`);
  });
});
