/**
 * What a run reads and how it evaluates, as plain data (a worker thread gets a copy): the
 * settings from the command's options, the plan chosen from the names an input has (CSV
 * headers, NDJSON keys, .npz arrays, Parquet/Arrow columns), and the checks of the settings
 * against the samples (the same for every format).
 */
import { variantProblem, type LogBase, type LossName, type VariantParams } from '../core/index.js';
import { UsageError } from '../errors.js';
import { resolveLayout, type ColumnSpec } from '../input/layout.js';
import { smoothLabel } from '../core/index.js';
import { TEXT_PREDICTION, TEXT_TARGET } from './decode/text.js';
import { DEFAULT_IGNORE_LABEL, layoutOf, type Activation, type Layout, type PredictionKind } from './layout.js';

export interface SampleSettings {
  /** the command reading the samples, for its messages */
  command: 'loss' | 'anatomy' | 'sweep' | 'calibration';
  /** the input's name in messages */
  source: string;
  columns: ColumnSpec;
  /** vectors: one softmax per row (the default) or a sigmoid per element, one-vs-rest */
  activation?: Activation;
  /** sigmoid rows: the class index that skips a row (others outside 0…C−1 are background) */
  ignoreLabel?: number;
  /** the array of --labels FILE.npy: the label, whatever it is called */
  labelsArray?: string | null;
  /** text input: skip bad rows (counted, the first few named) instead of stopping */
  skipInvalid: boolean;
  gamma: number;
  /** one α, or one per class for softmax rows */
  alpha: number | readonly number[] | null;
  base: LogBase;
  /** the focal family's further losses (--loss), their parameters, and label smoothing ε */
  family: { extras: readonly LossName[]; params: Omit<VariantParams, 'gamma' | 'alpha' | 'base'>; smoothing: number };
}

/** The samples a run will see, once the input's names are known. */
export interface SamplePlan {
  layout: Layout;
  /** a binary input's scalar columns joined into the prediction vector (p_0, p_1 … in Parquet); null otherwise */
  vector: string[] | null;
  /** the input's columns read: the prediction's (one, or one per class), then the target's */
  names: string[];
  /** what the prediction columns hold, by --columns' role names */
  kind: PredictionKind;
  /** classes of a text vector (known from its header); 0 where the data tells (a binary input's 2-D array) */
  classes: number;
}

export const PT_SMOOTHING = "option '--label-smoothing' makes labels soft, and p_t needs hard labels; give p or logit.";

const isVector = (kind: PredictionKind): boolean => kind === 'probs' || kind === 'logits';

/** The plan for a text input, from its header: a prediction column of one value or K (joined), and the target. */
export function textPlan(settings: SampleSettings, header: string[]): SamplePlan {
  const resolved = resolveLayout(header, settings.columns, settings.source);
  const vector = isVector(resolved.kind);
  if (settings.activation === 'sigmoid' && !vector) {
    throw new UsageError(
      `--activation sigmoid takes a vector of class scores per row (logit_0, logit_1, … or --columns logits=A+B+…); ${settings.source} has one ${resolved.kind} per row.`,
    );
  }
  const layout = layoutOf(
    resolved.kind,
    TEXT_PREDICTION,
    TEXT_TARGET,
    settings.activation,
    settings.ignoreLabel ?? DEFAULT_IGNORE_LABEL,
  );
  const plan: SamplePlan = {
    layout,
    vector: null,
    names: resolved.names,
    kind: resolved.kind,
    classes: vector ? resolved.classes : 0,
  };
  checkSettings(settings, layout, vector ? resolved.classes : 1);
  return plan;
}

/**
 * The plan for a binary input, from the names of its arrays or columns: found as CSV headers
 * are (p, logit, pt, probs, logits, p_0 …; y, label, target, labels, targets), or named with
 * --columns.
 */
export function columnarPlan(settings: SampleSettings, available: string[]): SamplePlan {
  const spec =
    settings.labelsArray && !settings.columns.y ? { ...settings.columns, y: [settings.labelsArray] } : settings.columns;
  const resolved = resolveLayout(available, spec, settings.source, { arrays: true });
  const label = resolved.names[resolved.names.length - 1]!;
  const predictions = resolved.names.slice(0, -1);
  const vector = predictions.length > 1 ? predictions : null;
  if (vector && settings.activation === undefined && !isVector(resolved.kind)) {
    throw new UsageError(
      `option '--columns' ${resolved.kind} takes one column; for a vector of class scores use probs=… or logits=…, or --activation sigmoid|softmax.`,
    );
  }
  const layout = layoutOf(
    resolved.kind,
    predictions[0]!,
    label,
    settings.activation,
    settings.ignoreLabel ?? DEFAULT_IGNORE_LABEL,
  );
  return { layout, vector, names: resolved.names, kind: resolved.kind, classes: vector ? vector.length : 0 };
}

/**
 * The settings against the samples, once their shape and class count are known (a text
 * header, or a binary input's first batch): one α or one per class, label smoothing and the
 * --loss variants where they are defined.
 * @param classes  the width of a prediction: 1 for binary samples
 */
export function checkSettings(settings: SampleSettings, layout: Layout, classes: number): void {
  const { alpha, family } = settings;
  if (Array.isArray(alpha)) {
    if (layout.shape !== 'softmax')
      throw new UsageError(
        `option '--alpha' has ${alpha.length} values; ${layout.shape} samples take one${layout.shape === 'sigmoid' ? ' (the weight of every positive element)' : ''}.`,
      );
    if (alpha.length !== classes)
      throw new UsageError(
        `option '--alpha' has ${alpha.length} values for ${classes} classes in ${settings.source}; give one, or one per class.`,
      );
  }
  if (layout.shape === 'binary' && layout.input === 'pt' && family.smoothing > 0) throw new UsageError(PT_SMOOTHING);
  if (layout.shape === 'sigmoid' && (family.extras.length > 0 || family.smoothing > 0))
    throw new UsageError(
      "options '--loss' variants and '--label-smoothing' are not available with --activation sigmoid.",
    );
  if (layout.shape === 'softmax' && family.extras.length > 0)
    throw new UsageError(
      `option '--loss' ${family.extras.join(',')}: the variants are binary; softmax samples take ce and fl.`,
    );
}

/**
 * The --loss variants' own rule on a binary label (some are defined for hard labels only): what
 * is wrong, or null. Null when there are no variants.
 */
/** The rule of an analysis that needs hard labels: what a soft label breaks. */
export function hardLabelRule(analysis: string): (y: number) => string | null {
  return (y) => (y === 0 || y === 1 ? null : `${analysis} needs hard labels 0 or 1, but the label is ${y}`);
}

/** Both rules on a label, the first's problem first (null when there is neither). */
export function bothRules(
  first: ((y: number) => string | null) | null,
  second: ((y: number) => string | null) | null,
): ((y: number) => string | null) | null {
  if (first === null || second === null) return first ?? second;
  return (y) => first(y) ?? second(y);
}

export function variantRule(settings: SampleSettings): ((y: number) => string | null) | null {
  const { family, gamma } = settings;
  if (family.extras.length === 0) return null;
  const alpha = Array.isArray(settings.alpha) ? null : (settings.alpha as number | null);
  return (y) => {
    const label = smoothLabel(y, family.smoothing);
    for (const name of family.extras) {
      const problem = variantProblem(name, label, { gamma, alpha });
      if (problem) return `${problem}, but the label is ${label}`;
    }
    return null;
  };
}
