#!/usr/bin/env python3
"""The golden-ratio sweep of examples/golden-ratio.ouro in PyTorch, with the sufficient-statistics trick Ouro uses.

The same computation as golden_ratio_torch.py (see there), but each generation draws, instead of the n real
and m synthetic samples, only what the weighted fit depends on: the mean and the scatter of each sample set.
For k iid N(m, s2) samples the mean is N(m, s2/k) and the scatter sum (x - mean)^2 is s2 * chi2(k - 1),
independent of the mean; so per generation and row

  real:       xr = zr / sqrt(n),            Sr = chi2(n - 1)          (truth N(0, 1))
  synthetic:  xs = mu + sqrt(s2) zs / sqrt(m), Ss = s2 * chi2(m - 1)
  fit:        mu' = w xr + (1 - w) xs
              s2' = (w/n) Sr + ((1 - w)/m) Ss + w (xr - mu')^2 + (1 - w) (xs - mu')^2

which is exactly the weighted maximum-likelihood fit of golden_ratio_torch.py, in distribution, with 4 draws per
row and generation instead of n + m. chi2(k) is 2 * Gamma(k/2), drawn by torch._standard_gamma (what
torch.distributions.Chi2 calls) with the script's generator. float32, torch's default threads.

Prints one JSON object like golden_ratio_torch.py.
"""

import argparse
import json
import statistics
import time

import torch


def sweep(weights, replicates, generations, n_real, n_syn, generator):
    w = torch.tensor(weights, dtype=torch.float32).view(-1, 1)  # [W, 1]
    shape = (w.shape[0], replicates)
    half_real = torch.full(shape, (n_real - 1) / 2)
    half_syn = torch.full(shape, (n_syn - 1) / 2)

    def stats(k, half):
        """Mean and scatter of k iid N(0, 1) samples per row."""
        z = torch.randn(shape, generator=generator) / k**0.5
        scatter = 2 * torch._standard_gamma(half, generator=generator)
        return z, scatter

    # Generation 0: a plain fit on n real samples (variance = scatter / n).
    mu, s = stats(n_real, half_real)
    var = s / n_real

    for _ in range(generations):
        xr, sr = stats(n_real, half_real)
        zs, ss = stats(n_syn, half_syn)
        xs = mu + var.sqrt() * zs
        ss = var * ss
        mu = w * xr + (1 - w) * xs
        var = (w / n_real) * sr + ((1 - w) / n_syn) * ss + w * (xr - mu) ** 2 + (1 - w) * (xs - mu) ** 2

    return mu**2  # [W, R]: squared error of the mean (truth mean 0)


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
        weights = [round(0.05 * k, 2) for k in range(1, 20)]
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
