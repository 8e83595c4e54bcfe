import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBin } from './helpers/cli.js';

/**
 * The README's examples are shown with their real output: every `npx focal …` block followed
 * by an output block, and every output block that starts with `$ focal …`, is run through the
 * built binary and must print exactly what the README shows.
 */
const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const blocks = [...README.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));

const examples: { command: string; output: string }[] = [];
blocks.forEach((block, i) => {
  const next = blocks[i + 1];
  const lines = block.body.trimEnd().split('\n');
  const commands = lines.map((l) => /npx focal ([^#]*?)\s*(#.*)?$/.exec(l)?.[1]).filter((c) => c !== undefined);
  if (block.lang === 'sh' && commands.length === 1 && next && next.lang === '') {
    examples.push({ command: commands[0]!, output: next.body });
  } else if (block.lang === '' && lines[0]!.startsWith('$ focal ')) {
    examples.push({ command: lines[0]!.replace(/^\$ focal /, ''), output: `${lines.slice(1).join('\n')}\n` });
  }
});

/** Splits a command line the simple way the README writes them (no quotes needed so far). */
const argv = (command: string) => command.replace(/\s+#.*$/, '').trim().split(/\s+/);

describe('README examples print what the README shows', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(examples[0]!.command).toBe('compare --p 0.9 --gamma 2'); // the quick start
  });
  for (const { command, output } of examples) {
    it(`focal ${command}`, () => {
      const r = runBin(argv(command));
      if (r.code === 0) expect(r.stdout).toBe(output);
      else expect(r.stderr).toBe(output); // an example of an error message
    });
  }
});
