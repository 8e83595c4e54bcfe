import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { writeNewFile } from '../output/files.js';
import { pageHtml } from '../page/html.js';
import { outFile } from '../cli/values.js';
import { PAGE_EXTENSION, type CommandContext } from './shared.js';

const EXAMPLES = `
The page computes with the same core as the CLI (bundled into it), needs no network, and keeps
its state in the link (the URL fragment): change γ, α, the log base, the predictions or the
losses and the curves, the table, the imbalance and prior calculators and the equivalent
focal command lines follow.

Examples:
  $ focal explore
  $ focal explore --out explorer.html --force --open
`;

/** Opens a file with the desktop's opener, where there is one; a missing opener is only a note. */
function open(path: string, ctx: CommandContext): void {
  const opener =
    process.platform === 'darwin'
      ? ['open', path]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', path]
        : ['xdg-open', path];
  const child = spawn(opener[0]!, opener.slice(1), { stdio: 'ignore', detached: true });
  child.on('error', () => ctx.stderr.write(`focal: no browser opener (${opener[0]}) here; open ${path} yourself.\n`));
  child.unref();
}

export function registerExplore(program: Command, ctx: CommandContext): void {
  program
    .command('explore')
    .description('Write the explorer: one self-contained, offline HTML page with the exact core inside.')
    .option('--out <file>', 'the page to write, .html (default focal-explorer.html)', outFile([PAGE_EXTENSION]))
    .option('--force', 'replace --out if it exists')
    .option('--open', 'open the page in the default browser')
    .addHelpText('after', EXAMPLES)
    .action((opts: { out?: string; force?: boolean; open?: boolean }) => {
      const out = opts.out ?? 'focal-explorer.html';
      const html = pageHtml('focal explorer', { mode: 'explorer' });
      writeNewFile(out, html, opts.force ?? false);
      ctx.stderr.write(`focal: wrote ${out} (explorer page, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)\n`);
      if (opts.open) open(out, ctx);
    });
}
