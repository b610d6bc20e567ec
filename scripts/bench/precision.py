#!/usr/bin/python3
"""precision.py: how often float32 arithmetic changes a ReLU sign decision,
the evidence for a single-precision engine path (not part of make check).

For P2-sized nets (256 Gaussian points in d = 64, 20 layers of 64, He
weights, zero biases) it draws each net in float64, runs the forward pass
once in float64 and once in float32 (weights and inputs rounded to float32,
products and sums in float32, each pass on its own activations as a
float32 engine would), and counts the neuron-points whose sign decision
(z > 0) differs, and the nets whose verdict (alive after the last layer)
differs. A decision can only differ where |z| is within float32 rounding of
0, so the rate should be of the order of 1e-7 per neuron-point.

usage: precision.py [nets] [seed]
prints: nets, neuron-point decisions, disagreements and their rate with a
95% upper bound, and the nets whose verdict differs.
"""
import math
import sys

import numpy as np


def main():
    nets = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    m, d, width, depth = 256, 64, 64, 20
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    decisions = flips = verdicts = 0
    for _ in range(nets):
        h64, h32 = X, X.astype(np.float32)
        fan = d
        for _layer in range(depth):
            W = rng.standard_normal((fan, width)) * math.sqrt(2.0 / fan)
            z64 = h64 @ W
            z32 = h32 @ W.astype(np.float32)
            pos64, pos32 = z64 > 0, z32 > 0
            decisions += pos64.size
            flips += int(np.count_nonzero(pos64 != pos32))
            h64 = np.where(pos64, z64, 0.0)
            h32 = np.where(pos32, z32, np.float32(0.0))
            fan = width
        verdicts += bool(h64.any()) != bool(h32.any())
    # One-sided 95% upper bound of a Poisson count (exact for 0: -ln 0.05).
    upper = (flips + 1.645 * math.sqrt(flips) + 1.0 if flips else 2.996) / decisions
    print("nets %d, neuron-point decisions %d, sign disagreements %d, rate %.3g (95%% upper %.3g), "
          "nets whose verdict differs %d" % (nets, decisions, flips, flips / decisions, upper, verdicts))


if __name__ == "__main__":
    main()
