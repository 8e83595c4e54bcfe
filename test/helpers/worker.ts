import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

let built: string | null = null;

/**
 * The pipeline's worker thread built from the sources under test (src/pipeline/worker.ts → one
 * CommonJS file), as the build script makes dist/pipeline-worker.cjs: the in-process CLI hands
 * it to the pipeline, so that --threads runs the code of this checkout, not a stale bundle.
 */
export function sourceWorkerEntry(): string {
  if (built) return built;
  const out = join(mkdtempSync(join(tmpdir(), 'focal-worker-')), 'pipeline-worker.cjs');
  buildSync({
    entryPoints: [fileURLToPath(new URL('../../src/pipeline/worker.ts', import.meta.url))],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  built = out;
  return out;
}
