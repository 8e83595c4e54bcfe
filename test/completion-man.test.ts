import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './helpers/cli.js';

/**
 * Shell completion and the man page are generated from commander's definitions. These tests
 * take the expected commands and options from `focal --help` and `focal <command> --help` (what
 * a user sees), then check that each script and the page offer exactly those.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'focal-completion-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Whether a program is installed; in CI (.ci/run installs zsh, fish, groff and man) a missing one fails the test instead of skipping it. */
const has = (program: string) =>
  process.env.CI !== undefined || spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

/** The subcommands listed by `focal --help`. */
function commandsFromHelp(): string[] {
  const help = runBin(['--help']).stdout;
  const section = help.slice(help.indexOf('Commands:'), help.indexOf('\n\n', help.indexOf('Commands:')));
  return [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

/** The long options of a command, as its --help lists them (asked once per command). */
const helpOf = new Map<string, string>();
function optionsFromHelp(command: string): string[] {
  if (!helpOf.has(command)) helpOf.set(command, runBin([command, '--help']).stdout);
  const help = helpOf.get(command)!;
  const section = help.slice(help.indexOf('Options:'), help.indexOf('\n\n', help.indexOf('Options:')));
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!);
}

const COMMANDS = commandsFromHelp();

describe('what the tests read from --help', () => {
  it('every command and its options', () => {
    expect(COMMANDS).toEqual([
      'compare',
      'loss',
      'imbalance',
      'plot',
      'prior',
      'anatomy',
      'sweep',
      'calibration',
      'stability',
      'explore',
      'merge',
      'completion',
      'man',
    ]);
    expect(optionsFromHelp('compare')).toEqual(
      expect.arrayContaining(['--p', '--gamma', '--format', '--no-color', '--help']),
    );
  });
});

describe('bash completion', () => {
  const script = join(tmp, 'focal.bash');
  const generated = runBin(['completion', 'bash']);
  writeFileSync(script, generated.stdout);

  /** Calls the completion function as bash would for the words typed so far (the last is being completed). */
  function complete(...words: string[]): string[] {
    const array = ['focal', ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source '${script}' && COMP_WORDS=(${array}) && COMP_CWORD=${words.length} && _focal && printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8', cwd: ROOT },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  }

  it('is printed with status 0 and is valid bash', () => {
    expect(generated.code).toBe(0);
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    expect(generated.stdout).toContain('complete -F _focal focal');
  });

  it('completes the commands', () => {
    expect(complete('')).toEqual(expect.arrayContaining([...COMMANDS, 'help', '--help', '--version']));
    expect(complete('co')).toEqual(['compare', 'completion']);
    expect(complete('an')).toEqual(['anatomy']);
  });

  it.each(COMMANDS)('completes every option of %s, and only those', (command) => {
    expect(complete(command, '--').sort()).toEqual(optionsFromHelp(command).sort());
  });

  it('completes the values commander knows: formats, reductions, log bases, shells', () => {
    expect(complete('compare', '--format', '')).toEqual(['table', 'json', 'csv', 'tsv', 'ndjson']);
    expect(complete('compare', '--format', 'n')).toEqual(['ndjson']);
    expect(complete('loss', '--reduction', '').sort()).toEqual(['mean', 'none', 'positives', 'sum']);
    expect(complete('loss', '--input-format', '')).toEqual(['csv', 'tsv', 'ndjson', 'npy', 'npz', 'parquet', 'arrow']);
    expect(complete('plot', '--kind', '')).toEqual(['loss', 'ratio', 'weight', 'grad']);
    expect(complete('anatomy', '--log-base', '')).toEqual(['e', '2', '10']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    // --format=csv: bash splits the word at '='
    expect(complete('compare', '--format', '=', 'c')).toEqual(['csv']);
  });

  it('completes file names after --input and --out, nothing after a number', () => {
    expect(complete('loss', '--input', 'examples/preds.c').sort()).toEqual([
      'examples/preds.csv',
      'examples/preds.csv.gz',
    ]);
    expect(complete('anatomy', '--input', 'examples/det')).toEqual(['examples/dets.tsv']);
    expect(complete('plot', '--out', 'examples/bad')).toEqual(['examples/bad.csv']);
    expect(complete('compare', '--gamma', '')).toEqual([]);
  });
});

describe('zsh and fish completion', () => {
  it('zsh: a #compdef script with every command and every option, values and files', () => {
    const r = runBin(['completion', 'zsh']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('#compdef focal\n')).toBe(true);
    for (const command of COMMANDS) {
      expect(r.stdout).toContain(`    '${command}:`);
      const block = r.stdout.slice(
        r.stdout.indexOf(`        ${command})\n`),
        r.stdout.indexOf(';;', r.stdout.indexOf(`        ${command})\n`)),
      );
      for (const option of optionsFromHelp(command)) expect(block).toMatch(new RegExp(`(^|[ ,{])${option}[}']`, 'm'));
    }
    expect(r.stdout).toContain(":f:(table json csv tsv ndjson)'");
    expect(r.stdout).toMatch(/--input'\[[^\n]*\]:file:_files'/);
  });

  // where the shell is installed (a skip is reported, and the structure test above still ran)
  it.skipIf(!has('zsh'))('zsh -n accepts the zsh script', () => {
    expect(spawnSync('zsh', ['-n'], { input: runBin(['completion', 'zsh']).stdout }).status).toBe(0);
  });

  it.skipIf(!has('fish'))('fish --no-execute accepts the fish script', () => {
    // from a file: fish refuses a script on a pipe here ("Unable to read input file")
    const script = join(tmp, 'focal.fish');
    writeFileSync(script, runBin(['completion', 'fish']).stdout);
    const r = spawnSync('fish', ['--no-execute', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('fish: one complete line per command and per option, values and files', () => {
    const r = runBin(['completion', 'fish']);
    expect(r.code).toBe(0);
    for (const command of COMMANDS) {
      expect(r.stdout).toContain(`complete -c focal -n __fish_use_subcommand -a ${command} -d '`);
      for (const option of optionsFromHelp(command)) {
        expect(r.stdout).toContain(
          `complete -c focal -n '__fish_seen_subcommand_from ${command}' -l ${option.slice(2)}`,
        );
      }
    }
    expect(r.stdout).toContain("-l format -x -a 'table json csv tsv ndjson'");
    expect(r.stdout).toMatch(/-l input -r -F -d/);
    // a quote in a description is escaped inside fish's single quotes
    expect(r.stdout).toContain("(the paper\\'s Figure 1)");
  });

  it('an unknown shell is bad usage', () => {
    const r = runBin(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the man page', () => {
  const generated = runBin(['man']);

  it('focal.1 in the checkout is what `focal man` prints (run `npm run man` after changing an option)', () => {
    expect(generated.code).toBe(0);
    expect(readFileSync(join(ROOT, 'focal.1'), 'utf8')).toBe(generated.stdout);
  });

  it('is ASCII roff with a section per command naming every option', () => {
    expect(generated.stdout).toMatch(/^[\x00-\x7f]*$/);
    expect(generated.stdout).toMatch(/^\.TH FOCAL 1 /m);
    for (const command of COMMANDS) {
      const start = generated.stdout.indexOf(`.SH "FOCAL ${command.toUpperCase()}"`);
      expect(start).toBeGreaterThan(0);
      const end = generated.stdout.indexOf('\n.SH ', start + 1);
      const section = generated.stdout.slice(start, end);
      // each option is a bold item: \fB\-\-gamma\fR, \fB\-h, \-\-help\fR
      const items = section.split('\n').filter((l) => l.startsWith('\\fB'));
      for (const option of optionsFromHelp(command))
        expect(items.some((l) => new RegExp(`^\\\\fB(\\S+, )?${option.replace(/-/g, '\\\\-')}\\\\f`).test(l))).toBe(
          true,
        );
    }
  });

  // groff is how man(1) renders; where it is not installed the skip is reported, and the roff
  // checks above still ran
  it.skipIf(!has('groff'))('groff renders it without a warning, in UTF-8 and in ASCII', () => {
    for (const device of ['-Tutf8', '-Tascii']) {
      const r = spawnSync('groff', ['-man', device, '-ww', '-z', join(ROOT, 'focal.1')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it.skipIf(!has('man'))('man -l focal.1 shows every command with its options', () => {
    const r = spawnSync('man', ['-l', join(ROOT, 'focal.1')], {
      encoding: 'utf8',
      env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' },
    });
    expect(r.status).toBe(0);
    for (const command of COMMANDS) expect(r.stdout).toContain(`focal ${command}`);
    expect(r.stdout).toMatch(/--gamma <.+>\n\s+focusing parameter/);
  });
});

describe('help that fits the command', () => {
  it('focal alone: a short usage on stdout, status 0', () => {
    const r = runBin([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(18); // a line per command and five more, not the 36 lines of --help
    expect(lines[1]).toBe('Usage: focal <command> [options]');
    // the commands, one a line; the two that serve the shell (completion, man) on the help line
    for (const command of COMMANDS.filter((c) => c !== 'completion' && c !== 'man'))
      expect(r.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    expect(r.stdout).toMatch(/^Help: .*also: completion, man$/m);
    expect(r.stdout).toContain('focal <command> --help');
    expect(r.stdout).toContain('focal compare --p 0.9 --gamma 2');
  });

  it("imbalance --help lists imbalance's options; anatomy's are anatomy's", () => {
    const imbalance = optionsFromHelp('imbalance');
    const anatomy = optionsFromHelp('anatomy');
    for (const option of [
      '--buckets',
      '--beta',
      '--rows',
      '--chart',
      '--out',
      '--threads',
      '--columns',
      '--skip-invalid',
    ]) {
      expect(imbalance).not.toContain(option);
      expect(anatomy).toContain(option);
    }
    expect(imbalance).toEqual(
      expect.arrayContaining(['--neg', '--pos', '--neg-pt', '--pos-pt', '--neg-p', '--pos-p', '--input', '--gamma']),
    );
    const help = runBin(['imbalance', '--help']).stdout;
    expect(help).toMatch(/--input <file>[\s\S]*focal anatomy --help/);
    // "(0)" and "(1)" read like defaults; the class is said in words
    expect(help).not.toMatch(/\((0|1)\)/);
    expect(help).toMatch(/--neg-pt <p_t> +negatives' p_t: their probability of class 0/);
  });

  it("imbalance --input still takes anatomy's options", () => {
    const r = runBin(['imbalance', '--input', 'examples/preds.csv', '--buckets', '4', '--json'], { env: {} });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).sections.buckets).toHaveLength(8); // 4 buckets × 2 classes
  });
});
