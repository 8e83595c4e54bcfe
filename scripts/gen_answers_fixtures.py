#!/usr/bin/env python3
"""Reference values for `focal sweep` and `focal calibration` (issue 11), independent of the code.

Writes test/fixtures/answers/*.csv (the inputs, every double written with repr so it reads
back to the same bits) and test/fixtures/answers/reference.json. The tests read only these.

- sweep: focal loss and |dFL/dx| per sample in mpmath at 50 digits from the logits, class
  shares, easy shares, concentration (Σl)²/(nΣl²), and the balancing α = S0/(S0+S1) per γ;
  multiclass: softmax focal loss, its gradient w.r.t. the true logit, α_c ∝ 1/S_c.
- calibration: torchmetrics' CalibrationError definitions written here in numpy (float64):
  bin edges as torch.linspace computes them (symmetric formula), bucketize(right=True) − 1 with
  B + 1 slots, ECE = Σ prop·|acc − conf|, MCE = max |acc − conf|; AdaECE by rank (sorted by
  (confidence, hit), bin b = ranks floor(bn/B)…floor((b+1)n/B)−1); classwise ECE; Brier;
  NLL in mpmath; temperature: mpmath.findroot on dNLL/dβ at 50 digits, T = 1/β.
Run: python3 scripts/gen_answers_fixtures.py
"""
import json
import os
import numpy as np
import mpmath as mp

mp.mp.dps = 50
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'answers')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20240611)

GAMMAS = [0, 0.5, 1, 2, 5]
ALPHAS = [0.1, 0.25, 0.75]
BINS = 15


def write_binary(name, x, y, column='logit'):
    with open(os.path.join(OUT, name), 'w') as f:
        f.write(f'{column},y\n')
        for a, b in zip(x, y):
            f.write(f'{repr(float(a))},{int(b)}\n')


def write_multi(name, Z, t, prefix='logit'):
    with open(os.path.join(OUT, name), 'w') as f:
        f.write(','.join(f'{prefix}_{j}' for j in range(Z.shape[1])) + ',target\n')
        for i in range(len(t)):
            f.write(','.join(repr(float(v)) for v in Z[i]) + f',{int(t[i])}\n')


# ---- inputs
n = 240
yb = (rng.random(n) < 0.15).astype(int)
xb = rng.normal(0, 2.5, n) + 2.0 * (2 * yb - 1)
write_binary('binary-logits.csv', xb, yb)
pb = 1 / (1 + np.exp(-xb))
write_binary('binary-p.csv', pb, yb, 'p')

K = 4
nm = 200
tm = rng.integers(0, K, nm)
Zm = rng.normal(0, 1.5, (nm, K))
Zm[np.arange(nm), tm] += 1.2
write_multi('multi-logits.csv', Zm, tm)


# ---- sweep references (mpmath)
def binary_terms(x, y):
    x = mp.mpf(float(x))
    z = x if y == 1 else -x
    pt = 1 / (1 + mp.e ** (-z))
    q = 1 - pt
    ce = mp.log(1 + mp.e ** (-z))
    return pt, q, ce


def sweep_binary(x, y):
    terms = [binary_terms(a, b) for a, b in zip(x, y)]
    out = {'points': [], 'perGamma': []}
    for g in GAMMAS:
        g_ = mp.mpf(g)
        L = [(q ** g_ if g else mp.mpf(1)) * ce for pt, q, ce in terms]
        G = [(q ** g_ if g else mp.mpf(1)) * (q + g_ * pt * ce) for pt, q, ce in terms]
        easy = [pt > mp.mpf(1) / 2 for pt, q, ce in terms]
        S = {c: mp.fsum(L[i] for i in range(len(y)) if y[i] == c) for c in (0, 1)}
        Gs = {c: mp.fsum(G[i] for i in range(len(y)) if y[i] == c) for c in (0, 1)}
        out['perGamma'].append({'gamma': g, 'alphaLoss': float(S[0] / (S[0] + S[1])), 'alphaGrad': float(Gs[0] / (Gs[0] + Gs[1]))})
        for a in ALPHAS:
            w = {1: mp.mpf(a), 0: 1 - mp.mpf(a)}
            l = [w[y[i]] * L[i] for i in range(len(y))]
            gr = [w[y[i]] * G[i] for i in range(len(y))]
            tot, gtot = mp.fsum(l), mp.fsum(gr)
            cls = {}
            for c in (0, 1):
                idx = [i for i in range(len(y)) if y[i] == c]
                lc = [l[i] for i in idx]
                cls[c] = {
                    'flShare': float(mp.fsum(lc) / tot),
                    'gradShare': float(mp.fsum(gr[i] for i in idx) / gtot),
                    'easyFlShare': float(mp.fsum(l[i] for i in idx if easy[i]) / tot),
                    'concentration': float(mp.fsum(lc) ** 2 / (len(idx) * mp.fsum(v * v for v in lc))),
                }
            out['points'].append({
                'gamma': g, 'alpha': a,
                'flTotal': float(tot), 'gradTotal': float(gtot),
                'easyFlShare': float(mp.fsum(l[i] for i in range(len(y)) if easy[i]) / tot),
                'easyGradShare': float(mp.fsum(gr[i] for i in range(len(y)) if easy[i]) / gtot),
                'concentration': float(tot ** 2 / (len(y) * mp.fsum(v * v for v in l))),
                'classes': [cls[0], cls[1]],
            })
    return out


def sweep_multi(Z, t):
    out = {'points': [], 'perGamma': []}
    rows = []
    for i in range(len(t)):
        z = [mp.mpf(float(v)) for v in Z[i]]
        s = mp.fsum(mp.e ** v for v in z)
        pt = mp.e ** z[t[i]] / s
        rows.append((pt, 1 - pt, -mp.log(pt)))
    for g in GAMMAS:
        g_ = mp.mpf(g)
        L = [(q ** g_ if g else mp.mpf(1)) * ce for pt, q, ce in rows]
        G = [(q ** g_ if g else mp.mpf(1)) * (q + g_ * pt * ce) for pt, q, ce in rows]
        S = [mp.fsum(L[i] for i in range(len(t)) if t[i] == c) for c in range(K)]
        Gs = [mp.fsum(G[i] for i in range(len(t)) if t[i] == c) for c in range(K)]
        inv = [1 / v for v in S]
        ginv = [1 / v for v in Gs]
        out['perGamma'].append({'gamma': g, 'alphaVectorLoss': [float(v / mp.fsum(inv)) for v in inv], 'alphaVectorGrad': [float(v / mp.fsum(ginv)) for v in ginv]})
        tot, gtot = mp.fsum(L), mp.fsum(G)
        out['points'].append({'gamma': g, 'flTotal': float(tot), 'classes': [{'flShare': float(S[c] / tot), 'gradShare': float(Gs[c] / gtot)} for c in range(K)]})
    return out


# ---- calibration references (numpy, torchmetrics' definitions written out)
def torch_linspace(steps):
    step = 1.0 / (steps - 1)
    half = steps // 2
    return np.array([i * step if i < half else 1.0 - (steps - 1 - i) * step for i in range(steps)])


def ce_torchmetrics(conf, acc, bins, norm):
    edges = torch_linspace(bins + 1)
    idx = np.searchsorted(edges, conf, side='right') - 1  # torch.bucketize(right=True) − 1
    count = np.zeros(bins + 1); cs = np.zeros(bins + 1); as_ = np.zeros(bins + 1)
    np.add.at(count, idx, 1); np.add.at(cs, idx, conf); np.add.at(as_, idx, acc)
    with np.errstate(invalid='ignore', divide='ignore'):
        cb = np.nan_to_num(cs / count); ab = np.nan_to_num(as_ / count)
    prop = count / count.sum()
    if norm == 'l1':
        return float(np.sum(np.abs(ab - cb) * prop))
    return float(np.max(np.abs(ab - cb)))


def ada_ece(conf, acc, bins):
    order = np.lexsort((acc, conf))
    c, a = conf[order], acc[order]
    n = len(c); e = 0.0
    for b in range(bins):
        lo, hi = (b * n) // bins, ((b + 1) * n) // bins
        if hi > lo:
            e += abs(a[lo:hi].mean() - c[lo:hi].mean()) * (hi - lo) / n
    return float(e)


def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def nll_mp(Z, t, beta=mp.mpf(1)):
    tot = mp.mpf(0)
    for i in range(len(t)):
        z = [beta * mp.mpf(float(v)) for v in Z[i]]
        tot += mp.log(mp.fsum(mp.e ** v for v in z)) - z[t[i]]
    return tot / len(t)


def fit_t(Z, t):
    rows = [([mp.mpf(float(v)) for v in Z[i]], int(t[i])) for i in range(len(t))]

    def d1(beta):
        s = mp.mpf(0)
        for z, k in rows:
            w = [mp.e ** (beta * v) for v in z]
            s += mp.fsum(wi * v for wi, v in zip(w, z)) / mp.fsum(w) - z[k]
        return s
    beta = mp.findroot(d1, mp.mpf(1), tol=mp.mpf(10) ** -40)
    return beta


def calibration(P, Z, t, binary):
    """P: probabilities (n×K); Z: logits (n×K); binary: K = 2, the confidence is p of class 1."""
    n = len(t)
    if binary:
        conf, acc = P[:, 1], t.astype(float)
        pred_right = ((P[:, 1] > 0.5).astype(int) == t)
        brier = float(np.mean((P[:, 1] - t) ** 2))
    else:
        conf, top = P.max(axis=1), P.argmax(axis=1)
        acc = (top == t).astype(float)
        pred_right = top == t
        onehot = np.eye(P.shape[1])[t]
        brier = float(np.mean(np.sum((P - onehot) ** 2, axis=1)))
    classwise = np.mean([ce_torchmetrics(P[:, c], (t == c).astype(float), BINS, 'l1') for c in range(P.shape[1])])
    return {
        'n': n, 'accuracy': float(np.mean(pred_right)),
        'ece': ce_torchmetrics(conf, acc, BINS, 'l1'), 'mce': ce_torchmetrics(conf, acc, BINS, 'max'),
        'adaptiveEce': ada_ece(conf, acc, BINS), 'classwiseEce': float(classwise), 'brier': brier,
        'nll': float(nll_mp(Z, t)),
    }


def report(P, Z, t, binary):
    r = calibration(P, Z, t, binary)
    beta = fit_t(Z, t)
    r['temperature'] = float(1 / beta)
    Zs = Z * float(beta)  # the scaled logits as the code forms them: z·(1/T), rounded
    Ps = softmax(Zs)
    r['scaled'] = calibration(Ps, Zs, t, binary)
    return r


Zb = np.stack([np.zeros(n), xb], axis=1)
Pb = np.stack([1 / (1 + np.exp(xb)), 1 / (1 + np.exp(-xb))], axis=1)
ref = {
    'gammas': GAMMAS, 'alphas': ALPHAS, 'bins': BINS,
    'sweepBinary': sweep_binary(xb, yb),
    'sweepMulti': sweep_multi(Zm, tm),
    'calibrationBinary': report(Pb, Zb, yb, True),
    'calibrationMulti': report(softmax(Zm), Zm, tm, False),
    'linspace15': [float(v) for v in torch_linspace(16)],
}
with open(os.path.join(OUT, 'reference.json'), 'w') as f:
    json.dump(ref, f, indent=1)
print('wrote', OUT)
