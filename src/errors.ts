/**
 * Errors that the CLI turns into one line on stderr and an exit code; nothing else is caught.
 * A neutral module: input/, pipeline/, output/ and cli/ all import it, and it imports nothing.
 */

/** Bad usage or bad input: exit status 2. The message names the option, the value and what is allowed. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A file whose bytes are not what its format says (corrupt, truncated, an unsupported
 * variant): exit status 2, like any bad input. The message starts with the file's name.
 */
export class FormatError extends UsageError {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'FormatError';
  }
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
