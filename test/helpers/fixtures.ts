import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BinaryCase {
  kind: 'p' | 'logit' | 'pt';
  x: number;
  y: number;
  gamma: number;
  alpha: number | null;
  base: 'e' | '2' | '10';
  ce: string;
  fl: string;
  ratio: string;
  grad: string;
  grad_ce: string;
  grad_p: string;
  grad_ce_p: string;
}

export interface CategoricalCase {
  kind: 'probs' | 'logits';
  values: number[];
  target: number;
  gamma: number;
  alpha: number | number[] | null;
  pt: string;
  ce: string;
  fl: string;
  ratio: string;
  grad?: string[];
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8')) as T;
}

export const binaryRegions = (): Record<string, BinaryCase[]> =>
  load<{ regions: Record<string, BinaryCase[]> }>('binary.json').regions;
export const categoricalCases = (): CategoricalCase[] => load<{ cases: CategoricalCase[] }>('categorical.json').cases;
/** Issue 8 §1.8–9: logits and probability vectors beyond the double range. */
export const categoricalExtremeCases = (): CategoricalCase[] =>
  load<{ extreme: CategoricalCase[] }>('categorical.json').extreme;
export const priorRegions = (): Record<string, { pi: number; bias: string }[]> =>
  load<{ regions: Record<string, { pi: number; bias: string }[]> }>('prior.json').regions;
