#!/usr/bin/env python3
"""10^7 rows (p float64, y uint8, 25% positives) as .npz (np.savez) for bench/formats.mjs, and
the exactly rounded mean FL (math.fsum of the per-row float64 values, γ = 2, α = 0.25)."""
import math, sys
import numpy as np
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
rng = np.random.default_rng(1)
p = rng.random(n)
y = (rng.random(n) < 0.25).astype(np.uint8)
np.savez(f'bench/data/py{n}.npz', p=p, y=y)
np.save(f'bench/data/p{n}.npy', p)
np.save(f'bench/data/y{n}.npy', y)
fl = np.where(y == 1, 0.25 * (1 - p) ** 2 * -np.log(p), 0.75 * p**2 * -np.log1p(-p))
print('numpy-formula fsum mean', math.fsum(fl) / n)
