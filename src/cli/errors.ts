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
};

/** A system error (ENOSPC…) in words, for one line on stderr. */
export function systemErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && SYSTEM_ERRORS[code]) ?? code ?? (err instanceof Error ? err.message : String(err));
}
