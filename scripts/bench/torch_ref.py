#!/usr/bin/python3
"""torch_ref.py: the PyTorch CPU reference for the Monte Carlo benchmark.

The same experiment as numpy_ref.py (P(alive) of a plain ReLU net with He
weights and zero biases on a fixed input set X), written as a PyTorch user
would: a batch of trials multiplied with one torch.bmm per layer, in
float32 or float64, on one thread (torch.set_num_threads(1)), networks that
have died dropped from the batch, and the loop over layers left as soon as
the whole batch is dead. Every layer's survivors are counted too, which is
what relush's all-statistics run reports per layer.

usage: torch_ref.py m d width depth trials max_seconds seed batch float32|float64
prints: trials seconds rate p_alive
"""
import sys
import time

import torch

import refcli


def run(m, d, width, depth, trials, max_seconds, batch, dtype, seed):
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(m, d, generator=gen, dtype=dtype)
    batch = max(1, min(batch, trials))
    alive = done = 0
    layer_alive = [0] * depth
    start = time.perf_counter()
    with torch.no_grad():
        while done < trials and time.perf_counter() - start < max_seconds:
            B = min(batch, trials - done)
            H = X.expand(B, m, d)
            fan = d
            for layer in range(depth):
                W = torch.randn(H.shape[0], fan, width, generator=gen, dtype=dtype)
                W.mul_((2.0 / fan) ** 0.5)
                Z = torch.bmm(H, W)                   # (B, m, width)
                Z.clamp_(min=0.0)
                living = Z.reshape(Z.shape[0], -1).any(dim=1)
                n_living = int(living.sum())
                layer_alive[layer] += n_living
                if n_living < Z.shape[0]:             # drop dead networks
                    Z = Z[living]
                H = Z
                fan = width
                if n_living == 0:
                    break
            alive += H.shape[0]
            done += B
    seconds = time.perf_counter() - start
    return done, seconds, alive / done


def main():
    m, d, width, depth, trials, max_seconds, seed, batch, extra = refcli.parse(__doc__)
    dtype = {"float32": torch.float32, "float64": torch.float64}.get(extra[0] if extra else "")
    if dtype is None:
        sys.exit("torch_ref.py: the precision must be float32 or float64")
    refcli.report(*run(m, d, width, depth, trials, max_seconds, batch, dtype, seed))


if __name__ == "__main__":
    main()
