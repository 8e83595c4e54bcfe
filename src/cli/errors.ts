/** Errors the CLI turns into one line on stderr and an exit code; nothing else is caught. */

/** Bad usage or bad input: exit status 2. The message names the option, the value and what is allowed. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
