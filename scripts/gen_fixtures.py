#!/usr/bin/env python3
"""Regenerate test/fixtures/*.json: reference values for the loss core, in high precision.

Usage: python3 scripts/gen_fixtures.py   (needs mpmath; writes test/fixtures/)

Every input is taken exactly as the binary64 value it denotes (mpmath converts a Python
float exactly) and every result is evaluated with 60 significant digits, then written with
25 as a decimal string ("0" and "Infinity" where exact). Values outside the double range
are written as they are: the nearest double (0 or Infinity) is what the core must return.

Cases are grouped by region, one per branch point of the algorithms, so that each region's
ulp bound is tested on its own (test/core.test.ts).
"""
import json
import math
import os
import random

from mpmath import mp, mpf, log, log1p, exp, inf

mp.dps = 60
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")
LN = {"e": mpf(1), "2": log(2), "10": log(10)}


def text(v):
    if v == inf:
        return "Infinity"
    if v == -inf:
        return "-Infinity"
    if v == 0:
        return "0"
    return mp.nstr(v, 25, min_fixed=1, max_fixed=0, strip_zeros=False)


def sigma(x):
    return 1 / (1 + exp(-x))


def one_minus(v):
    """1 − v exactly (mpf subtraction is otherwise rounded to the working precision, which
    would turn 1 − 5e-324 into 1)."""
    return mp.fsub(1, v, exact=True)


def log_sigma(x):
    """log σ(x) = −log1p(e^−x), accurate where σ(x) is within 1e-60 of 1."""
    return -log1p(exp(-x))


def exact_terms(kind, X, y):
    """p, 1 − p, log p, log(1 − p), p_t, 1 − p_t, log p_t, log(1 − p_t) and CE at the exact
    input (hard labels: p_t = p or 1 − p; soft: torchvision's interpolation, log p_t = None)."""
    Y = mpf(y)
    if kind == "logit":
        p, pneg = sigma(X), sigma(-X)
        logp, logpneg = log_sigma(X), log_sigma(-X)
    else:
        p = (X if y == 1 else one_minus(X)) if kind == "pt" else X
        pneg = one_minus(p)
        logp = log(p) if p > 0 else -inf
        logpneg = log(pneg) if pneg > 0 else -inf
    if y in (0, 1):
        pt, q, logpt, logq = (p, pneg, logp, logpneg) if y == 1 else (pneg, p, logpneg, logp)
        return p, pneg, pt, q, logpt, logq, -logpt
    Yc = one_minus(Y)
    return p, pneg, Y * p + Yc * pneg, Y * pneg + Yc * p, None, None, -(Y * logp + Yc * logpneg)


def binary_case(kind, x, y, gamma, alpha, base="e"):
    """Exact CE, FL, ratio, dFL/dx and dCE/dx at the double inputs (see vectors/README.md)."""
    X, Y, G = mpf(x), mpf(y), mpf(gamma)
    A = None if alpha is None else mpf(alpha)
    hard = y in (0, 1)
    p, pneg, pt, q, _, _, ce = exact_terms(kind, X, y)
    at = mpf(1) if A is None else A * Y + (1 - A) * (1 - Y)
    mod = mpf(1) if G == 0 else q ** G
    fl = mpf(0) if at == 0 or mod == 0 else at * mod * ce
    inv = mpf(1) / mod if mod != 0 else inf
    ratio = inf if at == 0 else inv / at
    # dFL/dx via the non-negative form (finite everywhere, 0*inf taken as its limit 0).
    if hard:
        s = 1 if y == 1 else -1
        focus = 0 if pt == 0 else G * pt * ce
        grad = -s * at * mod * (q + focus)
    else:
        pq = p * pneg
        focus = 0 if pq == 0 else G * (1 - 2 * Y) * pq * ce / q
        grad = at * mod * (p - Y + focus)
    # dFL/dp and dCE/dp (p = probability of class 1); CE/(1 − p_t) → 1 as p_t → 1.
    def recip(v):
        return inf if v == 0 else 1 / v
    focusing = 0 if G == 0 else G * (mpf(1) if q == 0 else ce / q)
    if hard:
        grad_ce_p = -recip(pt) if y == 1 else recip(pt)
        grad_p = mpf(0) if at == 0 or mod == 0 else (-1 if y == 1 else 1) * at * mod * (focusing + recip(pt))
    else:
        grad_ce_p = -Y * recip(p) + (1 - Y) * recip(pneg)
        if at == 0 or mod == 0:
            grad_p = mpf(0)
        elif abs(grad_ce_p) == inf:
            grad_p = grad_ce_p  # p = 0 or 1: the 1/p term outgrows the logarithm in CE
        else:
            grad_p = at * mod * ((1 - 2 * Y) * focusing + grad_ce_p)
    b = LN[base]
    return {
        "kind": kind, "x": x, "y": y, "gamma": gamma, "alpha": alpha, "base": base,
        "ce": text(ce / b), "fl": text(fl / b), "ratio": text(ratio),
        "grad": text(grad / b), "grad_ce": text((-pneg if y == 1 else p - Y) / b),
        "grad_p": text(grad_p / b), "grad_ce_p": text(grad_ce_p / b),
    }


def categorical_case(kind, values, target, gamma, alpha):
    """Softmax (or normalised probability vector) CE and FL, Keras' CategoricalFocalCrossentropy
    convention: FL = α_t (1 − p_t)^γ (−log p_t), α_t = α (a number) or α[target] (a list);
    also dFL/dx_j for logits."""
    V = [mpf(v) for v in values]
    G = mpf(gamma)
    # Everything relative to the target, so that 1 + (tiny) is never rounded away:
    # w_j = e^(x_j − x_t) (logits) or v_j / v_t (probabilities); p_j = w_j / Σw.
    if kind == "probs" and V[target] == 0:
        w = [inf if j != target else mpf(1) for j in range(len(V))]
        probs = [V[j] / sum(V) for j in range(len(V))]
        pt, q, ce = mpf(0), mpf(1), inf
    else:
        w = [exp(v - V[target]) if kind == "logits" else v / V[target] for v in V]
        others = sum(w[j] for j in range(len(w)) if j != target)
        total = 1 + others
        probs = [wj / total for wj in w]
        pt, q, ce = 1 / total, others / total, log1p(others)
    at = mpf(1) if alpha is None else (mpf(alpha[target]) if isinstance(alpha, list) else mpf(alpha))
    mod = mpf(1) if G == 0 else q ** G
    fl = mpf(0) if at == 0 or mod == 0 else at * mod * ce
    ratio = inf if at == 0 or mod == 0 else 1 / (at * mod)
    case = {"kind": kind, "values": values, "target": target, "gamma": gamma, "alpha": alpha,
            "pt": text(pt), "ce": text(ce), "fl": text(fl), "ratio": text(ratio)}
    if kind == "logits":
        focus = 0 if pt == 0 else G * pt * ce
        grads = []
        for j, pj in enumerate(probs):
            if j == target:
                grads.append(-at * mod * (q + focus))
            else:
                # dFL/dx_j = α_t (1 − p_t)^γ · p_j · (1 + γ p_t CE / (1 − p_t))
                ratio_j = (pj / q) if q != 0 else 0
                grads.append(at * mod * ratio_j * (q + focus))
        case["grad"] = [text(g) for g in grads]
    return case


def grid_binary():
    regions = {}
    add = lambda r, c: regions.setdefault(r, []).append(c)
    alphas = [0.25, None, 0.75]
    gammas = [0, 0.5, 1, 2, 5, 0.1, 3.7]
    # tiny p: y = 1 makes them hard positives (CE large), y = 0 easy negatives (CE ~ p).
    for p in [5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-16, 1e-10, 1e-7, 1e-4]:
        for y in (0, 1):
            for g in gammas:
                add("tiny-p", binary_case("p", p, y, g, 0.25))
    # p near 1: 1 − p down to 2^-53.
    for p in [1 - 2**-53, 1 - 2**-52, 1 - 1e-15, 1 - 1e-12, 1 - 1e-10, 0.9999999, 0.9999, 0.999]:
        for y in (0, 1):
            for g in gammas:
                add("p-near-1", binary_case("p", p, y, g, 0.25))
    # moderate p, every alpha and base.
    for p in [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]:
        for y in (0, 1):
            for g in (0, 0.5, 2, 5):
                for a in alphas:
                    add("moderate-p", binary_case("p", p, y, g, a))
            add("log-base", binary_case("p", p, y, 2, 0.25, "2"))
            add("log-base", binary_case("p", p, y, 2, 0.25, "10"))
    # the boundary p_t in {0, 1}.
    for p in (0.0, 1.0):
        for y in (0, 1):
            for g in gammas:
                for a in alphas:
                    add("pt-boundary", binary_case("p", p, y, g, a))
    # logits, small to beyond the double range of e^x.
    xs = [0.0, 1e-300, 1e-10, 0.5, 1, 2.5, 10, 13, 17, 20, 30, 36, 37, 40, 50, 100, 300, 700, 709.8, 740, 745, 800, 1e4]
    for x in xs:
        for sx in ((x,) if x == 0 else (x, -x)):
            region = "large-logit" if abs(sx) >= 30 else "moderate-logit"
            for y in (0, 1):
                for g in gammas:
                    add(region, binary_case("logit", sx, y, g, 0.25))
    # gamma = 0 with alpha none: FL must equal CE.
    for p in [1e-300, 1e-5, 0.3, 0.5, 0.9, 1 - 1e-12]:
        for y in (0, 1):
            add("gamma-0", binary_case("p", p, y, 0, None))
    for x in [-700, -30, -1, 0.0, 3, 40, 700]:
        for y in (0, 1):
            add("gamma-0", binary_case("logit", x, y, 0, None))
    # 0 < gamma < 1 at extreme logits: where (1 − p_t)^(γ − 1) diverges in naive gradients.
    for g in (0.01, 0.25, 0.5, 0.9):
        for x in (30, 40, 100, 700, 745, -745):
            for y in (0, 1):
                add("small-gamma", binary_case("logit", x, y, g, 0.25))
    # p_t given directly.
    for pt in [5e-324, 1e-100, 1e-5, 0.25, 0.5, 0.9, 1 - 1e-10, 1 - 2**-53, 1.0, 0.0]:
        for y in (0, 1):
            add("pt-input", binary_case("pt", pt, y, 2, 0.25))
    # soft labels (torchvision's convention).
    for y in (0.1, 0.5, 0.9, 0.01):
        for p in [1e-300, 1e-8, 0.2, 0.5, 0.8, 1 - 1e-8, 0.0, 1.0]:
            add("soft-label", binary_case("p", p, y, 2, 0.25))
        for x in [-700, -40, -3, 0.0, 3, 40, 700]:
            add("soft-label", binary_case("logit", x, y, 2, 0.25))
    # random: log-uniform p and 1 − p, uniform and log-uniform logits.
    rng = random.Random(20261129)
    for _ in range(300):
        g = rng.choice([0, 0.5, 1, 2, 5, 0.3, 2.7])
        a = rng.choice(alphas)
        y = rng.choice((0, 1))
        r = rng.random()
        if r < 0.25:
            add("random", binary_case("p", 10 ** rng.uniform(-320, 0), y, g, a))
        elif r < 0.5:
            add("random", binary_case("p", 1 - 10 ** rng.uniform(-16, 0), y, g, a))
        elif r < 0.75:
            add("random", binary_case("logit", rng.uniform(-60, 60), y, g, a))
        else:
            add("random", binary_case("logit", rng.choice((-1, 1)) * 10 ** rng.uniform(-5, math.log10(745)), y, g, a))
    # issue 8 §1.1–2: (1 − p_t)^−γ beyond the double range (ratio Infinity, FL subnormal or 0),
    # where 1 − p rounds up (0.3, 0.01, 1e-10) or down (0.1, 0.9); and γ a few ulps below the
    # overflow threshold of the exact (1 − p)^−γ, where the rounded 1 − p alone overflows.
    for p in [0.3, 0.01, 1e-10, 0.1, 0.9, 0.7, 0.5]:
        for y in (0, 1):
            for g in (1100, 2000, 1e4):
                for a in (0.25, None):
                    add("complement-overflow", binary_case("p", p, y, g, a))
        add("complement-overflow", binary_case("pt", p, 1, 2000, 0.25))
    for p in [0.3, 0.01]:
        q = one_minus(mpf(p))
        edge = float(log(mpf(2) ** 1024) / -log(q))
        for k in range(1, 6):
            add("complement-overflow", binary_case("p", p, 1, edge - k * math.ulp(edge), None))
    fast_path_boundaries(add)
    return regions


def fast_path_boundaries(add):
    """Issue 10: each threshold of the core's fast path (binaryLossFast in src/core/binary.ts)
    and of the functions it calls, with the doubles just below and just above it, so that a
    test fails if a branch boundary moves a result by more than the bound."""
    down, up = lambda v: math.nextafter(v, -math.inf), lambda v: math.nextafter(v, math.inf)
    gammas = [0, 1, down(1), up(1), 2, down(2), up(2), 0.5, 1.5, 3]
    # p with y = 1 (and p_t): 1 − p is exact from ½ up (Sterbenz), rounded below it.
    for p in [down(0.5), 0.5, up(0.5), down(1.0), 1.0, 0.0, 5e-324]:
        for g in gammas:
            for a in (0.25, None):
                add("fast-path-boundaries", binary_case("p", p, 1, g, a))
        add("fast-path-boundaries", binary_case("pt", p, 1, 2, 0.25))
    # p with y = 0: 1 − p_t = p exact; log1p(−p) at its ends.
    for p in [0.0, 5e-324, down(0.5), 0.5, up(0.5), down(1.0), 1.0]:
        for g in (0, 1, 2, up(2), 1.5):
            add("fast-path-boundaries", binary_case("p", p, 0, g, 0.25))
    # logits: the sign of the margin z (e^−|z| and max(z, 0)); the largest finite logits (the
    # fast path; ±∞ takes the terms path, test/fast-core.test.ts); γ·z at the edges of productError's plain range.
    for x in [0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308, 1e-300, -1e-300]:
        for y in (0, 1):
            for g in (0, 1, 2, up(2), 1.5, 0.5):
                add("fast-path-boundaries", binary_case("logit", x, y, g, 0.25))
    for x in [1.7976931348623157e308, -1.7976931348623157e308, 2.0**995, down(2.0**995), up(2.0**995), 2.0**999, -(2.0**999)]:
        for y in (0, 1):
            for g in (0, 0.5, 2, 1.5):
                add("fast-path-boundaries", binary_case("logit", x, y, g, 0.25))
    # γ = 1 and 2 skip productError for γ·z (a doubling is exact; powOfSigmoidFrom): γ just
    # either side of them takes expOfProductPlus, at margins where γ·z is large and L is not small.
    for x in [0.5, 3.0, 20.0, 40.0, 400.0, 700.0]:
        for y in (0, 1):
            for g in (down(1), 1, up(1), down(2), 2, up(2)):
                add("fast-path-boundaries", binary_case("logit", x, y, g, 0.25))


def smoothed_categorical_case(kind, values, target, gamma, alpha, eps):
    """Keras' label-smoothed categorical focal loss: y_j = (1 − ε)[j = t] + ε/K,
    CE = Σ y_j (−log p_j), FL = Σ y_j α_j (1 − p_j)^γ (−log p_j)."""
    V = [mpf(v) for v in values]
    G, E, K = mpf(gamma), mpf(eps), len(values)
    if kind == "logits":
        m = max(V)
        lse = m + log(sum(exp(v - m) for v in V))
        logp = [v - lse for v in V]
        probs = [exp(lp) for lp in logp]
    else:
        total = sum(V)
        probs = [v / total for v in V]
        logp = [log(pj) if pj > 0 else -inf for pj in probs]
    ce = fl = mpf(0)
    for j in range(K):
        yj = (1 - E if j == target else 0) + E / K
        aj = mpf(1) if alpha is None else (mpf(alpha[j]) if isinstance(alpha, list) else mpf(alpha))
        qj = sum(probs[k] for k in range(K) if k != j)
        modj = mpf(1) if G == 0 else qj ** G
        cej = -logp[j]
        ce += yj * cej
        fl += 0 if aj * modj == 0 else yj * aj * modj * cej
    return {"kind": kind, "values": values, "target": target, "gamma": gamma, "alpha": alpha, "smoothing": eps,
            "ce": text(ce), "fl": text(fl)}


def grid_categorical_smoothed():
    cases = []
    for eps in (0.1, 0.5):
        for g in (0, 2):
            for a in (0.25, None, [0.2, 0.3, 0.5]):
                cases.append(smoothed_categorical_case("probs", [0.7, 0.2, 0.1], 0, g, a, eps))
                cases.append(smoothed_categorical_case("logits", [2.0, 1.0, 0.1], 2, g, a, eps))
                cases.append(smoothed_categorical_case("logits", [40.0, 0.0, -3.0], 0, g, a, eps))
    return cases


def grid_categorical():
    cases = []
    for g in (0, 0.5, 2, 5):
        for a in (0.25, None, [0.2, 0.3, 0.5]):
            cases.append(categorical_case("probs", [0.7, 0.2, 0.1], 0, g, a))
            cases.append(categorical_case("probs", [0.7, 0.2, 0.1], 2, g, a))
            cases.append(categorical_case("probs", [1e-300, 1 - 1e-12, 1e-12], 1, g, a))
            cases.append(categorical_case("probs", [0.5, 0.5, 0.0], 2, g, a))
            cases.append(categorical_case("logits", [2.0, 1.0, 0.1], 0, g, a))
            cases.append(categorical_case("logits", [2.0, 1.0, 0.1], 2, g, a))
            cases.append(categorical_case("logits", [50.0, 0.0, -3.0], 0, g, a))
            cases.append(categorical_case("logits", [800.0, 0.0, -800.0], 0, g, a))
            cases.append(categorical_case("logits", [800.0, 0.0, -800.0], 2, g, a))
            cases.append(categorical_case("logits", [-40.0, -40.0, 0.0], 2, g, a))
            cases.append(categorical_case("logits", [1e-10, 0.0, -1e-10], 1, g, a))
    return cases


def grid_categorical_extreme():
    """Issue 8 §1.8–9: logits whose differences leave the double range, probability vectors
    whose sum (or whose ratio to the target entry) does."""
    big = 1.7976931348623157e308
    logits = [([9e307, -9e307], 0), ([9e307, -9e307], 1), ([big, -big], 0), ([big, -big], 1),
              ([9e307, 9e307, -9e307], 2), ([9e307, 9e307, -9e307], 0), ([-9e307, 0.0, 9e307], 1), ([1e308, 1e308 * (1 - 2**-52), -1e308], 1)]
    probs = [([1e308, 1e308], 0), ([1e308, 1e308], 1), ([big, big, big], 0), ([1e-320, 1e308, 1e308], 0),
             ([1e-320, 1e10], 0), ([5e-324, big], 0), ([1e308, 1e-300, 1e308], 1), ([1e308, 1e308, 3.0], 2)]
    cases = []
    for g in (0, 2):
        for kind, vectors in (("logits", logits), ("probs", probs)):
            for values, target in vectors:
                cases.append(categorical_case(kind, values, target, g, 0.25))
    return cases


def variant_case(name, kind, x, y, gamma, alpha, **kw):
    """One loss of the focal family at the exact double inputs (definitions: src/core/variants.ts)."""
    X, Y, G = mpf(x), mpf(y), mpf(gamma)
    p, pneg, pt, q, logpt, logq, ce = exact_terms(kind, X, y)
    at = mpf(1) if alpha is None else mpf(alpha) * Y + (1 - mpf(alpha)) * (1 - Y)
    powq = lambda e: mpf(1) if e == 0 else q ** e
    if name == "ce-balanced":
        v = at * ce
    elif name == "fl-star":
        z = X * (1 if y == 1 else -1) if kind == "logit" else logpt - logq
        v = at * log1p(exp(-(G * z + mpf(kw["beta"])))) / G
    elif name == "poly1":
        v = ce + mpf(kw["epsilon"]) * q
    elif name == "poly1-fl":
        v = (0 if at == 0 else at * powq(G) * ce) + mpf(kw["epsilon"]) * powq(G + 1)
    elif name == "asl":
        if y == 1:
            v = powq(mpf(kw["gamma_pos"])) * ce
        else:
            pm = q - mpf(kw["clip"])  # q is p here
            v = mpf(0) if pm <= 0 else (pm ** mpf(kw["gamma_neg"]) if kw["gamma_neg"] != 0 else 1) * -log(pt + mpf(kw["clip"]))
    elif name == "fl-reduced":
        th = mpf(kw["threshold"])
        v = at * ce if pt < th else at * powq(G) / th ** G * ce
    elif name == "flsd":
        v = at * powq(mpf(5) if pt < mpf("0.2") else mpf(3)) * ce
    else:
        raise ValueError(name)
    return {"loss": name, "kind": kind, "x": x, "y": y, "gamma": gamma, "alpha": alpha, "params": kw, "value": text(v)}


def grid_variants():
    cases = []
    ps = [1e-300, 1e-10, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-10, 1 - 2**-53]
    xs = [-745.0, -40.0, -5.0, -0.5, 0.0, 0.5, 5.0, 40.0, 745.0]
    inputs = [("p", v) for v in ps] + [("logit", v) for v in xs]
    specs = [
        ("ce-balanced", {}), ("fl-star", {"beta": 0}), ("fl-star", {"beta": 1}),
        ("poly1", {"epsilon": 1}), ("poly1", {"epsilon": -0.5}), ("poly1-fl", {"epsilon": 1}),
        ("asl", {"gamma_pos": 0, "gamma_neg": 4, "clip": 0.05}), ("asl", {"gamma_pos": 1, "gamma_neg": 2, "clip": 0}),
        ("fl-reduced", {"threshold": 0.5}), ("flsd", {}),
    ]
    for name, kw in specs:
        for kind, v in inputs:
            for y in (0, 1):
                for g in (0.5, 2, 5):
                    cases.append(variant_case(name, kind, v, y, g, 0.25, **kw))
    for name, kw in [("ce-balanced", {}), ("poly1", {"epsilon": 1}), ("poly1-fl", {"epsilon": 1}), ("fl-reduced", {"threshold": 0.5}), ("flsd", {})]:
        for kind, v in inputs:
            if kind == "p" and v in (0.0, 1.0):
                continue
            for y in (0.1, 0.9):
                cases.append(variant_case(name, kind, v, y, 2, 0.25, **kw))
    cases += issue8_variants()
    return cases


def issue8_variants():
    """Regions added for issue 8 §1.1–2, 10 and 11, each case tagged with its region."""
    cases = []
    add = lambda region, case: cases.append({**case, "region": region})
    # §1.11: Poly-1 with ε ≤ 0 near p_t = 1, where CE and ε(1 − p_t) cancel (completely at
    # ε = −1: the loss is ≈ (1 − p_t)²/2, 1e-648 at logit 745, hence 800 digits).
    xs = [-745.0, -40.0, -5.0, -1.5, -0.5, 0.0, 0.5, 1.5, 5.0, 14.3, 20.0, 40.0, 100.0, 700.0, 745.0]
    ps = [1e-300, 1e-10, 0.1, 0.2, 0.21, 0.3, 0.5, 0.7, 0.79, 0.8, 0.9, 0.99, 1 - 1e-10, 1 - 2**-53]
    inputs = [("logit", v) for v in xs] + [("p", v) for v in ps]
    with mp.workdps(800):
        for eps in (-1, -0.999, -0.25):
            for kind, v in inputs:
                for y in (0, 1):
                    for g, a in ((2, None), (0.5, 0.25)):
                        add("poly1-negative-epsilon", variant_case("poly1", kind, v, y, g, a, epsilon=eps))
                        add("poly1-negative-epsilon", variant_case("poly1-fl", kind, v, y, g, a, epsilon=eps))
                # (α none: with α_t < 1, α_t·CE + ε(1 − p_t) changes sign, and near there its
                # condition number, not the method, decides the accuracy)
                for y in (0.1, 0.9):
                    add("poly1-negative-epsilon", variant_case("poly1", kind, v, y, 2, None, epsilon=eps))
                    add("poly1-negative-epsilon", variant_case("poly1-fl", kind, v, y, 2, None, epsilon=eps))
    # §1.10: FL* at logits whose γ·x leaves the double range.
    for x in [800.0, 1e4, 1e300, 9e307, 1e308, 1.7976931348623157e308]:
        for sx in (x, -x):
            for y in (0, 1):
                for g in (0.5, 2, 5):
                    for beta in (0, 1):
                        add("fl-star-huge-logit", variant_case("fl-star", "logit", sx, y, g, 0.25, beta=beta))
    # §1.1–2 for the variants: γ so large that (1 − p_t)^γ, th^γ or p_t^γ underflow (from a
    # probability; FL* also from a logit).
    for kind, v in [("p", 0.51), ("p", 0.55), ("p", 0.6), ("p", 0.7), ("p", 0.9), ("p", 0.99), ("p", 0.3), ("logit", 0.2), ("logit", 1.0), ("logit", 3.0)]:
        for y in (0, 1):
            for g in (1000, 1100, 2000, 5000):
                add("large-gamma", variant_case("fl-star", kind, v, y, g, 0.25, beta=0))
                if kind == "p":
                    add("large-gamma", variant_case("fl-reduced", kind, v, y, g, 0.25, threshold=0.5))
                    add("large-gamma", variant_case("poly1-fl", kind, v, y, g, 0.25, epsilon=1))
    # Reduced FL's ((1 − p_t)/th)^γ as a power of the quotient (from a probability, and from a
    # logit at margin z ≤ 0), where th^γ and (1 − p_t)^γ both underflow: 0.5^1075/0.5^1075.
    for kind, v in [("p", 0.5), ("p", 0.51), ("p", 0.75), ("p", 0.99), ("logit", 0.0), ("logit", 0.1), ("logit", 1.0)]:
        for y in (0, 1):
            if kind == "logit" and v * (2 * y - 1) > 0:
                continue  # z > 0: the powers' form (powOfSigmoid's limit at large γ)
            for g in (100, 1075, 2000, 5000):
                for th in (0.5, 0.3, 0.01):
                    add("fl-reduced-quotient", variant_case("fl-reduced", kind, v, y, g, 0.25, threshold=th))
    return cases


def grid_prior():
    """The prior bias b = log(π/(1 − π)) (issue 8 §1.12), by region: near ½, where log π and
    log(1 − π) cancel; the ends; and log-uniform π and 1 − π."""
    bias = lambda pi: {"pi": pi, "bias": text(log(mpf(pi)) - log(one_minus(mpf(pi))))}
    near_half = [0.5, 0.500002055, 0.499997945, 0.5 + 2**-53, 0.5 - 2**-54, 0.5000000001, 0.4999, 0.51, 0.49, 0.3, 0.7, 0.25, 0.75, 0.2500000001, 0.7499999999]
    ends = [5e-324, 1e-300, 1e-20, 1e-5, 0.01, 0.1, 0.9, 0.99, 1 - 1e-10, 1 - 2**-53]
    rng = random.Random(8112)
    rand = [0.5 + rng.choice((-1, 1)) * 10 ** rng.uniform(-16, -0.31) for _ in range(100)]
    rand += [10 ** rng.uniform(-300, -0.31) for _ in range(50)] + [1 - 10 ** rng.uniform(-16, -0.31) for _ in range(50)]
    return {"near-half": [bias(p) for p in near_half], "ends": [bias(p) for p in ends], "random": [bias(p) for p in rand]}


def main():
    os.makedirs(OUT, exist_ok=True)
    binary = grid_binary()
    with open(os.path.join(OUT, "binary.json"), "w") as f:
        json.dump({"generator": "scripts/gen_fixtures.py", "digits": 25, "regions": binary}, f, indent=0)
        f.write("\n")
    with open(os.path.join(OUT, "categorical.json"), "w") as f:
        json.dump({"generator": "scripts/gen_fixtures.py", "digits": 25, "cases": grid_categorical(), "smoothed": grid_categorical_smoothed(),
                   "extreme": grid_categorical_extreme()}, f, indent=0)
        f.write("\n")
    with open(os.path.join(OUT, "variants.json"), "w") as f:
        json.dump({"generator": "scripts/gen_fixtures.py", "digits": 25, "cases": grid_variants()}, f, indent=0)
        f.write("\n")
    with open(os.path.join(OUT, "prior.json"), "w") as f:
        json.dump({"generator": "scripts/gen_fixtures.py", "digits": 25, "regions": grid_prior()}, f, indent=0)
        f.write("\n")
    n = sum(len(v) for v in binary.values())
    print(f"binary: {n} cases in {len(binary)} regions; categorical: {len(grid_categorical())} cases")


if __name__ == "__main__":
    main()
