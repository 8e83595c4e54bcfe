import type { Command } from 'commander';
import { addOutputOptions, type OutputOptionValues } from '../cli/options.js';
import { mergeReport } from './loss-partial.js';
import type { CommandContext } from './shared.js';

const MERGE_EXAMPLES = `
Each shard is run on its own (any machine, any input format):
  $ focal loss --input shard-0.npz --partial part-0.json
  $ focal loss --input shard-1.csv --partial part-1.json
then merged; the report is the one a single run over all the rows prints, bit for bit:
  $ focal merge part-*.json
  $ cat part-*.json | focal merge - --json
The shards must agree on every parameter (γ, α, log base, reduction, input kind …).
`;

export function registerMerge(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('merge')
    .description("Merges the partial files of 'focal loss --partial' into the report of all their data.")
    .argument('<files...>', "partial files, or - for standard input (one or several documents)");
  addOutputOptions(cmd);
  cmd.addHelpText('after', MERGE_EXAMPLES);
  cmd.action(async (files: string[], opts: OutputOptionValues) => ctx.emit(await mergeReport(files, ctx), opts));
}
