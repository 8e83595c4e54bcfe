import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as a user gets it: `npm pack`, installed into a fresh project, imported from
 * TypeScript (type-checked) and from plain JavaScript, and its `focal` binary run.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const project = mkdtempSync(join(tmpdir(), 'focal-pack-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

beforeAll(() => {
  const packs = join(project, 'packs');
  mkdirSync(packs);
  // --ignore-scripts: npm test has just built dist/; packing must not rebuild it concurrently
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packs, '--silent'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const tarball = join(
    packs,
    readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
  );
  const app = join(project, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // --prefer-offline: the optional PNG renderer comes from npm's cache when it is there
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', '--prefer-offline', tarball], {
    cwd: app,
    encoding: 'utf8',
  });
}, 120_000);

const app = () => join(project, 'app');

describe('the packed package in a fresh project', () => {
  it('installs with no runtime dependency but the optional PNG renderer (the CLI is one bundled file)', () => {
    const installed = readdirSync(join(app(), 'node_modules')).filter((d) => !d.startsWith('.'));
    expect(installed.filter((d) => d !== '@resvg')).toEqual(['focal-loss']);
  });

  it('plain JavaScript (ESM) imports the API', () => {
    writeFileSync(
      join(app(), 'use.mjs'),
      `import { binaryFocalLoss, binaryFocalLossWithLogits, binaryLossBatch, categoricalFocalLossWithLogits, familyLoss } from 'focal-loss';
console.log(JSON.stringify([binaryFocalLoss(0.9, 1), binaryFocalLossWithLogits(37, 1), binaryLossBatch('p', Float64Array.of(0.9), Float64Array.of(1)).fl[0], categoricalFocalLossWithLogits([2, 1, 0.1], 0).grad.length, familyLoss('poly1', 'p', 0.9, 1, { epsilon: 0 })]));
try { binaryFocalLoss(1.5, 1) } catch (e) { console.log(e.constructor.name + ': ' + e.message) }`,
    );
    const out = execFileSync(process.execPath, ['use.mjs'], { cwd: app(), encoding: 'utf8' }).trim().split('\n');
    const [fl, flLogit, batch, gradLength, poly1] = JSON.parse(out[0]!);
    expect(fl).toBe(0.00026340128914456557);
    expect(flLogit).toBeGreaterThan(1.5e-49); // 0.25 · e^-74 · e^-37: torchvision gives 0
    expect(batch).toBe(fl);
    expect(gradLength).toBe(3);
    expect(poly1).toBeCloseTo(-Math.log(0.9), 15);
    expect(out[1]).toBe('RangeError: p = 1.5: a probability must be in [0, 1]');
  });

  it('TypeScript type-checks against the shipped .d.ts, and rejects misuse', () => {
    writeFileSync(
      join(app(), 'use.ts'),
      `import { binaryFocalLoss, binarySample, type BinaryEvaluation, type FocalOptions } from 'focal-loss';
const options: FocalOptions = { gamma: 2, alpha: null, base: '10' };
const fl: number = binaryFocalLoss(0.9, 1, options);
const sample: BinaryEvaluation = binarySample('logit', -3, 1);
const grad: number = sample.grad + fl;
// @ts-expect-error: the base is 'e', '2' or '10'
binaryFocalLoss(0.9, 1, { base: 'ln' });
// @ts-expect-error: the input kind is 'p', 'logit' or 'pt'
binarySample('prob', 0.9, 1);
export { grad };
`,
    );
    writeFileSync(
      join(app(), 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [TSC, '-p', '.'], { cwd: app(), encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the installed focal explore writes its offline page (the page bundle ships in dist/)', () => {
    execFileSync(join(app(), 'node_modules/.bin/focal'), ['explore', '--out', 'explorer.html'], {
      cwd: app(),
      encoding: 'utf8',
    });
    const html = readFileSync(join(app(), 'explorer.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
    expect(html.length).toBeGreaterThan(20_000);
  });

  it('ships the code cache of the CLI made by the build, and this Node accepts it (bin/code-cache.js)', () => {
    const pkg = join(app(), 'node_modules/focal-loss');
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `process.stdout.write(String(require('./bin/code-cache.js').compileBundle(require('path').resolve('dist/focal.cjs')).cachedDataRejected))`,
      ],
      { cwd: pkg, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('false'); // 'undefined' without a cache that fits the bundle, 'true' if V8 refused it
  });

  it('the focal binary runs from node_modules/.bin', () => {
    const out = execFileSync(join(app(), 'node_modules/.bin/focal'), ['compare', '--p', '0.9', '--y', '1', '--json'], {
      cwd: app(),
      encoding: 'utf8',
    });
    expect(JSON.parse(out).rows[0].ratio).toBe(400.00000000000017);
  });
});
