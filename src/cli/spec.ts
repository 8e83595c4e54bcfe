import type { Command, Option } from 'commander';

/**
 * The program as data, read from commander's own definitions: shell completion and the man
 * page are generated from it, so neither keeps a copy of the option list by hand.
 */

export interface OptionSpec {
  /** as in help: "--gamma <γ>", "-V, --version" */
  flags: string;
  /** "--gamma" */
  long: string;
  short?: string;
  description: string;
  /** the value's name ("<file>" → "file"), or null for a flag */
  value: string | null;
  /** the values it accepts, when it knows them (oneOf parsers and commander's .choices()) */
  choices: readonly string[] | null;
  /** the value names a file */
  file: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  description: string;
  /** positional arguments: name and choices */
  args: { name: string; required: boolean; choices: readonly string[] | null }[];
  options: OptionSpec[];
  /** the text after the options in `--help` (explanations and examples) */
  after: string;
}

export interface ProgramSpec {
  name: string;
  version: string;
  description: string;
  options: OptionSpec[];
  commands: CommandSpec[];
  after: string;
}

function optionSpec(o: Option): OptionSpec {
  const value = /<([^>]+)>|\[([^\]]+)\]/.exec(o.flags);
  const name = value ? (value[1] ?? value[2]!) : null;
  const parser = o.parseArg as { choices?: readonly string[] } | undefined;
  return {
    flags: o.flags,
    long: o.long ?? o.short!,
    ...(o.short ? { short: o.short } : {}),
    description: o.description,
    value: name,
    choices: o.argChoices ?? parser?.choices ?? null,
    file: name === 'file',
  };
}

/** Help's own option (-h, --help) is not in cmd.options; it is added so that it completes too. */
function visibleOptions(cmd: Command): OptionSpec[] {
  const help = cmd.createHelp();
  return help.visibleOptions(cmd).map(optionSpec);
}

/** The text commander prints after a command's options (addHelpText 'after'). */
function afterText(cmd: Command): string {
  let text = '';
  const saved = cmd.configureOutput();
  cmd.configureOutput({ ...saved, writeOut: (s) => (text += s) });
  cmd.outputHelp();
  cmd.configureOutput(saved);
  return text.slice(cmd.helpInformation().length).trim();
}

export function programSpec(program: Command, version: string): ProgramSpec {
  const commands = program.commands.filter((c) => c.name() !== 'help' && !(c as { _hidden?: boolean })._hidden);
  return {
    name: program.name(),
    version,
    description: program.description(),
    options: visibleOptions(program),
    after: afterText(program),
    commands: commands.map((c) => ({
      name: c.name(),
      summary: c.summary(),
      description: c.description(),
      args: c.registeredArguments.map((a) => ({ name: a.name(), required: a.required, choices: a.argChoices ?? null })),
      options: visibleOptions(c),
      after: afterText(c),
    })),
  };
}
