import { closeSync, lstatSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { systemErrorText, UsageError } from '../cli/errors.js';

/**
 * Writes a whole file or nothing: to a temporary name beside it, then renamed into place, so
 * an interrupted run never leaves half a picture, and a failed write (a full disk) leaves
 * nothing, not even the temporary file. Refuses to replace anything at `path` — a file, or a
 * symbolic link, even a dangling one — unless `force`; with `force` a link is replaced, not
 * followed. A directory is never replaced.
 */
export function writeNewFile(path: string, data: string | Uint8Array, force: boolean): void {
  const target = `option '--out' ${JSON.stringify(path)}`;
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new UsageError(`${target} is a directory; give a file name.`);
  if (existing && !force) {
    throw new UsageError(
      existing.isSymbolicLink()
        ? `${target} is a symbolic link; add --force to replace the link (not the file it points to).`
        : `${target} exists; add --force to replace it.`,
    );
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let created = false;
  try {
    // 'wx': a new file of our own, never through a link or file already at that name
    const fd = openSync(temporary, 'wx');
    created = true;
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (err) {
    if (created) rmSync(temporary, { force: true });
    throw new UsageError(`${target} cannot be written: ${systemErrorText(err)}.`);
  }
}
