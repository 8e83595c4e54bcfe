import type { Command } from 'commander';
import type { BinaryInputKind } from '../core/index.js';
import { checkGrid, compareRows } from './compare-grid.js';
import {
  addFamilyOptions,
  FAMILY_HELP,
  familyOf,
  familyCaption,
  familyParams,
  type FamilyOptionValues,
} from './family.js';
import type { Report } from '../output/index.js';
import {
  addFocalOptions,
  addOutputOptions,
  focalDefaults,
  type FocalOptionValues,
  type OutputOptionValues,
} from '../cli/options.js';
import { labels, logitSeq, probabilitySeq, type NumberSeq } from '../cli/values.js';
import { UsageError } from '../cli/errors.js';
import { alphaText, binaryColumns, captionOf, exactlyOne, type CommandContext } from './shared.js';
import { addPrecisionOptions, PRECISION_HELP, precisionOf, type PrecisionOptionValues } from './precision.js';

/** Rows stream, so a grid is limited only by patience; beyond this it is surely a typo. */
const MAX_GRID_ROWS = 1e10;

interface CompareOptions extends FocalOptionValues, OutputOptionValues, FamilyOptionValues, PrecisionOptionValues {
  p?: NumberSeq;
  logit?: NumberSeq;
  pt?: NumberSeq;
  y?: number[];
  grad?: boolean;
}

const EXAMPLES = `
Every combination of the values given is one row: γ varies slowest, then α, then y, then
the prediction. Lists are comma-separated; a range start:stop:step includes both ends.

Examples:
  $ focal compare --p 0.9 --gamma 2                     easy positive and hard negative at p = 0.9
  $ focal compare --y 1,0 --p 0.9,0.1 --log-base 10     the article's four scenarios (γ = 2, α = 0.25)
  $ focal compare --logit -745,-37,0,37,745 --y 1       extreme logits, exactly
  $ focal compare --pt 0.5:0.9:0.1 --y 1 --gamma 0,1,2,5 --alpha none
  $ focal compare --p 0.9 --gamma 0:5:1 --format csv
  $ focal compare --p 0.0001:0.9999:0.0001 --gamma 0:5:0.5 --format ndjson   (streams 219,978 rows)
  $ focal compare --logit=-3 --y 1 --grad --json        gradients with respect to the logit and to p
  $ focal compare --p 0.1,0.9 --y 1 --loss ce,fl,fl-star,poly1,asl   the family side by side
`;

export function registerCompare(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('compare')
    .description(
      'Cross-entropy (CE) and focal loss (FL) side by side, with p_t, α_t, (1 − p_t)^γ and the ratio CE/FL, for every combination of the inputs.',
    )
    .option('--p <list>', 'probability of class 1, in [0, 1]', probabilitySeq)
    .option('--logit <list>', 'logit x, any finite number (p = σ(x))', logitSeq)
    .option('--pt <list>', 'probability of the true class, in [0, 1] (needs hard labels)', probabilitySeq)
    .option('--y <list>', 'labels: 0, 1 or soft labels in [0, 1] (default: both 0 and 1)', labels)
    .option('--grad', 'add the gradients of FL and CE with respect to the logit x and to p');
  addFocalOptions(cmd, { lists: true });
  addFamilyOptions(cmd);
  addPrecisionOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText('after', EXAMPLES + FAMILY_HELP + PRECISION_HELP);
  cmd.action(async (opts: CompareOptions) => {
    const kind = exactlyOne(
      opts,
      ['p', 'logit', 'pt'] as const,
      ['--p', '--logit', '--pt'],
      'compare',
    ) as BinaryInputKind;
    const values = opts[kind]!;
    const ys = opts.y ?? [0, 1];
    const { gammas, alphas, base } = focalDefaults(opts);
    const grad = opts.grad ?? false;
    const family = familyOf(opts);
    checkGrid(kind, ys, gammas, family);
    const precision = precisionOf(opts);
    if (precision) {
      const { precisionCompareReport } = await import('./precision-compare.js');
      return ctx.emit(
        precisionCompareReport(precision, { kind, values, ys, gammas, alphas, base, grad, family }),
        opts,
      );
    }
    const count = gammas.length * alphas.length * ys.length * values.length;
    if (count > MAX_GRID_ROWS) {
      throw new UsageError(
        `The grid has ${count.toExponential(2)} rows (${gammas.length} γ × ${alphas.length} α × ${ys.length} y × ${values.length} inputs); at most ${MAX_GRID_ROWS.toExponential(0)} are allowed.`,
      );
    }
    const report: Report = {
      command: 'compare',
      params: {
        prediction: kind,
        gammas,
        alphas,
        y: ys,
        log_base: base,
        grad,
        loss: family.names,
        ...(family.extras.length ? familyParams(family) : {}),
        ...(family.smoothing > 0 ? { label_smoothing: family.smoothing } : {}),
      },
      caption: captionOf({
        γ: gammas.join(', '),
        α: alphas.map(alphaText).join(', '),
        'log base': base,
        ...familyCaption(family),
      }),
      columns: binaryColumns({
        logit: kind === 'logit',
        grad,
        gamma: gammas.length > 1,
        alpha: alphas.length > 1,
        family,
      }),
      rows: compareRows({ kind, values, ys, gammas, alphas, base, grad, family }),
      rowCount: count,
      summary: () => ({ rows: count }),
    };
    await ctx.emit(report, opts);
  });
}
