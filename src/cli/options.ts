import { InvalidArgumentError, Option, type Command } from 'commander';
import { FORMATS, type Format } from '../output/index.js';
import { DEFAULT_PRECISION } from '../output/human.js';
import type { LogBase } from '../core/index.js';
import { alphas, gammas, integerIn, oneOf } from './values.js';
import { UsageError } from './errors.js';

/** Options every loss command shares, and the defaults applied after parsing (commander would pass a default to the appending parsers as a first value). */

export interface FocalOptionValues {
  gamma?: number[];
  alpha?: (number | null)[];
  logBase?: LogBase;
}

export interface OutputOptionValues {
  format?: Format;
  json?: boolean;
  precision?: number;
  color?: boolean;
}

export const LOG_BASES = ['e', '2', '10'] as const;

export function addFocalOptions(cmd: Command, { lists }: { lists: boolean }): Command {
  const many = lists ? 'comma list or range start:stop:step, ' : '';
  return cmd
    .option('--gamma <γ>', `focusing parameter γ ≥ 0 (${many}default 2)`, gammas)
    .option(
      '--alpha <α>',
      `weight α ∈ [0, 1] of the positive class, 1 − α for the negative, or "none" (${many}default 0.25)`,
      alphas,
    )
    .addOption(
      new Option('--log-base <b>', 'logarithm base of CE and FL: e, 2 or 10 (default e)').argParser(
        oneOf(LOG_BASES, 'a log base'),
      ),
    );
}

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--format <f>', `output format: ${FORMATS.join(', ')} (default table)`).argParser(
        oneOf(FORMATS, 'an output format'),
      ),
    )
    .option('--json', 'shorthand for --format json')
    .option(
      '--precision <n>',
      `significant digits in tables, 1–17 (default ${DEFAULT_PRECISION}); machine formats always keep full precision`,
      integerIn(1, 17),
    )
    .option('--no-color', 'no colour in tables (also when NO_COLOR is set or stdout is not a terminal)');
}

export function focalDefaults(o: FocalOptionValues): { gammas: number[]; alphas: (number | null)[]; base: LogBase } {
  return { gammas: o.gamma ?? [2], alphas: o.alpha ?? [0.25], base: o.logBase ?? 'e' };
}

/**
 * Refuses a second occurrence of an option that takes one value (`--input a --input b`,
 * `--format csv --format json`, `--columns` twice): which one was meant would be a guess.
 * Commander's convention tells them apart: a parser that takes the previous value accumulates
 * (--p, --gamma, --probs, --loss …, which may repeat); any other option holds one value. Flags
 * without a value are harmless to repeat. Applied to every command (cli.ts).
 */
export function refuseRepeats(cmd: Command): void {
  for (const option of cmd.options) {
    if (!option.required && !option.optional) continue;
    const parse = option.parseArg;
    if (parse && parse.length >= 2) continue;
    const name = option.attributeName();
    const once = <T>(value: string, previous: T): T => {
      if (cmd.getOptionValueSource(name) === 'cli')
        throw new InvalidArgumentError(`${option.long} was already given; give it once.`);
      return (parse ? parse(value, previous) : value) as T;
    };
    // keep what the parser tells about itself (the values a oneOf parser accepts, for completion)
    option.parseArg = Object.assign(once, parse);
  }
}

/** The output format from --format and --json, which must not disagree (`--json --format csv`). */
export function outputFormat<F extends string>(o: { format?: F; json?: boolean }, fallback: F): F | 'json' {
  if (o.json && o.format !== undefined && o.format !== 'json')
    throw new UsageError(`--json and --format ${o.format} disagree; give one of them.`);
  return o.json ? 'json' : (o.format ?? fallback);
}
