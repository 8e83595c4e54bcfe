import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatFixture } from './helpers/formats.js';
import { runCli } from './helpers/cli.js';

/**
 * The CLI's bundle runs with V8's code cache that the build writes next to it (bin/code-cache.js,
 * scripts/code-cache.cjs). The cache is only ever an optimisation: without it, with a damaged one,
 * or with the cache of another build, the CLI must behave exactly the same.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOADER = join(ROOT, 'bin/code-cache.js');
const WARM = join(ROOT, 'scripts/code-cache.cjs');
const BUNDLE = join(ROOT, 'dist/focal.cjs');
const work = mkdtempSync(join(tmpdir(), 'focal-code-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** How V8 took the cache of FILE when bin/code-cache.js compiled it: 'false' accepted, 'true' rejected, 'undefined' none given. */
function cacheVerdict(file: string): string {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `process.stdout.write(String(require(${JSON.stringify(LOADER)}).compileBundle(${JSON.stringify(file)}).cachedDataRejected))`,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** A copy of bin/ and dist/ (the installed package's layout), to damage its cache without touching the build. */
function copyOfPackage(name: string): string {
  const dir = join(work, name);
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), {
    recursive: true,
    filter: (src) => !src.includes(`${join('dist', 'lib')}`),
  });
  return dir;
}

function runFrom(dir: string, argv: string[]) {
  const r = spawnSync(process.execPath, [join(dir, 'bin/focal.js'), ...argv], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMPARE = ['compare', '--p', '0.9,1e-300', '--y', '1,0', '--gamma', '0,2', '--format', 'json'];

describe('the code cache that npm run build writes', () => {
  it('sits next to the bundle, made for exactly this bundle, and this Node accepts it', () => {
    const cache = readFileSync(`${BUNDLE}.cache`);
    const key = cache.toString('latin1', 0, 16);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(readFileSync(BUNDLE, 'utf8').endsWith(`\n//# focal-cache-key=${key}\n`)).toBe(true);
    expect(cacheVerdict(BUNDLE)).toBe('false');
  });

  it('the bundle is ASCII: one other character and V8 holds its ~340 KB source as a two-byte string', () => {
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/[^\x00-\x7f]/);
  });

  it('the bundle has no import(): a vm.Script has no module loader for it (Parquet and Arrow are required)', () => {
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/\bimport\(/);
  });

  it('the built CLI reads Parquet and Arrow (their bundles are loaded from inside the cached one)', async () => {
    for (const file of ['binary.parquet', 'binary.arrow']) {
      const argv = ['loss', '--input', formatFixture(file), '--format', 'json'];
      const built = runFrom(ROOT, argv);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      expect(built.stdout).toBe((await runCli(argv)).stdout);
    }
  });
});

describe('the CLI without a usable cache prints the same as with it', () => {
  it('with the cache, without it, with a damaged one, with a short one, with another build’s', async () => {
    const expected = (await runCli(COMPARE)).stdout;
    const cases: Record<string, [(cacheFile: string) => void, string]> = {
      'as built': [() => {}, 'false'],
      missing: [(f) => rmSync(f), 'undefined'],
      // the right key, then bytes that are not V8's: V8 rejects them and compiles the source
      damaged: [
        (f) => writeFileSync(f, Buffer.concat([readFileSync(f).subarray(0, 16), Buffer.alloc(5000, 7)])),
        'true',
      ],
      'cut short': [(f) => writeFileSync(f, readFileSync(f).subarray(0, 10)), 'undefined'],
      // another build's key: not handed to V8 at all, which checks only the source's length
      'another build': [
        (f) => writeFileSync(f, Buffer.concat([Buffer.from('0123456789abcdef'), readFileSync(f).subarray(16)])),
        'undefined',
      ],
    };
    for (const [name, [damage, verdict]] of Object.entries(cases)) {
      const dir = copyOfPackage(name.replace(/\W/g, '-'));
      damage(join(dir, 'dist/focal.cjs.cache'));
      expect(cacheVerdict(join(dir, 'dist/focal.cjs')), name).toBe(verdict);
      const r = runFrom(dir, COMPARE);
      expect(r.stderr, name).toBe('');
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toBe(expected);
    }
  });
});

describe('bin/code-cache.js runs a bundle as require would', () => {
  const dir = join(work, 'module');
  const file = join(dir, 'bundle.cjs');
  mkdirSync(dir);
  // the error is made on line 1: its column must be the file's, not shifted by the wrapper
  const line1 = `module.exports = { dir: __dirname, file: __filename, sibling: require('./sibling.cjs'), sep: require('node:path').sep, stack: () => new Error('here').stack, self: module.exports === exports };`;
  const load = `const c = require(${JSON.stringify(LOADER)}); const f = ${JSON.stringify(file)};
const m = c.runBundle(c.compileBundle(f), f);
console.log(JSON.stringify({ ...m, stack: m.stack().split('\\n')[1].trim() }));`;

  it('its __dirname, __filename, require (relative and built-in) and module.exports, and stack positions', () => {
    writeFileSync(file, `${line1}\n`);
    writeFileSync(join(dir, 'sibling.cjs'), 'module.exports = 42;\n');
    const r = spawnSync(process.execPath, ['-e', load], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ dir, file, sibling: 42, sep: '/', self: true });
    expect(m.stack).toBe(`at Object.stack (${file}:1:${line1.indexOf('new Error') + 1})`);
  });

  it('scripts/code-cache.cjs keys the bundle and writes a cache V8 accepts; a new build of the same length is not given the old cache', () => {
    const warm = (source: string) => {
      writeFileSync(file, source);
      const r = spawnSync(process.execPath, [WARM, file], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    };
    warm(`${line1}\n`);
    expect(cacheVerdict(file)).toBe('false');
    const oldCache = readFileSync(`${file}.cache`);
    // 'here' → 'HERE': other code of the same length, which V8 alone would run from the old cache
    warm(`${line1.replace("'here'", "'HERE'")}\n`);
    writeFileSync(`${file}.cache`, oldCache);
    expect(cacheVerdict(file)).toBe('undefined');
    const r = spawnSync(process.execPath, ['-e', load], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).stack).toMatch(/^at Object.stack/);
    const stack = spawnSync(
      process.execPath,
      ['-e', `${load.split('\n')[0]} console.log(c.runBundle(c.compileBundle(f), f).stack())`],
      {
        encoding: 'utf8',
      },
    );
    expect(stack.stdout).toMatch(/^Error: HERE\n/);
  });

  it('scripts/code-cache.cjs fails, and writes no cache, when a warm-up run ends with a non-zero status', () => {
    const failing = join(dir, 'failing.cjs');
    writeFileSync(failing, 'process.exitCode = process.argv[2] === "bad" ? 2 : 0;\n');
    const r = spawnSync(process.execPath, [WARM, failing, 'good', '--', 'bad'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/code-cache: bad exited 2/);
    expect(existsSync(`${failing}.cache`)).toBe(false);
  });
});
