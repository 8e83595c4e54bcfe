import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyLosses,
  evaluateBinary,
  evaluateBinaryLossesInto,
  type BinaryInputKind,
  type FocalParams,
} from '../src/core/index.js';
import { alpha, base, check, gamma, hardLabel, logit, probability, runs, timeout } from './helpers/fuzz.js';

/**
 * evaluateBinaryLossesInto (what `compare` evaluates without --grad) against evaluateBinary:
 * every field it gives must have evaluateBinary's bits, on random inputs from every region
 * (the ends of (0, 1), subnormals, ±∞ logits, soft labels, huge γ), reusing one object
 * throughout as compare does (a field left over from the previous sample would show).
 */

const anyProbability = fc.oneof(
  probability,
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 2 ** -1022, noNaN: true }),
  fc.constantFrom(0, 1, 5e-324, 1 - 2 ** -53, 0.5),
);
const anyLogit = fc.oneof(
  logit,
  fc.double({ min: -800, max: 800, noNaN: true }),
  fc.constantFrom(0, -0, Infinity, -Infinity, 745, -745, 2 ** 1000),
);
const anyGamma = fc.oneof(gamma, fc.constantFrom(0, 1, 2, 5, 0.5, 1e4), fc.double({ min: 0, max: 1, noNaN: true }));
const softLabel = fc.double({ min: 0, max: 1, noNaN: true });

const input = fc.oneof(
  fc.record({ kind: fc.constant<BinaryInputKind>('p'), value: anyProbability, y: fc.oneof(hardLabel, softLabel) }),
  fc.record({ kind: fc.constant<BinaryInputKind>('logit'), value: anyLogit, y: fc.oneof(hardLabel, softLabel) }),
  fc.record({ kind: fc.constant<BinaryInputKind>('pt'), value: anyProbability, y: hardLabel }),
);

const FIELDS = ['p', 'y', 'pt', 'alphaT', 'modulating', 'ce', 'fl', 'ratio'] as const;

describe('evaluateBinaryLossesInto', () => {
  it(
    "gives evaluateBinary's bits for every field it has",
    () => {
      const out = emptyLosses();
      const property = fc.property(input, anyGamma, alpha, base, ({ kind, value, y }, g, a, b) => {
        const params: FocalParams = { gamma: g, alpha: a, base: b };
        const full = evaluateBinary(kind, value, y, params);
        const lean = evaluateBinaryLossesInto(out, kind, value, y, params);
        for (const field of FIELDS) {
          // Object.is: NaN equals NaN, and +0 differs from −0
          if (!Object.is(lean[field], full[field]))
            throw new Error(`${kind} ${value} y=${y} γ=${g} α=${a}: ${field} ${lean[field]} ≠ ${full[field]}`);
        }
      });
      check(property, runs(20_000));
    },
    timeout(60_000),
  );

  it('has exactly the fields of evaluateBinary but the gradients', () => {
    const lean = evaluateBinaryLossesInto(emptyLosses(), 'p', 0.9, 1, { gamma: 2, alpha: 0.25 });
    expect(Object.keys(lean).sort()).toEqual([...FIELDS].sort());
  });
});
