#!/usr/bin/env python3
"""N rows (default 10^7: p float64, y uint8, 25% positives) as .npz (np.savez) and two .npy files
for bench/formats.mjs and bench/cli-formats.mjs, and the exactly rounded mean FL (math.fsum of
the per-row float64 values, γ = 2, α = 0.25), printed and kept in bench/data/py<N>.ref.json.
Usage: python3 bench/gen-formats.py [N] [--compressed]  (--compressed: np.savez_compressed too)"""
import json, math, sys
import numpy as np
args = [a for a in sys.argv[1:] if not a.startswith('--')]
n = int(args[0]) if args else 10_000_000
rng = np.random.default_rng(1)
p = rng.random(n)
y = (rng.random(n) < 0.25).astype(np.uint8)
np.savez(f'bench/data/py{n}.npz', p=p, y=y)
if '--compressed' in sys.argv:
    np.savez_compressed(f'bench/data/pyc{n}.npz', p=p, y=y)
np.save(f'bench/data/p{n}.npy', p)
np.save(f'bench/data/y{n}.npy', y)
# in pieces: the per-row values of 10^8 rows at once would take gigabytes
parts = []
for start in range(0, n, 10_000_000):
    ps, ys = p[start:start + 10_000_000], y[start:start + 10_000_000]
    parts.append(np.where(ys == 1, 0.25 * (1 - ps) ** 2 * -np.log(ps), 0.75 * ps**2 * -np.log1p(-ps)))
mean = math.fsum(v for part in parts for v in part.tolist()) / n
with open(f'bench/data/py{n}.ref.json', 'w') as f:
    json.dump({'rows': n, 'fl_mean': mean}, f)
print('numpy-formula fsum mean', repr(mean))
