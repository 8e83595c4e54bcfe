import { describe, expect, it } from 'vitest';
import {
  maxFinite,
  nextDown,
  nextUp,
  relativeError,
  toBfloat16,
  toFloat16,
  ulpDistance,
  roundToFormat,
  FORMATS,
} from '../src/precision/dtype.js';

/**
 * Independent decoders: the value of a 16-bit pattern from its fields, by the textbook
 * formula (no code shared with the rounding under test). float16: 1 sign, 5 exponent
 * (bias 15), 10 fraction bits; bfloat16: the top half of a float32, decoded through a
 * DataView as float32 bits.
 */
function decodeFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  if (exp === 0) return sign * frac * 2 ** -24;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const view = new DataView(new ArrayBuffer(4));
function decodeBfloat16(bits: number): number {
  view.setUint32(0, (bits << 16) >>> 0);
  return view.getFloat32(0);
}

const PATTERNS = Array.from({ length: 65536 }, (_, b) => b);

describe.each([
  ['float16', decodeFloat16, toFloat16, 0x7c00],
  ['bfloat16', decodeBfloat16, toBfloat16, 0x7f80],
] as const)('%s rounding, exhaustively over all 65,536 bit patterns', (_name, decode, round, infBits) => {
  it('every finite value rounds to itself, NaN to NaN, infinities to themselves', () => {
    for (const b of PATTERNS) {
      const v = decode(b);
      const r = round(v);
      if (v !== v) expect(r).toBeNaN();
      else if (!Object.is(r, v)) throw new Error(`pattern 0x${b.toString(16)}: ${v} rounded to ${r}`);
    }
  });

  it('the midpoint of two neighbours goes to the one with an even last bit; just off it, to the nearer', () => {
    let checked = 0;
    for (let b = 0; b < infBits; b++) {
      // b and b + 1 are neighbours among the non-negative values (b + 1 = infBits is +Infinity)
      const lo = decode(b);
      const hi = decode(b + 1);
      const evenIsLow = b % 2 === 0;
      if (b + 1 === infBits) {
        // the midpoint between the largest finite value and the next power of two overflows
        const mid = lo + (lo - decode(b - 1)) / 2;
        expect(round(mid)).toBe(Infinity);
        expect(round(mid * (1 - 2 ** -40))).toBe(lo);
        continue;
      }
      const mid = (lo + hi) / 2; // exact in double
      const expected = evenIsLow ? lo : hi;
      if (!Object.is(round(mid), expected))
        throw new Error(`midpoint of 0x${b.toString(16)}: ${mid} → ${round(mid)}, expected ${expected}`);
      if (!Object.is(round(-mid), -expected)) throw new Error(`midpoint of −0x${b.toString(16)}: wrong sign or value`);
      const below = mid - (hi - lo) / 1024;
      const above = mid + (hi - lo) / 1024;
      if (round(below) !== lo || round(above) !== hi)
        throw new Error(`near the midpoint of 0x${b.toString(16)}: ${round(below)}, ${round(above)}`);
      checked++;
    }
    expect(checked).toBe(infBits - 1);
  });

  it('next up and next down step through the patterns in order', () => {
    const dtype = infBits === 0x7c00 ? 'float16' : 'bfloat16';
    for (let b = 1; b < infBits; b++) {
      if (nextUp(dtype, decode(b - 1)) !== decode(b)) throw new Error(`nextUp at 0x${(b - 1).toString(16)}`);
      if (nextDown(dtype, decode(b)) !== decode(b - 1)) throw new Error(`nextDown at 0x${b.toString(16)}`);
    }
    expect(nextUp(dtype, maxFinite(dtype))).toBe(Infinity);
    expect(maxFinite(dtype)).toBe(decode(infBits - 1));
  });
});

describe('the generic rounding agrees with Math.fround for float32', () => {
  it('on 200,000 random doubles of every magnitude, and on float32 midpoints', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200_000; i++) {
      const x = (rand() - 0.5) * 2 ** Math.floor(rand() * 300 - 160);
      const got = roundToFormat(FORMATS.float32, x);
      if (!Object.is(got, Math.fround(x))) throw new Error(`${x}: ${got} vs ${Math.fround(x)}`);
      const f = Math.fround(x);
      const mid = (f + nextUp('float32', f)) / 2;
      if (Number.isFinite(mid) && !Object.is(roundToFormat(FORMATS.float32, mid), Math.fround(mid)))
        throw new Error(`midpoint ${mid}`);
    }
  });
});

describe('ulp distance and relative error', () => {
  it('one step of the grid is one ulp, measured at the exact value', () => {
    expect(ulpDistance('float16', nextUp('float16', 1), 1)).toBe(1);
    expect(ulpDistance('bfloat16', 1 + 2 ** -7, 1)).toBe(1);
    expect(ulpDistance('float32', 1, 1 + 2 ** -23)).toBe(1);
  });
  it('NaN against NaN is 0, NaN or an infinity against a number is Infinity, 0 against a non-zero is Infinity', () => {
    expect(ulpDistance('float32', NaN, NaN)).toBe(0);
    expect(ulpDistance('float32', NaN, 1)).toBe(Infinity);
    expect(ulpDistance('float32', Infinity, 1e38)).toBe(Infinity);
    expect(relativeError(0, 1e-30)).toBe(1);
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(1, 0)).toBe(Infinity);
  });
});
