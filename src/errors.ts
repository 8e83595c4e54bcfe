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

/**
 * Whether `err` is bad usage or input (exit 2). By its exit code, not `instanceof`: the Parquet
 * and Arrow readers are bundles of their own (scripts/build.mjs), each with its own copy of
 * these classes, and their FormatError must still reach the user as one line with exit 2.
 */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && (err as { exitCode?: unknown }).exitCode === 2;
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

/** What the system errors a user can cause mean, in words (the errno code alone says little). */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EEXIST: 'it already exists',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EAGAIN: 'not ready to be read',
};

/** A system error (ENOSPC…) in words, for one line on stderr. */
export function systemErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && SYSTEM_ERRORS[code]) ?? code ?? (err instanceof Error ? err.message : String(err));
}
