import { Option, type Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  LOSS_NAMES,
  smoothLabel,
  VARIANT_DEFAULTS,
  variantProblem,
  type LossName,
  type VariantParams,
} from '../core/index.js';
import { UsageError } from '../cli/errors.js';
import { numberIn } from '../cli/values.js';

/** --loss and the variants' parameters, shared by compare and loss. */

/** The parsed options: the variants' own parameters, --loss and --label-smoothing. */
export type FamilyOptionValues = Omit<VariantParams, 'gamma' | 'alpha' | 'base'> & {
  loss?: LossName[];
  labelSmoothing?: number;
};

export interface Family {
  /** the losses shown, in order */
  names: LossName[];
  /** false when --loss was not given: the classic CE-and-FL columns */
  explicit: boolean;
  /** the names evaluated by variantLoss (all but ce and fl) */
  extras: LossName[];
  params: Omit<VariantParams, 'gamma' | 'alpha' | 'base'>;
  /** label smoothing ε: y → y(1 − ε) + ε/2 (Keras' BinaryFocalCrossentropy, before p_t and α_t) */
  smoothing: number;
}

export const LOSS_LABELS: Record<LossName, string> = {
  ce: 'CE',
  fl: 'FL',
  'ce-balanced': 'α·CE',
  'fl-star': 'FL*',
  poly1: 'Poly-1',
  'poly1-fl': 'Poly-1 FL',
  asl: 'ASL',
  'fl-reduced': 'FL reduced',
  flsd: 'FLSD',
};

export const lossKey = (name: LossName): string => name.replace(/-/g, '_');

export const FAMILY_HELP = `
Losses (--loss, several give side-by-side columns; natural log unless --log-base):
  ce           −log p_t
  fl           α_t (1 − p_t)^γ CE                                    Lin et al. 2017
  ce-balanced  α_t CE                                                Lin et al. 2017
  fl-star      α_t softplus(−(γ·x_t + β))/γ, x_t the logit margin   Lin et al. 2017, appendix (FL*)
  poly1        CE + ε (1 − p_t)                                     Leng et al. 2022 (Poly-1)
  poly1-fl     FL + ε (1 − p_t)^(γ+1)                               Leng et al. 2022
  asl          y=1: (1 − p)^γ+ CE; y=0: p_m^γ− (−log(1 − p_m)),     Ridnik et al. 2021
               p_m = max(p − m, 0), m = --clip
  fl-reduced   α_t CE below --threshold on p_t, α_t (1 − p_t)^γ/th^γ CE above   Sergievskiy & Ponamarev 2019
  flsd         FL with γ = 5 where p_t < 0.2, else γ = 3             Mukhoti et al. 2020
Defaults: --beta 0, --epsilon 1, --gamma-pos 0, --gamma-neg 4, --clip 0.05, --threshold 0.5.
--label-smoothing ε moves labels toward 0.5 first (y(1 − ε) + ε/2), as Keras does.
fl-star needs γ > 0; fl-star and asl need hard labels.`;

function lossList(text: string, previous: LossName[] | undefined): LossName[] {
  const names = text.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(LOSS_NAMES as readonly string[]).includes(n))
      throw new InvalidArgumentError(`"${n}" is not a loss; use one of ${LOSS_NAMES.join(', ')}.`);
  }
  return [...(previous ?? []), ...(names as LossName[])];
}

/** The parsers of the variants' parameters and of --label-smoothing (the explorer page checks its fields with them too). */
export const FAMILY_VALUES = {
  beta: numberIn(-700, 700, 'β is a number'),
  epsilon: numberIn(-1, Infinity, 'ε is a number ≥ −1', '[)'),
  gammaPos: numberIn(0, Infinity, 'γ+ is a number ≥ 0', '[)'),
  gammaNeg: numberIn(0, Infinity, 'γ− is a number ≥ 0', '[)'),
  clip: numberIn(0, 1, 'm is in [0, 1)', '[)'),
  threshold: numberIn(0, 1, 'th is in (0, 1]', '(]'),
  labelSmoothing: numberIn(0, 1, 'ε is in [0, 1]'),
} as const;

/** --loss: a comma list of loss names; repeats append. */
export { lossList };

export function addFamilyOptions(cmd: Command): Command {
  const v = FAMILY_VALUES;
  return cmd
    .option('--loss <list>', `losses to show: ${LOSS_NAMES.join(', ')} (default ce,fl)`, lossList)
    .option('--beta <β>', 'FL*: shift β (default 0)', v.beta)
    .option('--epsilon <ε>', 'Poly-1: coefficient ε ≥ −1 (default 1)', v.epsilon)
    .option('--gamma-pos <γ>', 'ASL: focusing for positives (default 0)', v.gammaPos)
    .option('--gamma-neg <γ>', 'ASL: focusing for negatives (default 4)', v.gammaNeg)
    .option('--clip <m>', 'ASL: probability margin m ∈ [0, 1) (default 0.05)', v.clip)
    .option('--threshold <th>', 'reduced FL: threshold on p_t, in (0, 1] (default 0.5)', v.threshold)
    .addOption(
      new Option(
        '--label-smoothing <ε>',
        'binary labels move toward 0.5: y(1 − ε) + ε/2, ε ∈ [0, 1] (default 0)',
      ).argParser(v.labelSmoothing),
    );
}

export function familyOf(o: FamilyOptionValues): Family {
  const names = o.loss ? [...new Set(o.loss)] : (['ce', 'fl'] as LossName[]);
  return {
    names,
    explicit: o.loss !== undefined,
    extras: names.filter((n) => n !== 'ce' && n !== 'fl'),
    params: {
      beta: o.beta ?? VARIANT_DEFAULTS.beta,
      epsilon: o.epsilon ?? VARIANT_DEFAULTS.epsilon,
      gammaPos: o.gammaPos ?? VARIANT_DEFAULTS.gammaPos,
      gammaNeg: o.gammaNeg ?? VARIANT_DEFAULTS.gammaNeg,
      clip: o.clip ?? VARIANT_DEFAULTS.clip,
      threshold: o.threshold ?? VARIANT_DEFAULTS.threshold,
    },
    smoothing: o.labelSmoothing ?? 0,
  };
}

/** Moved to the core (label smoothing is numerics); re-exported for the commands. */
export { smoothLabel } from '../core/index.js';

/** Every (loss, y, γ) combination must be defined: one clear error instead of a NaN later. */
export function checkFamily(family: Family, ys: readonly number[], gammas: readonly number[]): void {
  for (const name of family.extras) {
    for (const y of ys) {
      for (const gamma of gammas) {
        const problem = variantProblem(name, smoothLabel(y, family.smoothing), { gamma, alpha: null });
        if (problem) {
          const cause =
            family.smoothing > 0 && (name === 'fl-star' || name === 'asl')
              ? ' (--label-smoothing makes labels soft)'
              : '';
          throw new UsageError(`option '--loss' ${name}: ${problem}${cause}; got γ = ${gamma}, y = ${y}.`);
        }
      }
    }
  }
}

/** The variants' parameters as JSON params keys (only those of the losses shown). */
export function familyParams(family: Family): Record<string, number> {
  const out: Record<string, number> = {};
  const p = family.params;
  if (family.extras.includes('fl-star')) out.beta = p.beta!;
  if (family.extras.includes('poly1') || family.extras.includes('poly1-fl')) out.epsilon = p.epsilon!;
  if (family.extras.includes('asl'))
    Object.assign(out, { gamma_pos: p.gammaPos!, gamma_neg: p.gammaNeg!, clip: p.clip! });
  if (family.extras.includes('fl-reduced')) out.threshold = p.threshold!;
  return out;
}

/** The parts of a table caption that the family adds. */
export function familyCaption(family: Family): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(
    Object.entries(familyParams(family)).map(([k, v]) => [k.replace('_', ' '), String(v)]),
  );
  if (family.smoothing > 0) out['label smoothing'] = String(family.smoothing);
  return out;
}
