#!/usr/bin/env python3
"""Writes test/fixtures/formats/: small prediction files as numpy users write them, the same
numbers as CSV, and a reference for the sigmoid (dense detector) layout.

    python3 scripts/gen_format_fixtures.py      # numpy >= 1.17 (np.save, savez, savez_compressed, format.write_array)
    node scripts/gen_format_fixtures.mjs        # then Parquet (hyparquet-writer) and Arrow (apache-arrow) from the CSVs

Every binary prediction is a multiple of 2^-10 or a power of two ≥ 2^-24, so float16, float32
and float64 files hold identical numbers and every variant is compared with the same CSV.
The sigmoid reference is torchvision.ops.sigmoid_focal_loss's formula, written with numpy
(independent of focal's code), summed with math.fsum.
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'formats')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20240909)


def path(name):
    return os.path.join(OUT, name)


def write_csv(name, header, rows):
    with open(path(name), 'w') as f:
        f.write(','.join(header) + '\n')
        for row in rows:
            f.write(','.join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(int(v)) for v in row) + '\n')


# --- binary: p and y --------------------------------------------------------------------
N = 40
p = rng.integers(1, 1024, size=N) / 1024.0
p[:4] = [2.0**-24, 2.0**-14, 0.5, 1023 / 1024]
y = rng.integers(0, 2, size=N).astype(np.uint8)
write_csv('binary.csv', ['p', 'y'], zip(p, y))

np.save(path('p_f8.npy'), p.astype('<f8'))
np.save(path('p_f8_be.npy'), p.astype('>f8'))
np.save(path('p_f4.npy'), p.astype('<f4'))
np.save(path('p_f4_be.npy'), p.astype('>f4'))
np.save(path('p_f2.npy'), p.astype('<f2'))
np.save(path('p_f2_be.npy'), p.astype('>f2'))
np.save(path('y_u1.npy'), y)
np.save(path('y_bool.npy'), y.astype(bool))
np.save(path('y_i8.npy'), y.astype('<i8'))
np.save(path('y_i8_be.npy'), y.astype('>i8'))
np.save(path('y_u8.npy'), y.astype('<u8'))
np.save(path('y_i1.npy'), y.astype('i1'))
np.save(path('y_i2_be.npy'), y.astype('>i2'))
np.save(path('y_u2.npy'), y.astype('<u2'))
np.save(path('y_i4.npy'), y.astype('<i4'))
np.save(path('y_u4_be.npy'), y.astype('>u4'))
np.save(path('y_f8.npy'), y.astype('<f8'))
for version in [(2, 0), (3, 0)]:
    with open(path(f'p_f8_v{version[0]}.npy'), 'wb') as f:
        np.lib.format.write_array(f, p, version=version)

np.savez(path('binary.npz'), p=p, y=y)
np.savez_compressed(path('binary_compressed.npz'), p=p, y=y)

# float64 extremes (no narrower dtype holds them)
extreme = np.array([5e-324, 1e-300, 2.0**-53, 1e-17, 0.1, 1 - 2.0**-53, 1 - 1e-16, 0.0, 1.0])
extreme_y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1], dtype=np.int64)
write_csv('extreme.csv', ['p', 'y'], zip(extreme, extreme_y))
np.save(path('extreme_p.npy'), extreme)
np.save(path('extreme_y.npy'), extreme_y)

# --- vectors: [N, K] logits and a class index per row ------------------------------------
NV, K = 12, 4
logits = (rng.integers(-512, 512, size=(NV, K)) / 64.0).astype(np.float64)  # exact in float32
target = rng.integers(0, K, size=NV).astype(np.int64)
write_csv('vectors.csv', [f'x{j}' for j in range(K)] + ['target'], [list(r) + [t] for r, t in zip(logits, target)])
np.save(path('logits_f4.npy'), logits.astype('<f4'))
np.save(path('logits_f8_be.npy'), logits.astype('>f8'))
np.save(path('logits_f8_fortran.npy'), np.asfortranarray(logits))
np.save(path('logits_f4_fortran_be.npy'), np.asfortranarray(logits.astype('>f4')))
np.save(path('target_i8.npy'), target)
assert np.load(path('logits_f8_fortran.npy')).flags.f_contiguous
np.savez_compressed(path('vectors.npz'), logits=logits, target=target)

# --- sigmoid (dense detector) reference: torchvision's sigmoid_focal_loss on [N, C] --------
GAMMA, ALPHA, IGNORE = 2.0, 0.25, -2


def sigmoid_focal_elements(x, t, gamma, alpha):
    """torchvision.ops.sigmoid_focal_loss with reduction='none', in numpy float64."""
    p = 1 / (1 + np.exp(-x))
    ce = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))  # BCE with logits
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    alpha_t = alpha * t + (1 - alpha) * (1 - t)
    return ce, alpha_t * loss


def reference(x, t, gamma, alpha):
    ce, fl = sigmoid_focal_elements(x, t, gamma, alpha)
    C = x.shape[1]
    positives = int(t.sum())
    ce_sum, fl_sum = math.fsum(ce.ravel()), math.fsum(fl.ravel())
    return {
        'elements': int(x.size),
        'positives': positives,
        'ce_sum': ce_sum,
        'fl_sum': fl_sum,
        'fl_mean': fl_sum / x.size,
        'fl_positives': fl_sum / max(1, positives),  # RetinaNet: normalised by the foreground anchors
        'classes': [
            {'class': c, 'count': int(x.shape[0]), 'positives': int(t[:, c].sum()), 'ce': math.fsum(ce[:, c]), 'fl': math.fsum(fl[:, c])}
            for c in range(C)
        ],
    }


NS, C = 30, 5
sx = rng.normal(0, 4, size=(NS, C))
sx[0, :] = [0.0, 20.0, -20.0, 8.0, -8.0]
# a class index per row: 0..C-1 foreground, -1 and C background (mmdet / detectron2), -2 ignore
label = rng.integers(-1, C + 1, size=NS)
label[:4] = [-1, C, IGNORE, 2]
label[10] = IGNORE
kept = label != IGNORE
onehot = np.zeros((NS, C))
for r, l in enumerate(label):
    if 0 <= l < C:
        onehot[r, l] = 1.0
multihot = (rng.random((NS, C)) < 0.2).astype(np.float64)
np.save(path('sigmoid_logits.npy'), sx)
np.save(path('sigmoid_label.npy'), label.astype(np.int64))
np.save(path('sigmoid_multihot.npy'), multihot.astype(np.uint8))
sigmoid = {
    'about': "torchvision.ops.sigmoid_focal_loss's formula in numpy float64 (scripts/gen_format_fixtures.py), summed with math.fsum",
    'gamma': GAMMA,
    'alpha': ALPHA,
    'ignore': IGNORE,
    'logits': sx.tolist(),
    'label': label.tolist(),
    'multihot': multihot.astype(int).tolist(),
    'index_form': dict(reference(sx[kept], onehot[kept], GAMMA, ALPHA), rows=int(kept.sum()), ignored=int((~kept).sum())),
    'multihot_form': dict(reference(sx, multihot, GAMMA, ALPHA), rows=NS, ignored=0),
}
with open(path('sigmoid_reference.json'), 'w') as f:
    json.dump(sigmoid, f, indent=1)
    f.write('\n')
print('wrote', OUT)
