import { Command, Option } from 'commander';
import { inverseFrequencyAlpha, lossShares, type SampleGroup } from '../core/index.js';
import type { Report, Row } from '../output/index.js';
import {
  addFocalOptions,
  addOutputOptions,
  focalDefaults,
  type FocalOptionValues,
  type OutputOptionValues,
} from '../cli/options.js';
import { count, numberIn } from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import { alphaText, captionOf, GROUP_COLUMNS, groupRow, type CommandContext } from './shared.js';
import { addAnatomyOptions, runAnatomy, type AnatomyOptions } from './anatomy.js';

interface ImbalanceOptions extends FocalOptionValues, OutputOptionValues {
  neg?: number;
  pos?: number;
  negPt?: number;
  posPt?: number;
  negP?: number;
  posP?: number;
}

const EXAMPLES = `
Each group is COUNT identical samples of one class. Give each group's confidence either as
p_t (probability of its own class: --neg-pt, --pos-pt) or as p (probability of class 1:
--neg-p, --pos-p). Totals are count × per-sample loss; shares are each class's part of the
total CE and of the total FL.

Examples:
  $ focal imbalance --neg 1000000 --neg-pt 0.99 --pos 10 --pos-pt 0.01 --log-base 10
  $ focal imbalance --neg 100000 --neg-p 0.01 --pos 100 --pos-p 0.3 --gamma 2 --alpha 0.25
  $ focal imbalance --neg 1e6 --neg-pt 0.99 --pos 10 --pos-pt 0.01 --alpha none --json
  $ focal imbalance --input examples/preds.csv    the same question for real predictions ('focal anatomy')
`;

const probability = numberIn(0, 1, 'a probability is a number in [0, 1]');

export function registerImbalance(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('imbalance')
    .description(
      'How the total loss splits between a large group of negatives and a small group of positives, under cross-entropy and under focal loss.',
    )
    .option('--neg <count>', 'number of negative samples (a whole number up to 2^53)', count)
    .option('--pos <count>', 'number of positive samples', count)
    .addOption(
      new Option('--neg-pt <p_t>', "negatives' p_t: their probability of class 0, their own")
        .argParser(probability)
        .conflicts('negP'),
    )
    .addOption(
      new Option('--pos-pt <p_t>', "positives' p_t: their probability of class 1, their own")
        .argParser(probability)
        .conflicts('posP'),
    )
    .option('--neg-p <p>', "negatives' probability of class 1 (= 1 − p_t), instead of --neg-pt", probability)
    .option('--pos-p <p>', "positives' probability of class 1 (= p_t), instead of --pos-pt", probability);
  const own = cmd.options.length;
  addAnatomyOptions(cmd, { withInput: true });
  // With --input, imbalance is `focal anatomy`: its options work here, but are listed there.
  for (const option of cmd.options.slice(own)) {
    if (option.long === '--input')
      option.description =
        "real predictions instead of made-up groups (a file, or - for stdin): runs 'focal anatomy', which takes further options; see 'focal anatomy --help'";
    else option.hideHelp();
  }
  addFocalOptions(cmd, { lists: false });
  addOutputOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (opts: ImbalanceOptions & AnatomyOptions) => {
    if (opts.input !== undefined) {
      for (const o of ['neg', 'pos', 'negPt', 'posPt', 'negP', 'posP'] as const) {
        if (opts[o] !== undefined)
          throw new UsageError(
            `option '--input' reads real predictions; --${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} describes made-up groups. Give one or the other.`,
          );
      }
      return runAnatomy(opts, ctx);
    }
    // the options that only --input reads (--out, --chart, --buckets…) would do nothing here
    for (const option of addAnatomyOptions(new Command(), { withInput: false }).options) {
      if (opts[option.attributeName() as keyof AnatomyOptions] !== undefined) {
        throw new UsageError(
          `option '${option.long}' applies to real predictions (--input FILE); made-up groups (--neg, --pos) give only the table.`,
        );
      }
    }
    if (opts.neg === undefined || opts.pos === undefined) {
      throw new UsageError(`imbalance needs both group sizes: give --neg COUNT and --pos COUNT.`);
    }
    if (opts.neg + opts.pos === 0) throw new UsageError('--neg and --pos are both 0; give at least one sample.');
    const groups: SampleGroup[] = [
      group(0, opts.neg, opts.negPt, opts.negP, 'neg'),
      group(1, opts.pos, opts.posPt, opts.posP, 'pos'),
    ];
    const { gammas, alphas, base } = focalDefaults(opts);
    if (gammas.length !== 1 || alphas.length !== 1) {
      throw new UsageError(
        `option '${gammas.length !== 1 ? '--gamma' : '--alpha'}' takes one value in 'imbalance'; run it once per value.`,
      );
    }
    const gamma = gammas[0]!;
    const alpha = alphas[0]!;
    const shares = lossShares(groups, { gamma, alpha, base });
    const rows: Row[] = shares.map(groupRow);
    const [neg, pos] = shares as [(typeof shares)[0], (typeof shares)[0]];
    const report: Report = {
      command: 'imbalance',
      params: { gamma, alpha, log_base: base, neg: opts.neg, pos: opts.pos },
      caption: captionOf({ γ: String(gamma), α: alphaText(alpha), 'log base': base }),
      columns: GROUP_COLUMNS,
      rows,
      summary: () => ({
        n: opts.neg! + opts.pos!,
        ce_total: neg.ceTotal + pos.ceTotal,
        fl_total: neg.flTotal + pos.flTotal,
        positive_ce_share: pos.ceShare,
        positive_fl_share: pos.flShare,
        alpha_inverse_frequency: inverseFrequencyAlpha(opts.neg!, opts.pos!),
      }),
      summaryItems: [
        { key: 'ce_total', label: 'total CE' },
        { key: 'fl_total', label: 'total FL' },
        { key: 'positive_ce_share', label: "positives' share of CE" },
        { key: 'positive_fl_share', label: "positives' share of FL" },
        { key: 'alpha_inverse_frequency', label: 'α by inverse class frequency' },
      ],
    };
    await ctx.emit(report, opts);
  });
}

function group(y: 0 | 1, n: number, pt: number | undefined, p: number | undefined, name: 'neg' | 'pos'): SampleGroup {
  if (pt !== undefined) return { y, count: n, kind: 'pt', value: pt };
  if (p !== undefined) return { y, count: n, kind: 'p', value: p };
  throw new UsageError(
    `imbalance needs the ${name === 'neg' ? 'negatives' : 'positives'}' confidence: give --${name}-pt or --${name}-p.`,
  );
}
