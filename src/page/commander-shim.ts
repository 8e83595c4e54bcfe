/**
 * What the page's bundle gets for `commander` (build.mjs aliases it here): the CLI's value
 * parsers (src/cli/values.ts, src/commands/family.ts) throw commander's InvalidArgumentError,
 * and the page checks its fields with those very parsers; the rest of commander stays out.
 */
export class InvalidArgumentError extends Error {
  code = 'commander.invalidArgument';
}

/** Referenced by family.ts's addFamilyOptions, which the page never calls. */
export class Option {}
