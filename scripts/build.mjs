// Builds dist/focal.cjs (and dist/loss-worker.cjs): the CLI as one CommonJS bundle (one file to read and compile at
// start-up; modules that only tables need are evaluated lazily inside it).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  // the CLI, and the worker that a parallel `focal loss --input` starts
  entryPoints: { focal: 'src/main.ts', 'loss-worker': 'src/commands/loss-worker.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: process.env.FOCAL_NO_MINIFY !== "1",
  legalComments: 'none',
  // a native module (prebuilt .node binaries), loaded at run time only for PNG output
  external: ['@resvg/resvg-js'],
  define: { FOCAL_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

// The library: the core and its typed API as ES modules with .d.ts (tsc, tsconfig.lib.json).
const tsc = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.lib.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
