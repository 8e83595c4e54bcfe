import { InvalidArgumentError, type Command } from 'commander';
import { priorComparison, type GroupLoss } from '../core/index.js';
import type { Report, Row } from '../output/index.js';
import {
  addFocalOptions,
  addOutputOptions,
  focalDefaults,
  type FocalOptionValues,
  type OutputOptionValues,
} from '../cli/options.js';
import { count, numberIn, parseNumber } from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import { alphaText, captionOf, GROUP_COLUMNS, groupRow, type CommandContext } from './shared.js';

interface PriorOptions extends FocalOptionValues, OutputOptionValues {
  pi?: number;
  anchors?: number;
  foreground?: number;
}

const EXAMPLES = `
The paper's initialisation (Lin et al. 2017, §4.1): the last layer's bias b = −log((1 − π)/π)
makes every anchor start at p = π. The table compares the loss at the start of training with
b = 0 (p = 0.5 everywhere) and with the prior, per class: without it, the background anchors
carry nearly all of the loss.

Examples:
  $ focal prior --pi 0.01
  $ focal prior --pi 0.01 --anchors 100000 --foreground 1:1000 --gamma 0 --alpha none
  $ focal prior --pi 0.001 --json
`;

const probabilityOpen = numberIn(0, 1, 'π is a probability strictly between 0 and 1', '()');

/** A fraction as 0.001 or as a ratio 1:1000 (one in a thousand). */
function fraction(text: string): number {
  const ratio = /^\s*([^:]+):([^:]+)\s*$/.exec(text);
  const v = ratio
    ? parseNumber(ratio[1]!, 'a ratio is A:B') / parseNumber(ratio[2]!, 'a ratio is A:B')
    : parseNumber(text, 'a fraction in (0, 1), or a ratio like 1:1000');
  if (!(v > 0 && v < 1))
    throw new InvalidArgumentError(`${text} is not a fraction strictly between 0 and 1 (e.g. 0.001 or 1:1000).`);
  return v;
}

function rowsOf(init: string, groups: GroupLoss[]): Row[] {
  return groups.map((g) => ({ init, ...groupRow(g) }));
}

export function registerPrior(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('prior')
    .description(
      'The prior-probability bias b = −log((1 − π)/π) and the loss at the start of training with b = 0 and with the prior.',
    )
    .option('--pi <π>', 'prior probability of the foreground, in (0, 1) (default 0.01)', probabilityOpen)
    .option('--anchors <n>', 'number of anchors (default 100,000)', count)
    .option('--foreground <f>', 'foreground fraction of the anchors, e.g. 0.001 or 1:1000 (default 1:1000)', fraction);
  addFocalOptions(cmd, { lists: false });
  addOutputOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (opts: PriorOptions) => {
    const pi = opts.pi ?? 0.01;
    const anchors = opts.anchors ?? 100_000;
    const foreground = opts.foreground ?? 0.001;
    if (anchors < 1) throw new UsageError("option '--anchors' must be at least 1.");
    const { gammas, alphas, base } = focalDefaults(opts);
    if (gammas.length !== 1 || alphas.length !== 1)
      throw new UsageError("options '--gamma' and '--alpha' take one value in 'prior'.");
    const [gamma, alpha] = [gammas[0]!, alphas[0]!];
    const c = priorComparison(pi, anchors, foreground, { gamma, alpha, base });
    const total = (groups: GroupLoss[], key: 'ceTotal' | 'flTotal') => groups.reduce((a, g) => a + g[key], 0);
    const report: Report = {
      command: 'prior',
      params: { pi, anchors, foreground, gamma, alpha, log_base: base },
      caption: captionOf({ π: String(pi), γ: String(gamma), α: alphaText(alpha), 'log base': base }),
      columns: [{ key: 'init', label: 'init', kind: 'text' }, ...GROUP_COLUMNS],
      rows: [...rowsOf('b = 0', c.zero), ...rowsOf('prior', c.prior)],
      summary: () => ({
        bias: c.bias,
        pi,
        anchors,
        negatives: c.negatives,
        positives: c.positives,
        zero_ce_total: total(c.zero, 'ceTotal'),
        zero_fl_total: total(c.zero, 'flTotal'),
        prior_ce_total: total(c.prior, 'ceTotal'),
        prior_fl_total: total(c.prior, 'flTotal'),
        zero_negative_ce_share: c.zero[0]!.ceShare,
        zero_negative_fl_share: c.zero[0]!.flShare,
        prior_negative_ce_share: c.prior[0]!.ceShare,
        prior_negative_fl_share: c.prior[0]!.flShare,
      }),
      summaryItems: [
        { key: 'bias', label: 'bias b = −log((1 − π)/π)', precision: 6 },
        { key: 'zero_ce_total', label: 'total CE with b = 0' },
        { key: 'prior_ce_total', label: 'total CE with the prior' },
        { key: 'zero_fl_total', label: 'total FL with b = 0' },
        { key: 'prior_fl_total', label: 'total FL with the prior' },
        { key: 'zero_negative_ce_share', label: "negatives' share of CE with b = 0" },
        { key: 'prior_negative_ce_share', label: "negatives' share of CE with the prior" },
      ],
    };
    await ctx.emit(report, opts);
  });
}
