import type { Command } from 'commander';
import { addOutputOptions, type OutputOptionValues } from '../cli/options.js';
import { mergeReport } from './loss-partial.js';
import type { CommandContext } from './shared.js';

const MERGE_EXAMPLES = `
Each shard is run on its own (any machine, any input format):
  $ focal loss --input examples/formats/binary.parquet --partial part-0.json
  $ focal loss --input examples/preds.csv --partial part-1.json
then merged; the report is the one a single run over all the rows prints, bit for bit:
  $ focal merge examples/partials/part-*.json
  $ cat examples/partials/part-*.json | focal merge - --json
The shards must agree on every parameter (γ, α, log base, reduction, input kind …).
Anatomy shards merge the same way (then: focal merge a-0.json a-1.json …):
  $ focal anatomy --input examples/preds.csv --partial a-0.json
`;

export function registerMerge(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('merge')
    .description("Merges the partial files of 'focal loss --partial' (or 'focal anatomy --partial') into the report of all their data.")
    .argument('<files...>', "partial files, or - for standard input (one or several documents)");
  addOutputOptions(cmd);
  cmd.addHelpText('after', MERGE_EXAMPLES);
  cmd.action(async (files: string[], opts: OutputOptionValues) => ctx.emit(await mergeReport(files, ctx), opts));
}
