#!/usr/bin/env python3
# Reference for bench/run.mjs figures: mean FL of a p,y CSV (γ = 2, α = 0.25) from per-row values computed in x87 long double
# (64-bit significand) and rounded once to float64, summed exactly (math.fsum)
import math, sys
import numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1], dtype={"p": np.float64, "y": np.int8})
p = df["p"].to_numpy().astype(np.longdouble); y = df["y"].to_numpy()
pos = y == 1
ce = np.where(pos, -np.log(p), -np.log1p(-p))
q = np.where(pos, np.longdouble(1) - p, p)
fl = (np.where(pos, np.longdouble(0.25), np.longdouble(0.75)) * q * q * ce).astype(np.float64)
# prints the mean and the long double significand bits (63 on x86: x87 extended)
print(repr(math.fsum(fl.tolist()) / len(fl)), np.finfo(np.longdouble).nmant)
