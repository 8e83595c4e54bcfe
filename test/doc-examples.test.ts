import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

/**
 * The TSDoc examples are true: every `@example <code> // <shown value>` in the library's sources
 * is run with the public API in scope, and its value must match the value shown, to as many
 * significant digits as are shown. The shown value may be a number, a list [a, b], an object
 * { key: number, … }, a quoted string, or prose ending in "= <number>" ("ln 9 = 2.197…").
 * Several examples on one line are separated by ";" and two spaces. No example is skipped
 * silently: one whose value cannot be read, or that shows none, must be listed in UNCHECKED
 * with the reason, and is then still run (it must not throw, nor give NaN).
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const files = ['index.ts', ...readdirSync(`${SRC}core`).map((f) => `core/${f}`)];

/** Examples that show no value to compare, by their code, with the reason. */
const UNCHECKED: Record<string, string> = {
  "familyLoss('fl-star', 'logit', 2, 1, { gamma: 2, beta: 1 })":
    'shows the call only (the value is in the README table)',
  "binaryLossBatch('logit', Float64Array.of(-2, 0, 3), Float64Array.of(0, 1, 1)).fl":
    'shows the call only (a Float64Array of three losses)',
};

type Shown =
  | { kind: 'number'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'object'; entries: [string, string][] }
  | { kind: 'string'; value: string };

interface Example {
  where: string;
  code: string;
  shown: Shown | null;
  /** the comment as written, for messages */
  comment: string;
}

const NUMBER = String.raw`[-−]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;

/** What a comment shows, or null when it shows nothing readable. */
function readShown(comment: string): Shown | null {
  const c = comment.trim();
  let m: RegExpExecArray | null;
  if ((m = /^\[([^\]]*)\]/.exec(c))) return { kind: 'list', items: m[1]!.split(',').map((s) => s.trim()) };
  if ((m = /^\{([^}]*)\}/.exec(c))) {
    const entries = m[1]!.split(',').map((kv) => kv.split(':').map((s) => s.trim()) as [string, string]);
    return entries.every(([k, v]) => /^\w+$/.test(k ?? '') && new RegExp(`^${NUMBER}$`).test(v ?? ''))
      ? { kind: 'object', entries }
      : null;
  }
  if ((m = /^'((?:[^'\\]|\\.)*)'/.exec(c))) return { kind: 'string', value: m[1]! };
  if ((m = new RegExp(`^(${NUMBER})(?![\\w^])`).exec(c))) return { kind: 'number', text: m[1]! };
  // prose, then "= <number>": the last such number before any further prose
  const eq = [...c.matchAll(new RegExp(`=\\s*(${NUMBER})(?![\\w^])`, 'g'))];
  if (eq.length) return { kind: 'number', text: eq[eq.length - 1]![1]! };
  return null;
}

const examples: Example[] = [];
for (const file of files) {
  for (const match of readFileSync(SRC + file, 'utf8').matchAll(/@example (.+)/g)) {
    // "a // 1;  b // 2": two examples on one line
    for (const part of match[1]!.split(/;\s{2,}(?=[^;]*\/\/)/)) {
      const at = part.indexOf(' // ');
      const code = (at < 0 ? part : part.slice(0, at)).trim();
      const comment = at < 0 ? '' : part.slice(at + 4);
      examples.push({ where: file, code, comment, shown: at < 0 ? null : readShown(comment) });
    }
  }
}

/** Equal to the shown digits: `shown` rounds `got` at its own precision. */
function matchesNumber(got: unknown, shownText: string): boolean {
  const shown = shownText.replace('−', '-');
  if (typeof got !== 'number') return false;
  const digits = shown.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
  return Number(got.toPrecision(Math.max(1, Math.min(17, digits)))) === Number(shown) || got === Number(shown);
}

function matches(got: unknown, shown: Shown): boolean {
  switch (shown.kind) {
    case 'number':
      return matchesNumber(got, shown.text);
    case 'list': {
      const values = Array.from(got as ArrayLike<number>);
      return values.length === shown.items.length && values.every((v, i) => matchesNumber(v, shown.items[i]!));
    }
    case 'object': {
      const o = got as Record<string, unknown>;
      return shown.entries.every(([k, v]) => matchesNumber(o[k], v));
    }
    case 'string':
      return got === shown.value;
  }
}

function run(code: string): unknown {
  const statements = code
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  const body = `${statements.slice(0, -1).join(';\n')};\nreturn (${statements[statements.length - 1]});`;
  const fn = new Function(...Object.keys(api), body) as (...args: unknown[]) => unknown;
  return fn(...Object.values(api));
}

describe('TSDoc examples', () => {
  it('finds them', () => expect(examples.length).toBeGreaterThanOrEqual(30));
  it('each shows a value that is checked, or is listed as unchecked with a reason (and every listed one exists)', () => {
    const unreadable = examples
      .filter((e) => e.shown === null && !(e.code in UNCHECKED))
      .map((e) => `${e.where}: ${e.code} // ${e.comment}`);
    expect(unreadable).toEqual([]);
    const stale = Object.keys(UNCHECKED).filter((code) => !examples.some((e) => e.code === code && e.shown === null));
    expect(stale).toEqual([]);
  });
  for (const { where, code, shown, comment } of examples) {
    if (shown === null) {
      it(`${where}: ${code} (runs; unchecked: ${UNCHECKED[code] ?? 'NOT LISTED'})`, () => {
        const got = run(code);
        const values = typeof got === 'number' ? [got] : Array.from(got as ArrayLike<number>);
        expect(values.some((v) => Number.isNaN(v))).toBe(false);
      });
      continue;
    }
    it(`${where}: ${code}`, () => {
      const got = run(code);
      expect(
        matches(got, shown),
        `${code} gave ${typeof got === 'object' ? JSON.stringify(got) : String(got)}, the doc says ${comment}`,
      ).toBe(true);
    });
  }
});
