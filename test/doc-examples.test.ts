import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

/**
 * The TSDoc examples are true: every `@example <code> // <number or [numbers]>` in the library's
 * sources is run with the public API in scope, and its value must match the number shown, to
 * as many significant digits as are shown.
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const files = ['index.ts', ...readdirSync(`${SRC}core`).map((f) => `core/${f}`)];

interface Example {
  where: string;
  code: string;
  expected: string;
}

const examples: Example[] = [];
for (const file of files) {
  for (const match of readFileSync(SRC + file, 'utf8').matchAll(/@example (.+?) \/\/ (\[[^\]]*\]|[-\d.]+(?:e[-+]?\d+)?)/g)) {
    examples.push({ where: file, code: match[1]!, expected: match[2]! });
  }
}

/** Equal to the shown digits: `shown` rounds `got` at its own precision. */
function matches(got: unknown, shown: string): boolean {
  if (shown.startsWith('[')) {
    const want = shown.slice(1, -1).split(',').map((s) => s.trim());
    const values = Array.from(got as ArrayLike<number>);
    return values.length === want.length && values.every((v, i) => matches(v, want[i]!));
  }
  if (typeof got !== 'number') return false;
  const digits = shown.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
  return Number(got.toPrecision(Math.max(1, Math.min(17, digits)))) === Number(shown) || got === Number(shown);
}

describe('TSDoc examples', () => {
  it('finds them', () => expect(examples.length).toBeGreaterThanOrEqual(25));
  for (const { where, code, expected } of examples) {
    it(`${where}: ${code}`, () => {
      const statements = code.split(';').map((s) => s.trim()).filter(Boolean);
      const body = `${statements.slice(0, -1).join(';\n')};\nreturn (${statements[statements.length - 1]});`;
      const run = new Function(...Object.keys(api), body) as (...args: unknown[]) => unknown;
      const got = run(...Object.values(api));
      expect(matches(got, expected), `${code} gave ${String(got)}, the doc says ${expected}`).toBe(true);
    });
  }
});
