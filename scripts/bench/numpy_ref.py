#!/usr/bin/python3
"""numpy_ref.py: the NumPy reference for the Monte Carlo benchmark.

P(alive) of a plain ReLU net with He weights and zero biases on a fixed
input set X, written as an expert would: trials batched into 3-D arrays and
multiplied with one matmul per layer (float64, the BLAS NumPy links,
single-threaded when run with OPENBLAS_NUM_THREADS=1 as scripts/bench/run
does), networks that have died dropped from the batch, and the loop over
layers left as soon as every network of the batch is dead.

With zero biases a dead point's representation is exactly 0 and stays 0,
so no per-point bookkeeping is needed: a network is alive after the last
layer iff some point has a positive activation somewhere.

The batch (trials per chunk) is an argument because the best one depends on
the net: small nets want a few hundred trials (256 for P1), wide ones fewer;
scripts/bench sweeps it per configuration and reports the fastest. With
batch 0 the script sizes it by memory (~32 MB of activations).

usage: numpy_ref.py m d width depth trials [max_seconds] [seed] [batch]
prints: trials seconds rate p_alive
"""
import time

import numpy as np

import refcli


def run(m, d, width, depth, trials, max_seconds, seed, batch):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    if batch <= 0:
        # Batches of about 32 MB of activations or weights.
        per_trial = max(m * max(width, d), d * width, width * width)
        batch = int(4e6 // per_trial)
    batch = max(1, min(trials, batch))
    alive = done = 0
    start = time.perf_counter()
    while done < trials and time.perf_counter() - start < max_seconds:
        B = min(batch, trials - done)
        H = np.broadcast_to(X, (B, m, d))
        fan = d
        for _ in range(depth):
            W = rng.standard_normal((H.shape[0], fan, width))
            W *= np.sqrt(2.0 / fan)
            Z = np.matmul(H, W)                  # (B, m, width)
            np.maximum(Z, 0.0, out=Z)
            living = Z.reshape(Z.shape[0], -1).any(axis=1)
            if not living.all():                 # drop dead networks
                Z = Z[living]
            H = Z
            fan = width
            if H.shape[0] == 0:
                break
        alive += H.shape[0]
        done += B
    seconds = time.perf_counter() - start
    return done, seconds, alive / done


def main():
    m, d, width, depth, trials, max_seconds, seed, batch, _ = refcli.parse(__doc__)
    refcli.report(*run(m, d, width, depth, trials, max_seconds, seed, batch))


if __name__ == "__main__":
    main()
