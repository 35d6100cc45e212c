#!/usr/bin/python3
"""One EXIF-CLIP training step (forward, backward, Adam) in PyTorch on the CPU: the peer of
`exiflang bench-step` (packages/models/src/bench/step.ts), which passes the model and batch
as JSON so both sides run the same thing.

  /usr/bin/python3 scripts/bench/torch_step.py --config '{"image": {...}, "text": {...}, "batch": 4, "patch": 124, "tokens": 96}'

config: image {block, layers, stem, widths, embed}; text {vocab, dim, layers, heads, ffn,
maxPositions, dropout}; batch, patch (px), tokens (T, every token real), logitScale (100),
reps, warmup, seed. The model is scripts/parity/models.py's (torchvision ResNet layout +
Hugging Face DistilBERT, masked-mean text pooling, the official InfoNCE); the optimizer is the
official one (Adam lr 1e-4, betas (0.9, 0.98), eps 1e-6, weight decay 1e-4, all parameters).
Prints one JSON object: per-phase times in ms for every timed rep, threads, torch version.
With --serve it prints a "ready" line, then runs one step per "step" line read from stdin and
prints its times (the benchmark's mode).
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from models import DistilBertModel, build_resnet, info_nce  # noqa: E402


def build(cfg):
    i, t = cfg["image"], cfg["text"]
    image = build_resnet(i["block"], i["layers"], embed=i["embed"], widths=i["widths"], stem=i["stem"])
    text = DistilBertModel(dict(vocab=t["vocab"], dim=t["dim"], layers=t["layers"], heads=t["heads"], ffn=t["ffn"],
                                max_positions=t["maxPositions"], dropout=t.get("dropout", 0.0)))
    return image, text


def blas_in_use():
    """The BLAS library this process mapped (Debian's default libblas.so.3 is the slow reference BLAS)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.split()[-1].lower()}
        return sorted(libs)[0] if libs else None
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="JSON (see the module docstring)")
    # Lavapipe uses every core; torch's own default here is 1 thread (OpenMP sees one), so ask for all.
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads (default: every core)")
    ap.add_argument("--serve", action="store_true", help="run a step per 'step' line on stdin (see below)")
    a = ap.parse_args()
    cfg = json.loads(a.config)
    torch.set_num_threads(max(1, a.threads))
    torch.manual_seed(cfg.get("seed", 0))
    image, text = build(cfg)
    image.train()
    text.train()
    params = list(image.parameters()) + list(text.parameters())
    opt = torch.optim.Adam(params, lr=1e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=1e-4)
    b, s, T = cfg["batch"], cfg["patch"], cfg["tokens"]
    scale = cfg.get("logitScale", 100.0)
    x = torch.randn(b, 3, s, s)
    ids = torch.randint(min(1000, cfg["text"]["vocab"] - 1), cfg["text"]["vocab"], (b, T))
    mask = torch.ones(b, T, dtype=torch.long)

    def step():
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        img = image(x)
        h = text(ids, mask)
        m = mask.unsqueeze(-1).to(h.dtype)
        txt = (h * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)
        loss, _ = info_nce(img, txt, scale)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        return {"forward": (t1 - t0) * 1e3, "backward": (t2 - t1) * 1e3, "optimizer": (t3 - t2) * 1e3, "total": (t3 - t0) * 1e3, "loss": float(loss)}

    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "parameters": sum(p.numel() for p in params)}
    if a.serve:
        # One step per "step" line on stdin, one JSON line back: the benchmark alternates its
        # steps with ours so load from other processes hits both sides alike.
        print(json.dumps(dict(info, ready=True, blas=blas_in_use())), flush=True)
        for line in sys.stdin:
            if line.strip() != "step":
                break
            print(json.dumps(step()), flush=True)
        return
    for _ in range(cfg.get("warmup", 1)):
        step()
    runs = [step() for _ in range(cfg.get("reps", 3))]
    out = dict(
        info,
        samples={k: [r[k] for r in runs] for k in ("total", "forward", "backward", "optimizer")},
        loss=runs[-1]["loss"],
        blas=blas_in_use(),
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
