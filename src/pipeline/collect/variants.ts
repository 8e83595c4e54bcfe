/**
 * The sums of the focal family's further losses (--loss poly1, fl-star …) over binary samples,
 * each an exact sum (the same bits however the input was split).
 */
import { evaluateVariants, ExactSum, smoothLabel, type ExactSumState } from '../../core/index.js';
import type { SampleBatch } from '../layout.js';
import type { SampleSettings } from '../samples.js';

export type VariantsState = ExactSumState[];

/** Adds each sample's variants, as evaluateVariants gives them, to the running sums. */
export class VariantSums {
  private readonly sums: ExactSum[];
  private readonly out: Float64Array;

  constructor(private readonly settings: Pick<SampleSettings, 'gamma' | 'alpha' | 'base' | 'family'>) {
    this.sums = settings.family.extras.map(() => new ExactSum());
    this.out = new Float64Array(settings.family.extras.length);
  }

  add(samples: SampleBatch): void {
    if (samples.shape !== 'binary' || this.sums.length === 0) return;
    const { gamma, base, family } = this.settings;
    const alpha = this.settings.alpha as number | null;
    const params = { gamma, alpha, base, ...family.params };
    for (let r = 0; r < samples.rows; r++) {
      evaluateVariants(
        family.extras,
        samples.input,
        samples.value[r]!,
        smoothLabel(samples.label[r]!, family.smoothing),
        params,
        this.out,
      );
      for (let k = 0; k < this.sums.length; k++) this.sums[k]!.add(this.out[k]!);
    }
  }

  state(): VariantsState {
    return this.sums.map((s) => s.state());
  }

  merge(state: VariantsState): void {
    state.forEach((s, k) => this.sums[k]!.merge(s));
  }

  /** The sums, in family.extras order. */
  values(): number[] {
    return this.sums.map((s) => s.value);
  }
}
