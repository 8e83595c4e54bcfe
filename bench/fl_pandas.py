"""Peer for bench/run.mjs: mean focal loss of a p,y CSV with pandas + numpy (γ = 2, α = 0.25).

Prints: <mean FL as numpy computes it> <reference mean FL> <rows>
The reference sums the same per-row values with math.fsum (exactly rounded), so it is the
compensated high-precision mean that focal's result is checked against.
"""
import math
import sys

import numpy as np
import pandas as pd

df = pd.read_csv(sys.argv[1], dtype={"p": np.float64, "y": np.int8})
p = df["p"].to_numpy()
y = df["y"].to_numpy()
pos = y == 1
# CE with log1p for the negatives (log(1 - p) would lose digits for tiny p)
ce = np.where(pos, -np.log(p), -np.log1p(-p))
q = np.where(pos, 1.0 - p, p)
fl = np.where(pos, 0.25, 0.75) * q * q * ce
reference = math.fsum(fl.tolist()) / len(fl) if len(sys.argv) > 2 and sys.argv[2] == "--reference" else float("nan")
print(repr(float(fl.mean())), repr(reference), len(fl))
