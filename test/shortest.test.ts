import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FALLBACK, warmUpShortest, writeShortest } from '../src/output/shortest.js';
import { TextChunk } from '../src/output/text-chunk.js';
import { check, runs, timeout } from './helpers/fuzz.js';

/**
 * The machine formats' number printer against the reference it replaces: String(v), which
 * ECMAScript defines as the shortest decimal that reads back as v (the closest one of those).
 * Each case checks ten doubles (v, its neighbours, shortened and scaled variants), so the
 * default run checks ≥ 10^6 doubles; FOCAL_FUZZ_RUNS=N checks 10·N·10.
 */

const bits = new Float64Array(1);
const words = new BigUint64Array(bits.buffer);
/** the double `steps` representable values away from v (same sign) */
function neighbour(v: number, steps: number): number {
  bits[0] = v;
  words[0] = BigInt.asUintN(64, words[0]! + BigInt(steps));
  return bits[0];
}

function printed(v: number): string {
  const out = new TextChunk(64);
  out.number(v);
  return out.take();
}

/** the doubles one case checks */
function family(v: number, digits: number, scale: number): number[] {
  const a = Math.abs(v);
  const short = Number(a.toPrecision(digits));
  return [
    v,
    neighbour(a, 1),
    neighbour(a, -1),
    short,
    neighbour(short, 1),
    neighbour(short, -1),
    short * 10 ** scale,
    a / 10 ** scale,
    -a,
    2 ** scale * 1.5,
  ];
}

describe('the shortest round-trip printer', () => {
  it(
    'writes what String(v) writes, for every kind of double',
    () => {
      const anyDouble = fc.oneof(
        fc.double({ min: 1e-6, max: 1e17, noNaN: true }), // writeShortest's own range
        fc.double({ min: 1e-6, max: 1, noNaN: true }), // probabilities and small losses
        fc.double({ noNaN: true, noDefaultInfinity: true }), // everything, the fallback too
        fc.integer({ min: 1, max: 2 ** 53 }).map((k) => k / 2 ** 53),
        fc.integer({ min: -60, max: 56 }).map((e) => 2 ** e), // a significand of 2^52: a narrower gap below
        fc.integer({ min: 1, max: 99_999 }).map((k) => k / 10_000), // a sweep's short decimals
      );
      const property = fc.property(
        anyDouble,
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: -30, max: 30 }),
        (v, digits, scale) => {
          for (const x of family(v, digits, scale)) {
            if (!Number.isFinite(x)) continue;
            const got = printed(x);
            if (got !== String(x)) throw new Error(`${String(x)} printed as ${got}`);
          }
        },
      );
      check(property, runs(100_000, 10));
    },
    timeout(120_000),
  );

  it('covers 10^-6 ≤ v < 10^17 itself, and hands back everything else', () => {
    // the double 1e-6 is just below 10^-6: its neighbour above is the first one covered
    const out = new Uint8Array(32);
    expect(writeShortest(neighbour(1e-6, 1), out, 0)).not.toBe(FALLBACK);
    expect(writeShortest(neighbour(1e17, -1), out, 0)).not.toBe(FALLBACK);
    for (const v of [1e-6, 1e17, 5e-324, 2.2250738585072014e-308, Number.MAX_VALUE])
      expect(writeShortest(v, out, 0)).toBe(FALLBACK);
  });

  it('writes the edge cases as String does', () => {
    const cases = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.2,
      0.30000000000000004,
      1e-6,
      1e-7,
      123456789012345680,
      1e21,
      1e20,
      9007199254740993,
      5e-324,
      Number.MAX_VALUE,
      2 ** -1022,
      0.5,
      1 / 3,
      2 / 3,
      1e16,
      1e17 - 16,
      4.35,
      0.0001,
      0.9999,
    ];
    for (const v of cases) expect(printed(v)).toBe(String(v === 0 ? 0 : v));
  });

  it('writes a number that repeats the one before it (copied, not printed) as String does, also after a cut', () => {
    // the chunk copies the previous number's bytes when the next one is equal (p_t = p)
    const value = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: 1, max: 9999 }).map((k) => k / 10_000),
    );
    const property = fc.property(
      fc.array(fc.tuple(value, fc.nat(2)), { maxLength: 30 }),
      fc.nat(30),
      (cells, cutAt) => {
        const out = new TextChunk(64);
        let expected = '';
        cells.forEach(([v, repeats], i) => {
          for (let r = 0; r <= repeats; r++) {
            out.number(v);
            expected += String(v === 0 ? 0 : v);
          }
          if (i === cutAt) {
            // cut back to before this cell's copies: what follows must not copy the dropped bytes
            const keep = out.length - (repeats + 1) * String(v === 0 ? 0 : v).length;
            out.cutTo(keep);
            expected = expected.slice(0, keep);
          }
        });
        expect(out.take()).toBe(expected);
      },
    );
    check(property, runs(5000));
  });

  it('prints as String does after a warm-up in the middle of a chunk (the warm-up shares the digit scratch)', () => {
    const values = [0.0001, 0.25, 1 / 3, 0.9999, 1e-7, 123456789.125, 0.1 + 0.2, 0.25];
    const out = new TextChunk(256);
    values.slice(0, 4).forEach((v) => out.number(v));
    warmUpShortest();
    values.slice(4).forEach((v) => out.number(v));
    expect(out.take()).toBe(values.map(String).join(''));
  });
});
