import type { Command } from 'commander';
import { manPage } from '../cli/manpage.js';
import { programSpec } from '../cli/spec.js';
import type { CommandContext } from './shared.js';

const EXAMPLES = `
The page is written from focal's own definitions: every command, every option, and the
explanations and examples of each command's --help. The checkout carries it as focal.1
(npm run man rewrites it; a test checks that it is up to date).

Examples:
  $ focal man > focal.1 && man ./focal.1
  $ focal man | man -l -
`;

export function registerMan(program: Command, ctx: CommandContext): void {
  program
    .command('man')
    .description('Print the manual page (roff) for man(1).')
    .addHelpText('after', EXAMPLES)
    .action(() => {
      ctx.write(manPage(programSpec(program, program.version() ?? '')));
    });
}
