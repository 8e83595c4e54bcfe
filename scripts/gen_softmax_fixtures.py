#!/usr/bin/env python3
"""Regenerate test/fixtures/softmax-family.json: the focal family in softmax form (α-balanced
CE with per-class α, Poly-1 CE, Poly-1 FL, FLSD-53) and the label-smoothed multiclass CE and
FL, with their gradients over the logits, in high precision.

Usage: python3 scripts/gen_softmax_fixtures.py   (needs mpmath; writes test/fixtures/)

Every loss is written from its paper's definition on the exact softmax (mpmath, 60 digits);
every gradient is mpmath's numerical derivative of that loss (mp.diff), so no gradient
formula of the code under test is used. Cases keep p_t away from FLSD's switch at 0.2.
"""
import json
import os

from mpmath import mp, mpf, exp, log, diff

mp.dps = 60
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "softmax-family.json")


def text(v):
    if v == 0:
        return "0"
    return mp.nstr(v, 25, min_fixed=1, max_fixed=0, strip_zeros=False)


def softmax(xs):
    m = max(xs)
    es = [exp(x - m) for x in xs]
    s = sum(es)
    return [e / s for e in es]


def normalised(vs):
    s = sum(vs)
    return [v / s for v in vs]


def alpha_of(alpha, j):
    if alpha is None:
        return mpf(1)
    if isinstance(alpha, list):
        return mpf(alpha[j])
    return mpf(alpha)


def loss(name, p, t, gamma, alpha, eps):
    pt = p[t]
    q = 1 - pt
    ce = -log(pt)
    at = alpha_of(alpha, t)
    fl = at * q ** gamma * ce
    if name == "ce-balanced":
        return at * ce
    if name == "poly1":
        return ce + eps * q
    if name == "poly1-fl":
        return fl + eps * q ** (gamma + 1)
    if name == "flsd":
        g = 5 if pt < mpf("0.2") else 3
        return at * q ** g * ce
    raise ValueError(name)


def smoothed(which, p, t, gamma, alpha, s):
    k = len(p)
    total = mpf(0)
    for j in range(k):
        yj = (1 - mpf(s) if j == t else 0) + mpf(s) / k
        lj = -log(p[j])
        if which == "fl":
            lj = alpha_of(alpha, j) * (1 - p[j]) ** gamma * lj
        total += yj * lj
    return total


def gradient(f, xs):
    """d f / d x_j at the exact logits, numerically in 60-digit arithmetic."""
    out = []
    for j in range(len(xs)):
        def along(h, j=j):
            ys = [mpf(x) for x in xs]
            ys[j] += h
            return f(ys)
        out.append(diff(along, 0))
    return out


LOGITS = [
    ([2, 1, 0.1], 0),
    ([2, 1, 0.1], 2),
    ([0, 0, 3], 2),
    ([10, -5, 2, 0], 0),
    ([10, -5, 2, 0], 1),
    ([-30, 30, 0], 1),
    ([40, 0, -40], 0),
    ([0.5, 0.5, 0.5, 0.5], 3),
    ([1e-3, 0, -1e-3], 1),
    ([3, -2, 0.25, 1.5, -0.75], 3),
]
PROBS = [([0.05, 0.95, 0], 1), ([0.1, 0.8, 0.1], 2), ([0.7, 0.2, 0.1], 0), ([1, 1e-12, 0], 0)]
SETTINGS = [
    ("ce-balanced", 2, "per-class", 1),
    ("ce-balanced", 2, 0.25, 1),
    ("poly1", 2, None, 1),
    ("poly1", 2, None, -0.5),
    ("poly1", 2, None, 2),
    ("poly1-fl", 2, None, 1),
    ("poly1-fl", 0.5, 0.25, 1),
    ("poly1-fl", 2, "per-class", -0.25),
    ("flsd", 0, None, 1),
    ("flsd", 0, 0.25, 1),
]


def per_class(k):
    return [0.25 + 0.5 * j / (k - 1) for j in range(k)]


def main():
    variants = []
    for xs, t in LOGITS:
        for name, gamma, alpha, eps in SETTINGS:
            a = per_class(len(xs)) if alpha == "per-class" else alpha
            p = softmax([mpf(x) for x in xs])
            if name == "flsd" and abs(p[t] - mpf("0.2")) < mpf("1e-6"):
                continue
            f = lambda ys, name=name, gamma=gamma, a=a, eps=eps, t=t: loss(name, softmax(ys), t, gamma, a, mpf(eps))
            variants.append({
                "kind": "logits", "values": xs, "target": t, "name": name, "gamma": gamma, "alpha": a, "epsilon": eps,
                "loss": text(f([mpf(x) for x in xs])), "grad": [text(g) for g in gradient(f, xs)],
            })
    for vs, t in PROBS:
        for name, gamma, alpha, eps in SETTINGS:
            a = per_class(len(vs)) if alpha == "per-class" else alpha
            p = normalised([mpf(v) for v in vs])
            variants.append({
                "kind": "probs", "values": vs, "target": t, "name": name, "gamma": gamma, "alpha": a, "epsilon": eps,
                "loss": text(loss(name, p, t, gamma, a, mpf(eps))), "grad": None,
            })
    smooth = []
    for xs, t in LOGITS:
        for s in (0.1, 0.3):
            for gamma, alpha in ((0, None), (2, None), (2, 0.25), (0.5, "per-class")):
                a = per_class(len(xs)) if alpha == "per-class" else alpha
                case = {"values": xs, "target": t, "smoothing": s, "gamma": gamma, "alpha": a}
                for which in ("ce", "fl"):
                    f = lambda ys, which=which, gamma=gamma, a=a, s=s, t=t: smoothed(which, softmax(ys), t, gamma, a, s)
                    case["grad_" + which] = [text(g) for g in gradient(f, xs)]
                smooth.append(case)
    with open(OUT, "w") as fh:
        json.dump({"generator": "scripts/gen_softmax_fixtures.py", "variants": variants, "smoothed": smooth}, fh, indent=1)
        fh.write("\n")
    print(f"wrote {len(variants)} variant cases and {len(smooth)} smoothed-gradient cases to {OUT}")


if __name__ == "__main__":
    main()
