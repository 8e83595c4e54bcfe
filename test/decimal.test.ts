import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalEnd, decimalIsJson, parseDecimal, scanDecimal } from '../src/input/decimal.js';
import { NdjsonScanner } from '../src/input/ndjson.js';
import { plan, Recorder, scan } from './helpers/csv.js';
import { check, runs, timeout } from './helpers/fuzz.js';

/**
 * The byte parser (src/input/decimal.ts) against Number(string), which is correctly rounded
 * (ECMAScript's StringToNumber): on random decimals of 1 to 25 digits at every exponent of the
 * double range, on every double printed in every precision, and on the hard cases — decimals
 * within a few units of the 19th digit of a midpoint between two doubles (where a fast path
 * that is off by a hair rounds the wrong way), the subnormal boundary and overflow. Bit for bit
 * (Object.is: −0 is not 0). 2,000 cases per property by default; FOCAL_FUZZ_RUNS when fuzzing.
 */

const enc = new TextEncoder();
function parse(s: string): number {
  const b = Buffer.from(enc.encode(s));
  return parseDecimal(b, 0, b.length);
}
function agrees(s: string): void {
  const got = parse(s);
  const want = Number(s);
  if (!Object.is(got, want)) expect.fail(`${JSON.stringify(s)}: parsed ${got}, Number() says ${want}`);
}

const digitString = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));

/** [sign] digits with a point anywhere (or none), an exponent anywhere in the double range (or none). */
const decimalText = fc
  .tuple(
    fc.constantFrom('', '-', '+'),
    digitString(1, 25),
    fc.nat(25),
    fc.boolean(),
    fc.option(fc.integer({ min: -345, max: 330 })),
    fc.constantFrom('e', 'E'),
  )
  .map(([sign, digits, point, withPoint, exponent, e]) => {
    const at = point % (digits.length + 1);
    const body = withPoint ? `${digits.slice(0, at)}.${digits.slice(at)}` : digits;
    return `${sign}${body === '.' ? '0.' : body}${exponent === null ? '' : `${e}${exponent}`}`;
  });

/** The exact decimal expansion of a finite positive double, as digits and a power of ten. */
function exactDecimal(x: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  // x = mantissa·2^e2 = mantissa·5^-e2 / 10^-e2 (e2 < 0), or mantissa·2^e2 (e2 ≥ 0)
  return e2 >= 0
    ? { digits: (mantissa << BigInt(e2)).toString(), exponent: 0 }
    : { digits: (mantissa * 5n ** BigInt(-e2)).toString(), exponent: e2 };
}

/** The midpoint between a positive double and the next one up, exactly, as digits·10^exponent. */
function midpoint(x: number): { digits: string; exponent: number } {
  // (x + next)/2 = x + ulp/2: twice x's expansion plus one ulp, over two, is 5·(…)/10
  const a = exactDecimal(x);
  const next = exactDecimal(nextUp(x));
  const scale = Math.min(a.exponent, next.exponent);
  const lift = (d: { digits: string; exponent: number }) => BigInt(d.digits) * 10n ** BigInt(d.exponent - scale);
  return { digits: ((lift(a) + lift(next)) * 5n).toString(), exponent: scale - 1 };
}

function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

/** digits·10^exponent written with its first k digits, the last one moved by `delta`. */
function nearby(d: { digits: string; exponent: number }, k: number, delta: bigint): string {
  const kept = d.digits.slice(0, k);
  const shifted = (BigInt(kept) + delta).toString();
  const carried = shifted.length > kept.length; // 99…9 + 1: one digit more, one power of ten up
  const exponent = d.exponent + (d.digits.length - kept.length) + (carried ? 1 : 0);
  const digits = carried ? shifted.slice(0, kept.length) : shifted;
  return `${digits[0]}.${digits.slice(1)}e${exponent + digits.length - 1}`;
}

const positiveDouble = fc.oneof(
  fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }),
  fc.double({ min: 1e-7, max: 1, noNaN: true }),
  fc.integer({ min: 1, max: 2 ** 53 }).map((k) => k / 2 ** 53),
);

describe('parseDecimal against Number() (correctly rounded)', () => {
  it(
    'random decimals: 1–25 digits, a point anywhere, exponents over the whole double range',
    () => {
      check(
        fc.property(decimalText, (s) => agrees(s)),
        runs(2000),
      );
    },
    timeout(30_000),
  );

  it(
    'every double as JavaScript, numpy (%.17g) and savetxt (%.18e) write it, and in 15–21 digits',
    () => {
      check(
        fc.property(positiveDouble, fc.integer({ min: 15, max: 21 }), fc.boolean(), (x, precision, negative) => {
          const y = negative ? -x : x;
          for (const s of [
            String(y),
            y.toPrecision(17),
            y.toExponential(18),
            y.toPrecision(precision),
            y.toExponential(precision - 1),
          ])
            agrees(s);
        }),
        runs(2000),
      );
    },
    timeout(30_000),
  );

  it(
    'near midpoints: the midpoint between two doubles cut to 16–20 digits, and a unit either side',
    () => {
      check(
        fc.property(positiveDouble, fc.integer({ min: 16, max: 20 }), (x, k) => {
          const m = midpoint(x);
          for (const delta of [-1n, 0n, 1n]) agrees(nearby(m, k, delta));
        }),
        runs(2000),
      );
    },
    timeout(30_000),
  );

  it(
    'exact midpoints written in full (ties to even), in the ranges where they are short',
    () => {
      check(
        fc.property(
          fc.oneof(
            fc.double({ min: 1e-3, max: 1, noNaN: true }),
            fc.double({ min: 2 ** 53, max: 2 ** 60, noNaN: true }),
          ),
          (x) => {
            const m = midpoint(x);
            agrees(`${m.digits}e${m.exponent}`);
          },
        ),
        runs(2000),
      );
    },
    timeout(30_000),
  );

  it('named hard cases: 2^53 + 1, the subnormal boundary, the largest double and beyond (Infinity)', () => {
    for (const s of [
      '9007199254740993',
      '0.9007199254740993', // 2^53 + 1 digits: not an exact double, so not one division
      '90071992547409.93',
      '9007199254740993.0000000001',
      '9007199254740992.9999999999',
      '18014398509481985',
      '5e-324',
      '4.9406564584124654e-324',
      '2.4703282292062327e-324', // just below half the smallest subnormal: 0
      '2.4703282292062328e-324', // just above: the smallest subnormal
      '2.2250738585072011e-308',
      '2.2250738585072014e-308',
      '1.7976931348623157e308',
      '1.7976931348623158e308',
      '1.7976931348623159e308', // rounds past the largest double: Infinity
      '-1e400',
      '0.011921068566293797',
      '0.06759760110476508',
      '1.192106856629379700e-02',
      '0.1000000000000000055511151231257827',
      '0.30000000000000004',
      '123456789012345678901234567890',
      '-0.0',
      '0e999',
      '00000000000000000000000001.5',
      '0.000000000000000000000000000001',
    ]) {
      agrees(s);
    }
  });
});

describe('scanDecimal: where a number ends', () => {
  it('stops at the first byte that cannot continue the number, and says where', () => {
    const at = (s: string) => {
      const b = Buffer.from(s);
      const v = scanDecimal(b, 0, b.length);
      return [v, decimalEnd];
    };
    expect(at('0.25,1\n')).toEqual([0.25, 4]);
    expect(at('-1e-3}')).toEqual([-0.001, 5]);
    expect(at('7 ')).toEqual([7, 1]);
    expect(at('1e,')[0]).toBeNaN();
    expect(at(',')[0]).toBeNaN();
    expect(at('.e1')[0]).toBeNaN();
  });

  it('says whether the number is also a JSON number (NDJSON reads only those from the bytes)', () => {
    const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
    const shapes = fc.oneof(
      decimalText,
      fc.constantFrom('+1', '.5', '5.', '01', '-01', '00.5', '0', '-0', '0.0', '1.e5', '-.5', '0e1', '10', '1E+2'),
    );
    check(
      fc.property(shapes, (s) => {
        const b = Buffer.from(s);
        const v = scanDecimal(b, 0, b.length);
        if (v === v && decimalEnd === b.length) expect(decimalIsJson, s).toBe(JSON_NUMBER.test(s));
      }),
      runs(2000),
    );
  });
  it('an NDJSON line with a number JSON does not allow is not a record: {"p":+1,"y":0} and the like', () => {
    for (const p of ['+1', '.5', '5.', '01', '1.e5', '-.5']) {
      const sink = new Recorder();
      scan(new NdjsonScanner(plan, sink), Buffer.from(`{"p":0.5,"y":1}\n{"p":${p},"y":0}\n`), []);
      expect(sink.events, p).toEqual([
        { line: 1, values: [0.5, 1] },
        { line: 2, malformed: true },
      ]);
    }
  });
});
