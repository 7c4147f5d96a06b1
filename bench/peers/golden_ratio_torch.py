#!/usr/bin/env python3
"""The golden-ratio sweep of examples/golden-ratio.ouro, written as a PyTorch user would write it.

Same computation as Ouro's `retrain` loop for a `gaussian_fit` (runtime/src/retrain.ts):

  generation 0:  fit N(mu, s2) to n real samples of the truth N(0, 1), each with weight 1/n
  generation t:  draw n fresh real samples from N(0, 1) and m synthetic samples from the
                 previous fit N(mu, s2); weights w/n per real and (1 - w)/m per synthetic sample;
                 mu = sum(omega x), s2 = sum(omega (x - mu)^2)  (weighted maximum likelihood)
  metric:        err = (mu - 0)^2 after the last generation, averaged over replicates

vectorised over sweep points (w = 0.05, 0.10, ..., 0.95) x replicates as one [W, R, .] tensor
program, in float32 (PyTorch's default dtype, as Ouro's TensorFlow.js runtime uses).

Prints one JSON object: the timing (seconds of the sweep itself, excluding import and start-up;
the median of --runs runs after one warm-up), torch's version and threads, and the curve
(mean and standard deviation of err over replicates at each w).
"""

import argparse
import json
import statistics
import time

import torch


def sweep(weights, replicates, generations, n_real, n_syn, generator):
    w = torch.tensor(weights, dtype=torch.float32).view(-1, 1, 1)  # [W, 1, 1]
    W = w.shape[0]
    # Per-sample weights of the mixed training set: w/n for real, (1 - w)/m for synthetic.
    omega = torch.cat([(w / n_real).expand(W, 1, n_real), ((1 - w) / n_syn).expand(W, 1, n_syn)], dim=2)

    # Generation 0: a plain fit on n real samples.
    x = torch.randn(W, replicates, n_real, generator=generator)
    mu = x.mean(dim=2, keepdim=True)  # [W, R, 1]
    var = ((x - mu) ** 2).mean(dim=2, keepdim=True)

    for _ in range(generations):
        real = torch.randn(W, replicates, n_real, generator=generator)
        synthetic = mu + var.sqrt() * torch.randn(W, replicates, n_syn, generator=generator)
        x = torch.cat([real, synthetic], dim=2)  # [W, R, n + m]
        mu = (omega * x).sum(dim=2, keepdim=True)
        var = (omega * (x - mu) ** 2).sum(dim=2, keepdim=True)

    err = mu.squeeze(2) ** 2  # [W, R]: squared error of the mean (truth mean 0)
    return err


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--replicates", type=int, default=400)
    p.add_argument("--generations", type=int, default=100)
    p.add_argument("--real", type=int, default=100)
    p.add_argument("--synthetic", type=int, default=100)
    p.add_argument("--weights", default="", help="comma-separated real-data weights (default 0.05, 0.10, ..., 0.95)")
    p.add_argument("--runs", type=int, default=3, help="timed runs after one warm-up; the median is reported")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)

    if a.weights:
        weights = [float(x) for x in a.weights.split(",")]
    else:
        weights = [round(0.05 * k, 2) for k in range(1, 20)]  # 0.05 .. 0.95 step 0.05: 19 points
    g = torch.Generator().manual_seed(a.seed)
    sweep(weights, a.replicates, a.generations, a.real, a.synthetic, g)  # warm-up

    times = []
    err = None
    for _ in range(max(1, a.runs)):
        g = torch.Generator().manual_seed(a.seed)
        t0 = time.perf_counter()
        err = sweep(weights, a.replicates, a.generations, a.real, a.synthetic, g)
        times.append(time.perf_counter() - t0)

    mean = err.mean(dim=1).tolist()
    std = err.std(dim=1).tolist()
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "dtype": "float32",
                "replicates": a.replicates,
                "generations": a.generations,
                "seconds": statistics.median(times),
                "runs": times,
                "curve": [{"w": w, "mean": m, "std": s} for w, m, s in zip(weights, mean, std)],
            }
        )
    )


if __name__ == "__main__":
    main()
