/** Bytes gathered per write to stdout: rows are small, and one write per row would dominate. */
export const WRITE_BATCH = 1 << 16;

/**
 * Writes rendered chunks in batches of ~64 KiB, waiting (drain) when the pipe is full.
 *
 * When the rendering fails midway, what it gave out before the error ends at a record boundary
 * (machine.ts: whole rows; JSON closed with an "error" member). If nothing has reached the
 * stream yet, that is dropped: stdout stays empty, as for any other bad input. Otherwise it is
 * written, so the reader has whole records and one valid document, and the error is rethrown.
 */
export async function writeChunks(
  chunks: AsyncIterable<string> | Iterable<string>,
  out: { write(chunk: string): unknown },
  drain?: () => Promise<void>,
): Promise<void> {
  let pending = '';
  let written = false;
  const flush = async () => {
    const text = pending;
    pending = ''; // taken before writing: a write that throws is not retried
    written = true;
    if (out.write(text) === false && drain) await drain();
  };
  try {
    for await (const chunk of chunks) {
      pending += chunk;
      if (pending.length >= WRITE_BATCH) await flush();
    }
  } catch (err) {
    if (written && pending) await flush();
    throw err;
  }
  if (pending) await flush();
}
