import { rounderOf, type DType } from './dtype.js';

/**
 * A scalar computation recorded op by op, each result rounded as the framework rounds it, and
 * differentiated in reverse with the framework's own backward formulas (rounded the same way).
 *
 * Rounding model. A framework op on float16/bfloat16 tensors computes in float32 ("opmath":
 * torch's CPU kernels and TF's Eigen kernels both widen half types) and rounds its result to
 * the tensor's dtype once; float32 and float64 ops round to their own type. So an op here is
 * `store(opmath(exact))`: the exact result (a double; exact for +, −, × of two narrow values,
 * within half an ulp of double for exp/log/pow), rounded to float32 and then to the dtype.
 * What this cannot show: a kernel that keeps more than one op in float32 registers (a fused
 * GPU kernel, XLA or torch.compile fusion) rounds fewer times than this.
 */
export type Var = number; // an index into the tape

/** How a framework's autograd differentiates the few ops whose backward differs between frameworks. */
export interface BackwardRules {
  name: 'torch' | 'tensorflow';
}

interface Node {
  value: number;
  /** parents and the backward step that maps this node's gradient to each parent's share */
  parents: readonly Var[];
  back: ((g: number) => readonly number[]) | null;
}

export class Tape {
  readonly dtype: DType;
  readonly rules: BackwardRules;
  private readonly nodes: Node[] = [];
  private readonly storeRound: (x: number) => number;

  constructor(dtype: DType, rules: BackwardRules) {
    this.dtype = dtype;
    this.rules = rules;
    this.storeRound = rounderOf(dtype);
  }

  /** One op's rounding: to float32 (the opmath of the half types), then to the dtype. */
  round(x: number): number {
    return this.dtype === 'float64' ? x : this.storeRound(Math.fround(x));
  }

  value(v: Var): number {
    return this.nodes[v]!.value;
  }

  /** An input (rounded to the dtype, as a tensor of that dtype holds it). */
  input(x: number): Var {
    return this.push(this.storeRound(x), [], null);
  }

  /** A constant that needs no gradient (a label, α): a tensor of the dtype. */
  constant(x: number): Var {
    return this.input(x);
  }

  private push(value: number, parents: readonly Var[], back: Node['back']): Var {
    this.nodes.push({ value, parents, back });
    return this.nodes.length - 1;
  }

  add(a: Var, b: Var): Var {
    return this.push(this.round(this.value(a) + this.value(b)), [a, b], (g) => [g, g]);
  }

  sub(a: Var, b: Var): Var {
    return this.push(this.round(this.value(a) - this.value(b)), [a, b], (g) => [g, -g]);
  }

  mul(a: Var, b: Var): Var {
    const va = this.value(a);
    const vb = this.value(b);
    return this.push(this.round(va * vb), [a, b], (g) => [this.round(g * vb), this.round(g * va)]);
  }

  /** a / b; backward g/b and −g·a/b² (TF's RealDiv gradient: g/b and (−a/b)/b·g). */
  div(a: Var, b: Var): Var {
    const va = this.value(a);
    const vb = this.value(b);
    return this.push(this.round(va / vb), [a, b], (g) => [
      this.round(g / vb),
      this.round(g * this.round(this.round(-va / vb) / vb)),
    ]);
  }

  /** s − a with a Python/C++ scalar s (torch's rsub, TF's `1 - t`): the scalar is taken in opmath. */
  rsub(s: number, a: Var): Var {
    return this.push(this.round(this.opScalar(s) - this.value(a)), [a], (g) => [-g]);
  }

  /** s · a with a scalar s. */
  scale(s: number, a: Var): Var {
    const k = this.opScalar(s);
    return this.push(this.round(k * this.value(a)), [a], (g) => [this.round(g * k)]);
  }

  /** a + s with a scalar s. */
  addScalar(a: Var, s: number): Var {
    return this.push(this.round(this.value(a) + this.opScalar(s)), [a], (g) => [g]);
  }

  neg(a: Var): Var {
    return this.push(-this.value(a), [a], (g) => [-g]);
  }

  exp(a: Var): Var {
    const y = this.round(Math.exp(this.value(a)));
    return this.push(y, [a], (g) => [this.round(g * y)]);
  }

  /** log; backward g/x (torch: grad.div(self)) or g·(1/x) (TF: grad * reciprocal(x)). */
  log(a: Var): Var {
    const x = this.value(a);
    return this.push(this.round(Math.log(x)), [a], (g) => [
      this.rules.name === 'torch' ? this.round(g / x) : this.round(g * this.round(1 / x)),
    ]);
  }

  /** log1p; backward g/(1 + x) (TF's Log1pGrad: grad * reciprocal(1 + x)). */
  log1p(a: Var): Var {
    const x = this.value(a);
    return this.push(this.round(Math.log1p(x)), [a], (g) => [this.round(g * this.round(1 / this.round(1 + x)))]);
  }

  /**
   * σ(x), one op computed as 1/(1 + e^−x) with each step in opmath (torch's CPU sigmoid
   * kernel; so 1 + e^−x rounds to 1 and σ(x) to exactly 1 for x > 16.7 in float32, and
   * e^−x overflows to ∞ and σ(x) to 0 below −88.7). Backward: torch's CPU sigmoid_backward computes
   * (g·(1 − y))·y; TF's SigmoidGrad computes y·(1 − y)·g (Eigen scalar_sigmoid_gradient_op).
   */
  sigmoid(a: Var): Var {
    const x = this.value(a);
    const o = this.opRound;
    const y = this.round(o(1 / o(1 + o(Math.exp(-x)))));
    return this.push(y, [a], (g) => {
      if (this.rules.name === 'torch') return [this.round(this.round(g * this.round(1 - y)) * y)];
      return [this.round(this.round(y * this.round(1 - y)) * g)];
    });
  }

  /**
   * a^e with a scalar exponent. Forward: torch's pow(tensor, scalar) squares for e = 2 and
   * computes x·x·x for e = 3 (pow_tensor_scalar_optimized_kernel), std::pow otherwise.
   * Backward, torch (pow_backward in FunctionsManual.cpp): 0 where e = 0, else g·(e·x^(e−1));
   * TF (_PowGrad in math_grad.py): (g·e)·x^(e−1), with no special case, so e = 0 at x = 0
   * gives 0·∞ = NaN.
   */
  powScalar(a: Var, e: number): Var {
    const x = this.value(a);
    const y = this.powValue(x, e);
    return this.push(y, [a], (g) => {
      const xe1 = this.powValue(x, e - 1);
      if (this.rules.name === 'torch') return [e === 0 ? 0 : this.round(g * this.round(this.opScalar(e) * xe1))];
      return [this.round(this.round(g * this.opScalar(e)) * xe1)];
    });
  }

  private powValue(x: number, e: number): number {
    if (this.rules.name === 'torch' && e === 2) return this.round(x * x);
    if (this.rules.name === 'torch' && e === 3) return this.round(this.round(x * x) * x);
    return this.round(Math.pow(x, e));
  }

  /** clip(x, lo, hi) (tf.clip_by_value, torch.clamp): the gradient passes where lo ≤ x ≤ hi, else 0. */
  clip(a: Var, lo: number, hi: number): Var {
    const x = this.value(a);
    const l = this.storeRound(lo);
    const h = this.storeRound(hi);
    return this.push(Math.min(Math.max(x, l), h), [a], (g) => [x >= l && x <= h ? g : 0]);
  }

  /** max(x, 0) (relu / clamp_min(0)): gradient where x > 0. */
  relu(a: Var): Var {
    const x = this.value(a);
    return this.push(x > 0 ? x : 0, [a], (g) => [x > 0 ? g : 0]);
  }

  /** |x| with the gradient sign(x) (0 at 0). */
  abs(a: Var): Var {
    const x = this.value(a);
    return this.push(Math.abs(x), [a], (g) => [x > 0 ? g : x < 0 ? -g : 0]);
  }

  /** 1/x; backward (torch's reciprocal_backward) −g·(r·r). */
  reciprocal(a: Var): Var {
    const r = this.round(1 / this.value(a));
    return this.push(r, [a], (g) => [-this.round(g * this.round(r * r))]);
  }

  /** cond ? a : b (tf.where / torch.where): the gradient goes to the branch taken, 0 to the other. */
  select(cond: boolean, a: Var, b: Var): Var {
    return this.push(cond ? this.value(a) : this.value(b), [a, b], (g) => (cond ? [g, 0] : [0, g]));
  }

  /**
   * An op with a hand-written backward (torch's binary_cross_entropy_with_logits_backward,
   * mmcv's kernels): `value` as the op returns it, `back` the gradient share of each parent.
   */
  custom(value: number, parents: readonly Var[], back: (g: number) => readonly number[]): Var {
    return this.push(value, parents, back);
  }

  /** Rounding to opmath only (float32 for the narrow types): a step inside one kernel. */
  readonly opRound = (x: number): number => (this.dtype === 'float64' ? x : Math.fround(x));

  /** A scalar as an op sees it: in opmath (float32 for the narrow types). */
  private opScalar(s: number): number {
    return this.dtype === 'float64' ? s : Math.fround(s);
  }

  /**
   * d out / d wrt by reverse accumulation: each node's gradient is the (rounded) sum of its
   * consumers' shares, as an autograd engine accumulates them.
   */
  gradient(out: Var, wrt: Var): number {
    const g: (number | undefined)[] = new Array(this.nodes.length);
    g[out] = 1;
    for (let i = out; i >= 0; i--) {
      const gi = g[i];
      const node = this.nodes[i]!;
      if (gi === undefined || !node.back) continue;
      const shares = node.back(gi);
      node.parents.forEach((p, k) => {
        const s = shares[k]!;
        const prev = g[p];
        g[p] = prev === undefined ? s : this.round(prev + s);
      });
    }
    return g[wrt] ?? 0;
  }
}
