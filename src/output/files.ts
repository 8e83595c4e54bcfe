import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { UsageError } from '../cli/errors.js';

/**
 * Writes a whole file or nothing: to a temporary name beside it, then renamed into place, so
 * an interrupted run never leaves half a picture. Refuses to replace a file unless `force`.
 */
export function writeNewFile(path: string, data: string | Uint8Array, force: boolean): void {
  if (!force && existsSync(path)) throw new UsageError(`option '--out' ${JSON.stringify(path)} exists; add --force to replace it.`);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (err) {
    throw new UsageError(`option '--out' ${JSON.stringify(path)} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
}
