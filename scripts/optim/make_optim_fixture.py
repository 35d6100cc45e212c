#!/usr/bin/python3
"""Reference values of torch.optim (Adam, AdamW, SGD) for the TypeScript optimizer tests.

  /usr/bin/python3 scripts/optim/make_optim_fixture.py --out packages/models/test/fixtures/optim/torch-optim.safetensors

Four small parameters (odd shapes, a rank-0-like [1] "logit scale"), five steps of fixed
random gradients. Parameter `c` gets no gradient on step 1 (PyTorch skips it: no state
change, its step count does not advance). Each case records the parameters after every step,
the final optimizer state and, with clipping, the total gradient norm of every step.

Tensor names: init.<p>, grad.<step>.<p>, after.<case>.<step>.<p>, state.<case>.<key>.<p>
(key m / v / momentum), norm.<case> [steps]. __metadata__.cases: JSON of every case
(constructor arguments, groups, the lr of each step, clipping). Deterministic.
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from st_io import write_safetensors  # noqa: E402

STEPS = 5
SHAPES = {"w": (7, 5), "b": (5,), "c": (3, 2, 4), "s": (1,)}
NO_GRAD = {1: {"c"}}  # step -> parameters without a gradient


def warmup_cosine(lr, warmup, total, min_lr, step):
    """Same closed form as packages/models/src/optim/schedule.ts (kind 'cosine')."""
    if step < warmup:
        return lr * (step + 1) / warmup
    t, span = step - warmup, total - warmup
    return min_lr if t >= span else min_lr + (lr - min_lr) * (1 + math.cos(math.pi * t / span)) / 2


CASES = {
    # The paper's Adam (L2 weight decay) with a no-decay group at half the rate and a schedule.
    "adam_paper": dict(
        kind="adam", opts=dict(betas=(0.9, 0.98), eps=1e-6),
        groups=[dict(params=["w", "c"], weight_decay=1e-4, scale=1.0), dict(params=["b", "s"], weight_decay=0.0, scale=0.5)],
        schedule=dict(kind="cosine", lr=1e-2, warmupSteps=2, totalSteps=STEPS, minLr=1e-4),
    ),
    "adamw": dict(
        kind="adamw", opts=dict(), groups=[dict(params=list(SHAPES), weight_decay=0.05, scale=1.0)],
        schedule=dict(kind="constant", lr=3e-3),
    ),
    # Adam with clip_grad_norm_ before every step (max norm below the gradients' norm).
    "adam_clip": dict(
        kind="adam", opts=dict(betas=(0.9, 0.98), eps=1e-6), groups=[dict(params=list(SHAPES), weight_decay=1e-4, scale=1.0)],
        schedule=dict(kind="constant", lr=1e-2), clip=1.5,
    ),
    "sgd_momentum": dict(
        kind="sgd", opts=dict(momentum=0.9, dampening=0.1), groups=[dict(params=list(SHAPES), weight_decay=1e-3, scale=1.0)],
        schedule=dict(kind="constant", lr=0.05),
    ),
    "sgd_nesterov": dict(
        kind="sgd", opts=dict(momentum=0.9, nesterov=True), groups=[dict(params=list(SHAPES), weight_decay=0.0, scale=1.0)],
        schedule=dict(kind="step", lr=0.05, stepSize=2, gamma=0.5),
    ),
    "sgd_plain": dict(
        kind="sgd", opts=dict(), groups=[dict(params=list(SHAPES), weight_decay=1e-2, scale=1.0)],
        schedule=dict(kind="constant", lr=0.1),
    ),
}


def lr_of(schedule, step):
    k = schedule["kind"]
    if k == "constant":
        return schedule["lr"]
    if k == "cosine":
        return warmup_cosine(schedule["lr"], schedule["warmupSteps"], schedule["totalSteps"], schedule["minLr"], step)
    return schedule["lr"] * schedule["gamma"] ** (step // schedule["stepSize"])


def run_case(name, case, init, grads, out):
    params = {p: torch.nn.Parameter(init[p].clone()) for p in SHAPES}
    groups = [dict(params=[params[p] for p in g["params"]], weight_decay=g["weight_decay"], lr=1.0) for g in case["groups"]]
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}[case["kind"]]
    opt = cls(groups, lr=1.0, **case["opts"])
    norms, lrs = [], []
    for step in range(STEPS):
        lr = lr_of(case["schedule"], step)
        lrs.append(lr)
        for g, spec in zip(opt.param_groups, case["groups"]):
            g["lr"] = lr * spec["scale"]
        for p, t in params.items():
            t.grad = None if p in NO_GRAD.get(step, ()) else grads[step][p].clone()
        if "clip" in case:
            norms.append(float(torch.nn.utils.clip_grad_norm_([t for t in params.values() if t.grad is not None], case["clip"])))
        opt.step()
        for p, t in params.items():
            out[f"after.{name}.{step}.{p}"] = t.detach().clone()
    keys = {"exp_avg": "m", "exp_avg_sq": "v", "momentum_buffer": "momentum"}
    for p, t in params.items():
        for k, v in opt.state[t].items():
            if k in keys and v is not None:
                out[f"state.{name}.{keys[k]}.{p}"] = v.detach().clone()
    if norms:
        out[f"norm.{name}"] = torch.tensor(norms, dtype=torch.float32)
    steps = {p: int(opt.state[t]["step"]) if "step" in opt.state[t] else STEPS - sum(p in s for s in NO_GRAD.values()) for p, t in params.items()}
    return dict(case, lrs=lrs, steps=steps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    init = {p: torch.randn(s) for p, s in SHAPES.items()}
    grads = [{p: torch.randn(s) * (0.5 + step) for p, s in SHAPES.items()} for step in range(STEPS)]
    out = {f"init.{p}": t for p, t in init.items()}
    for step, g in enumerate(grads):
        for p, t in g.items():
            if p not in NO_GRAD.get(step, ()):
                out[f"grad.{step}.{p}"] = t
    meta = {name: run_case(name, case, init, grads, out) for name, case in CASES.items()}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    write_safetensors(a.out, out, {
        "cases": json.dumps(meta), "steps": str(STEPS), "shapes": json.dumps(SHAPES),
        "no_grad": json.dumps({str(k): sorted(v) for k, v in NO_GRAD.items()}), "torch": torch.__version__,
    })
    print(f"{a.out}: {len(out)} tensors, {os.path.getsize(a.out)} bytes")


if __name__ == "__main__":
    main()
