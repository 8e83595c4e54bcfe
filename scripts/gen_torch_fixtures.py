#!/usr/bin/python3
"""Write test/fixtures/torch-focal.json: what torchvision's sigmoid_focal_loss and autograd
return on this machine's PyTorch, in float64, float32 and bfloat16 (and float16 where the CPU
kernels exist), for the precision emulation's tests (test/precision-frameworks.test.ts reads only the JSON).

Usage: /usr/bin/python3 scripts/gen_torch_fixtures.py   (Debian's python3-torch and
python3-torchvision; the script records their versions and which dtypes ran)

For every case it records the input logit as the dtype holds it, the label, γ, α and:
  ce       F.binary_cross_entropy_with_logits(x, y, reduction="none")
  fl       torchvision.ops.sigmoid_focal_loss(x, y, alpha, gamma)
  grad_ce  d ce / dx from autograd
  grad     d fl / dx from autograd
each converted exactly to a double (float(t.item())), NaN and ±Infinity as strings.
"""
import json
import math
import os
import random

import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import sigmoid_focal_loss

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "torch-focal.json")

GAMMAS = [0.0, 0.5, 1.0, 2.0, 5.0]
ALPHAS = [0.25, -1.0]
LABELS = [0.0, 1.0, 0.25]
FIXED = [0.0, 1e-3, 0.1, 0.5, 1.0, 2.5, 5.0, 9.39, 13.0, 16.6, 17.0, 20.0, 30.0, 37.0, 50.0,
         88.0, 89.0, 100.0, 1e4, 1e30]


def number(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def logits():
    rng = random.Random(13)
    xs = FIXED + [-v for v in FIXED if v != 0]
    xs += [rng.uniform(-20, 20) for _ in range(8)]
    return xs


def run(dtype, xs, y, gamma, alpha):
    x = torch.tensor(xs, dtype=dtype, requires_grad=True)
    t = torch.full_like(x, y).detach()
    fl = sigmoid_focal_loss(x, t, alpha=alpha, gamma=gamma, reduction="none")
    (grad,) = torch.autograd.grad(fl.sum(), x)
    x2 = x.detach().clone().requires_grad_(True)
    ce = F.binary_cross_entropy_with_logits(x2, t, reduction="none")
    (grad_ce,) = torch.autograd.grad(ce.sum(), x2)
    return x.detach(), ce.detach(), fl.detach(), grad_ce, grad


def main():
    cases = []
    ran, skipped = [], {}
    xs = logits()
    for name, dtype in [("float64", torch.float64), ("float32", torch.float32), ("bfloat16", torch.bfloat16), ("float16", torch.float16)]:
        try:
            run(dtype, [0.0], 1.0, 2.0, 0.25)
        except RuntimeError as e:
            skipped[name] = str(e).splitlines()[0]
            continue
        ran.append(name)
        for gamma in GAMMAS:
            for alpha in ALPHAS:
                for y in LABELS:
                    x, ce, fl, grad_ce, grad = run(dtype, xs, y, gamma, alpha)
                    for i in range(len(xs)):
                        cases.append({
                            "dtype": name, "x": number(x[i].item()), "y": y, "gamma": gamma,
                            "alpha": None if alpha < 0 else alpha,
                            "ce": number(ce[i].item()), "fl": number(fl[i].item()),
                            "grad_ce": number(grad_ce[i].item()), "grad": number(grad[i].item()),
                        })
    doc = {
        "generator": "scripts/gen_torch_fixtures.py",
        "torch": torch.__version__, "torchvision": torchvision.__version__,
        "dtypes": ran, "skipped": skipped, "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases for {', '.join(ran)} to {OUT}; skipped: {skipped}")


if __name__ == "__main__":
    main()
