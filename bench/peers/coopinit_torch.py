"""CoopInit (shared/papers/coopinit.md) in PyTorch: an independent implementation of Ouro's `train` loop
(runtime/src/train.ts), used to cross-check it and to search the settings on many seeds at once.

Many GANs train side by side as one batch of networks (weights [B, fan_in, fan_out], torch.baddbmm), each
its own pair: B = seeds x 2 arms. Arm 0 starts from random weights, arm 1 runs the cooperative phase first;
both arms of a seed start from the same networks and see the same data and latents in their adversarial
steps (paired, as Ouro's common random numbers). With --equal the random arm trains adversarially during
the cooperative arm's cooperative steps (same total steps); without it, it waits (Ouro's `when` semantics).

Networks as Ouro's `mlp`: G z(latent) -> 128 -> 128 -> 2 ReLU, D 2 -> 128 -> 128 -> 1 leaky ReLU (0.2), He
normal hidden weights, sqrt(1/fan_in) output weights, zero biases; Adam beta1 0.5, beta2 0.999, eps 1e-8,
moments reset at the switch unless --keep-adam. Cooperative step: L Langevin steps from G's samples
x <- x + s^2/2 (grad f(x) - x/ref^2) + s eps, EBM descends mean f(revised) - mean f(real), G regresses
onto the revised samples (1/2 mean ||G(z) - x~||^2); --freg adds an L2 penalty on the EBM's logits. Adversarial
step: non-saturating loss (--loss minimax or hinge as Ouro's), one D step then one G step on the same z
(--dsteps: more D steps first, each on its own batch; --dlr, --coop-dlr: D's lr relative to G's in each
phase; these go beyond Ouro's options, to make the start of adversarial training harder).
Metrics on 2,500 samples of fixed latents: modes (>= 31 samples within 3 std of a centre), high-quality
fraction (within 3 std), coarse coverage (>= 31 within 0.6).

Prints one JSON line per checkpoint: per-arm means and the paired difference with its standard error.
"""

import argparse
import json
import math
import time

import torch


def mixture(kind, device):
    if kind == "ring":
        k = torch.arange(8, dtype=torch.float32)
        c = torch.stack([2 * torch.cos(2 * math.pi * k / 8), 2 * torch.sin(2 * math.pi * k / 8)], 1)
        return c.to(device), 0.02
    if kind == "grid":
        g = torch.arange(5, dtype=torch.float32) * 2 - 4
        c = torch.stack(torch.meshgrid(g, g, indexing="xy"), -1).reshape(-1, 2)
        return c.to(device), 0.05
    raise ValueError(kind)


def init_mlp(sizes, B, gen, device):
    ws = []
    for i, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        std = math.sqrt((1 if last else 2) / fi)
        w = torch.randn(B, fi, fo, generator=gen, device=device) * std
        b = torch.zeros(B, 1, fo, device=device)
        ws += [w, b]
    return ws


def forward(ws, x, act):
    n = len(ws) // 2
    for i in range(n):
        x = torch.baddbmm(ws[2 * i + 1], x, ws[2 * i])
        if i < n - 1:
            x = torch.relu(x) if act == "relu" else torch.nn.functional.leaky_relu(x, 0.2)
    return x


class Adam:
    """Adam per network: moments [B, ...], a step count per network (so one arm's moments can be reset)."""

    def __init__(self, ws, lr, B, device):
        self.ws, self.lr = ws, lr
        self.m = [torch.zeros_like(w) for w in ws]
        self.v = [torch.zeros_like(w) for w in ws]
        self.t = torch.zeros(B, 1, 1, device=device)

    def reset(self, mask):
        """Zero the moments and step counts of the networks where mask [B] is true."""
        keep = (~mask).float().view(-1, 1, 1)
        for m, v in zip(self.m, self.v):
            m.mul_(keep)
            v.mul_(keep)
        self.t.mul_(keep)

    @torch.no_grad()
    def step(self, grads, active):
        a = active.float().view(-1, 1, 1)
        self.t.add_(a)
        c1 = 1 - 0.5 ** self.t.clamp(min=1)
        c2 = 1 - 0.999 ** self.t.clamp(min=1)
        for w, g, m, v in zip(self.ws, grads, self.m, self.v):
            m.copy_(a * (0.5 * m + 0.5 * g) + (1 - a) * m)
            v.copy_(a * (0.999 * v + 0.001 * g * g) + (1 - a) * v)
            upd = m / (v.sqrt() + 1e-8 * c2.sqrt()) * (self.lr * c2.sqrt() / c1)
            w.sub_(a * upd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="ring")
    ap.add_argument("--seeds", type=int, default=32)
    ap.add_argument("--coop", type=int, default=300, help="cooperative steps")
    ap.add_argument("--adv", type=int, default=3000, help="adversarial steps after the switch")
    ap.add_argument("--equal", action="store_true", help="random arm trains during the cooperative steps")
    ap.add_argument("--lsteps", type=int, default=20)
    ap.add_argument("--lstep", type=float, default=0.3)
    ap.add_argument("--ref", type=float, default=0.0, help="Langevin reference std (0: none)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--coop-lr", type=float, default=None)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--latent", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--keep-adam", action="store_true")
    ap.add_argument("--every", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--freg", type=float, default=0.0, help="L2 penalty on the EBM's logits, cooperative phase")
    ap.add_argument("--loss", default="nonsaturating", choices=["nonsaturating", "minimax", "hinge"])
    ap.add_argument("--dsteps", type=int, default=1, help="discriminator steps per generator step, adversarial")
    ap.add_argument("--dlr", type=float, default=1.0, help="discriminator lr = lr x this, adversarial")
    ap.add_argument("--coop-dlr", type=float, default=1.0, help="EBM lr = cooperative lr x this")
    ap.add_argument("--tag", default="")
    a = ap.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    gen = torch.Generator(device=dev).manual_seed(a.seed)
    C, std = mixture(a.data, dev)
    S, B, n = a.seeds, 2 * a.seeds, a.batch
    coop_arm = torch.arange(B, device=dev) >= S  # arm 1 = cooperative
    g0 = init_mlp([a.latent, a.hidden, a.hidden, 2], S, gen, dev)
    d0 = init_mlp([2, a.hidden, a.hidden, 1], S, gen, dev)
    G = [torch.cat([w, w]).requires_grad_() for w in g0]
    D = [torch.cat([w, w]).requires_grad_() for w in d0]
    # Per-network learning rates: the cooperative arm's phase-one lr, the random arm's adversarial ones.
    first = a.coop_lr or a.lr
    glr = torch.where(coop_arm, first, a.lr).view(-1, 1, 1)
    dlr = torch.where(coop_arm, first * a.coop_dlr, a.lr * a.dlr).view(-1, 1, 1)
    gopt, dopt = Adam(G, glr, B, dev), Adam(D, dlr, B, dev)
    zm = torch.randn(S, 2500, a.latent, generator=gen, device=dev)
    zm = torch.cat([zm, zm])

    def real(m):
        idx = torch.randint(0, C.shape[0], (S, m), generator=gen, device=dev)
        x = C[idx] + std * torch.randn(S, m, 2, generator=gen, device=dev)
        return torch.cat([x, x])

    def latents(m):
        z = torch.randn(S, m, a.latent, generator=gen, device=dev)
        return torch.cat([z, z])

    @torch.no_grad()
    def measure(t):
        x = forward(G, zm, "relu")
        d2 = ((x[:, :, None, :] - C[None, None]) ** 2).sum(-1)  # [B, 2500, K]
        near = d2 <= 9 * std * std
        modes = (near.sum(1) >= 31).sum(1).float()
        hq = near.any(2).float().mean(1)
        coarse = ((d2 <= 0.36).sum(1) >= 31).sum(1).float()
        out = {"tag": a.tag, "t": t}
        for name, v in (("modes", modes), ("hq", hq), ("coarse", coarse)):
            r, c = v[:S], v[S:]
            d = c - r
            out[name] = [round(r.mean().item(), 4), round(c.mean().item(), 4)]
            out[name + "_d"] = [round(d.mean().item(), 4), round((d.std() / math.sqrt(S)).item(), 4)]
        print(json.dumps(out), flush=True)
        return out

    def d_loss(active, z, xr):
        """The discriminator's loss (logistic, or hinge), summed over the networks in `active`."""
        fake = forward(G, z, "relu")
        f = forward(D, torch.cat([xr, fake.detach()], 1), "leaky")
        fr, ff = f[:, :n], f[:, n:]
        if a.loss == "hinge":
            per = torch.relu(1 - fr).mean((1, 2)) + torch.relu(1 + ff).mean((1, 2))
        else:
            per = torch.nn.functional.softplus(-fr).mean((1, 2)) + torch.nn.functional.softplus(ff).mean((1, 2))
        return (per * active.float()).sum()

    def grads(loss, ws):
        gs = torch.autograd.grad(loss, ws, allow_unused=True)
        return [torch.zeros_like(w) if g is None else g for w, g in zip(ws, gs)]

    t0 = time.time()
    T = a.coop + a.adv
    measure(0)
    for t in range(1, T + 1):
        in_coop = t <= a.coop
        if t == a.coop + 1 and not a.keep_adam:
            gopt.reset(coop_arm)
            dopt.reset(coop_arm)
            gopt.lr, dopt.lr = a.lr, a.lr * a.dlr
        coop_active = coop_arm if in_coop else torch.zeros(B, dtype=torch.bool, device=dev)
        if in_coop:
            adv_active = (~coop_arm) if a.equal else torch.zeros(B, dtype=torch.bool, device=dev)
        else:
            adv_active = torch.ones(B, dtype=torch.bool, device=dev)
        if adv_active.any() and a.dsteps > 1:  # extra discriminator steps on their own batches
            for _ in range(a.dsteps - 1):
                dopt.step(grads(d_loss(adv_active, latents(n), real(n)), D), adv_active)
        z, xr = latents(n), real(n)
        dgrad_total = [torch.zeros_like(w) for w in D]
        ggrad_coop = None
        if coop_active.any():
            zc = torch.randn(B, n, a.latent, generator=gen, device=dev)
            xg = forward(G, zc, "relu")
            x = xg.detach()
            for _ in range(a.lsteps):
                x = x.detach().requires_grad_()
                fx = forward(D, x, "leaky").sum()
                (gx,) = torch.autograd.grad(fx, x)
                drift = gx - (x / a.ref**2 if a.ref > 0 else 0)
                x = x + (a.lstep**2 / 2) * drift + a.lstep * torch.randn(x.shape, generator=gen, device=dev)
            x = x.detach()
            f = forward(D, torch.cat([x, xr], 1), "leaky")
            per = f[:, :n].mean((1, 2)) - f[:, n:].mean((1, 2)) + a.freg * (f**2).mean((1, 2))
            dg = grads((per * coop_active.float()).sum(), D)
            dgrad_total = [u + v for u, v in zip(dgrad_total, dg)]
            gl = 0.5 * ((xg - x) ** 2).sum(2).mean(1)
            ggrad_coop = grads((gl * coop_active.float()).sum(), G)
        if adv_active.any():
            dg = grads(d_loss(adv_active, z, xr), D)
            dgrad_total = [u + v for u, v in zip(dgrad_total, dg)]
        dopt.step(dgrad_total, coop_active | adv_active)
        ggrad = [torch.zeros_like(w) for w in G]
        if ggrad_coop is not None:
            ggrad = [u + v for u, v in zip(ggrad, ggrad_coop)]
        if adv_active.any():
            ff = forward(D, forward(G, z, "relu"), "leaky")
            if a.loss == "nonsaturating":
                gl = torch.nn.functional.softplus(-ff).mean((1, 2))
            elif a.loss == "minimax":  # minimise log(1 - sigmoid(f)) = -softplus(f)
                gl = -torch.nn.functional.softplus(ff).mean((1, 2))
            else:
                gl = -ff.mean((1, 2))
            gg = grads((gl * adv_active.float()).sum(), G)
            ggrad = [u + v for u, v in zip(ggrad, gg)]
        gopt.step(ggrad, coop_active | adv_active)
        if t % a.every == 0 or t == a.coop or t == T:
            measure(t)
    print(json.dumps({"tag": a.tag, "seconds": round(time.time() - t0, 1), "args": vars(a)}), flush=True)


if __name__ == "__main__":
    main()
