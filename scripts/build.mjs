// Builds dist/focal.cjs (and dist/pipeline-worker.cjs, dist/page.js, dist/page.css): the CLI as one CommonJS bundle (one file to read and compile at
// start-up; modules that only tables need are evaluated lazily inside it).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// The Parquet and Arrow readers (hyparquet, apache-arrow) are ~500 KB of code that only those
// inputs need; inside the CLI's bundle V8 would still parse them at every start (start-up went
// from 1.22× to 1.59× `node -e 0`, bench/startup.mjs). So they are bundles of their own, loaded
// by the dynamic imports in src/pipeline/open.ts, which this plugin points at them.
const ownBundles = {
  name: 'own-bundles',
  setup(b) {
    b.onResolve({ filter: /^\.\/decode\/(parquet|arrow)\.js$/ }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: `./decode-${args.path.match(/(parquet|arrow)/)[1]}.cjs`, external: true }
        : undefined,
    );
  },
};

// commander requires node:child_process at load, for executable subcommands (`git-style`),
// which focal has none of; loading it (and net, stream, …) cost ~10% of start-up
// (bench/startup.mjs). Inside commander it is resolved to a stand-in that loads it only if used.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'focal' } : undefined,
    );
    b.onLoad({ filter: /^lazy-child-process$/, namespace: 'focal' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

await build({
  // the CLI, and the worker that a parallel run starts (src/main.ts hands its path to the pipeline)
  entryPoints: {
    focal: 'src/main.ts',
    'pipeline-worker': 'src/pipeline/worker.ts',
    'decode-parquet': 'src/pipeline/decode/parquet.ts',
    'decode-arrow': 'src/pipeline/decode/arrow.ts',
  },
  plugins: [ownBundles, lazyChildProcess],
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: process.env.FOCAL_NO_MINIFY !== '1',
  legalComments: 'none',
  // a native module (prebuilt .node binaries), loaded at run time only for PNG output
  external: ['@resvg/resvg-js'],
  define: { FOCAL_VERSION: JSON.stringify(pkg.version) },
  // import() becomes require(): the bundles are CommonJS, and bin/code-cache.js compiles the CLI
  // as a vm.Script, which has no loader for import() (nor would a require start the ESM loader)
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
});

// V8's code cache of the CLI's bundle (bin/code-cache.js), warmed up on the start-ups that
// bench/startup.mjs times: the JSON and the table of one compare.
const warm = spawnSync(
  process.execPath,
  [
    fileURLToPath(new URL('code-cache.cjs', import.meta.url)),
    'dist/focal.cjs',
    ...['compare', '--p', '0.9', '--gamma', '2', '--format', 'json'],
    ...['--', 'compare', '--p', '0.9', '--gamma', '2'],
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (warm.status !== 0) process.exit(warm.status ?? 1);

// The page (focal explore, HTML reports): the core and the page's code as one script for the
// browser, and its style sheet; the CLI inlines both into each page it writes. The CLI's value
// parsers throw commander's InvalidArgumentError, so commander is replaced by a two-class shim.
await build({
  entryPoints: [
    { in: 'src/page/main.ts', out: 'page' },
    { in: 'src/page/page.css', out: 'page' },
  ],
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: process.env.FOCAL_NO_MINIFY !== '1',
  legalComments: 'none',
  charset: 'utf8',
  alias: { commander: './src/page/commander-shim.ts' },
  logLevel: 'warning',
});

// The library: the core and its typed API as ES modules with .d.ts (tsc, tsconfig.lib.json).
const tsc = spawnSync(
  process.execPath,
  [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.lib.json'],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
