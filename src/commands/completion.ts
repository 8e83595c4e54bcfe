import { Argument, type Command } from 'commander';
import { completionScript, SHELLS, type Shell } from '../cli/completion.js';
import { programSpec } from '../cli/spec.js';
import type { CommandContext } from './shared.js';

const EXAMPLES = `
The script is written from focal's own option definitions, so it completes exactly what this
version takes: commands, options, the values of --format, --reduction and the like, and file
names after --input and --out.

Install:
  bash   $ focal completion bash > ~/.local/share/bash-completion/completions/focal
         (or, for this shell only: source <(focal completion bash))
  zsh    $ focal completion zsh > "\${fpath[1]}/_focal"      (then start a new shell)
  fish   $ focal completion fish > ~/.config/fish/completions/focal.fish
`;

export function registerCompletion(program: Command, ctx: CommandContext): void {
  program
    .command('completion')
    .description('Print a shell completion script for bash, zsh or fish.')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText('after', EXAMPLES)
    .action((shell: Shell) => {
      ctx.write(completionScript(shell, programSpec(program, program.version() ?? '')));
    });
}
