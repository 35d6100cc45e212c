#!/usr/bin/python3
"""Parity fixtures: a random-initialised model in the official exif-as-language checkpoint
layout, its inputs, embeddings, loss and the gradients of one training step (PyTorch 1.13).

  /usr/bin/python3 scripts/parity/make_parity.py --preset small --out packages/models/test/fixtures/parity-small
  /usr/bin/python3 scripts/parity/make_parity.py --preset full  --out .cache/parity-full

Writes model.pth, io.safetensors and grads.safetensors; see scripts/parity/README.md for
every key. Deterministic for a given preset and seed.
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import EXIFNet, DistilBertModel, build_resnet, check_resnet_names, info_nce  # noqa: E402
from st_io import write_safetensors  # noqa: E402

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

PRESETS = {
    # CI: tiny towers (bottleneck ResNet, one block per stage, uneven widths so a mapping
    # that guesses widths from a multiplier fails; 2-layer text). Keeps files < 200 KB.
    "small": dict(
        image=dict(block="bottleneck", layers=[1, 1, 1, 1], stem=8, widths=[4, 8, 12, 16], torchvision=False),
        text=dict(vocab=128, dim=32, layers=2, heads=2, ffn=48, max_positions=32, dropout=0.0),
        clip=dict(width=16, context=8, vocab=32, embed=24),
        batch=4, patch=40, seq=16, lengths=[16, 11, 7, 3],
    ),
    # Same as small with BasicBlocks (resnet18-style tiny presets); not committed, generate on demand.
    "small-basic": dict(
        image=dict(block="basic", layers=[1, 1, 1, 1], stem=8, widths=[8, 8, 16, 32], torchvision=False),
        text=dict(vocab=128, dim=32, layers=2, heads=2, ffn=48, max_positions=32, dropout=0.0),
        clip=dict(width=16, context=8, vocab=32, embed=24),
        batch=4, patch=40, seq=16, lengths=[16, 11, 7, 3],
    ),
    # Manual check: the paper's sizes (torchvision resnet50, distilbert-base-uncased, CLIP RN50 remains).
    "full": dict(
        image=dict(block="bottleneck", layers=[3, 4, 6, 3], stem=64, widths=[64, 128, 256, 512], torchvision=True),
        text=dict(vocab=30522, dim=768, layers=6, heads=12, ffn=3072, max_positions=512, dropout=0.0),
        clip=dict(width=512, context=77, vocab=49408, embed=1024),
        batch=4, patch=124, seq=96, lengths=[96, 80, 41, 9],
    ),
}


def make_image_tower(cfg, embed):
    if cfg["torchvision"]:
        import torchvision

        net = torchvision.models.resnet50()
        net.fc = torch.nn.Linear(2048, embed)  # as model_wrapper.py
        return net
    return build_resnet(cfg["block"], cfg["layers"], embed=embed, widths=cfg["widths"], stem=cfg["stem"])


@torch.no_grad()
def randomise_norms(net, gen):
    """Make BN running stats and norm affines non-trivial so eval mode and the affines are tested."""
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
            m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
            m.num_batches_tracked.fill_(7)
        elif isinstance(m, torch.nn.LayerNorm):
            m.weight.copy_(torch.rand(m.weight.shape, generator=gen) * 0.5 + 0.75)
            m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)


def canonical(name):
    """Official key -> our canonical name (the TypeScript mapping in official.ts does the same)."""
    for a, b in (("model.visual.", "image."), ("model.transformer.", "text.")):
        if name.startswith(a):
            return b + name[len(a):]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="small")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    p = PRESETS[args.preset]
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed + 1)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    check_resnet_names()

    tcfg = p["text"]
    net = EXIFNet(make_image_tower(p["image"], tcfg["dim"]), DistilBertModel(tcfg), p["clip"])
    randomise_norms(net, gen)
    os.makedirs(args.out, exist_ok=True)
    # The official checkpoint: {'epoch', 'model': EXIFNet.state_dict(), 'optimizer', 'lr_sched'}.
    torch.save({"epoch": 0, "model": net.state_dict()}, os.path.join(args.out, "model.pth"))

    # Inputs: CLIP-normalised patches (NHWC), token ids with [CLS] ... [SEP] then [PAD]=0.
    b, hw, t = p["batch"], p["patch"], p["seq"]
    pixels = torch.randint(0, 256, (b, hw, hw, 3), generator=gen).float() / 255
    image_nhwc = (pixels - torch.tensor(CLIP_MEAN)) / torch.tensor(CLIP_STD)
    image_nchw = image_nhwc.permute(0, 3, 1, 2).contiguous()
    ids = torch.zeros(b, t, dtype=torch.long)
    mask = torch.zeros(b, t, dtype=torch.long)
    for i, n in enumerate(p["lengths"]):
        ids[i, :n] = torch.randint(103, tcfg["vocab"], (n,), generator=gen)
        ids[i, 0], ids[i, n - 1] = 101, 102
        mask[i, :n] = 1

    # Eval mode first: BN uses the running stats saved in model.pth.
    net.eval()
    with torch.no_grad():
        eval_img = net.encode_image(image_nchw)
        eval_txt = net.encode_text(ids, mask)
        # model.pth alone reproduces them: load it into a differently seeded copy, strictly.
        torch.manual_seed(args.seed + 99)
        twin = EXIFNet(make_image_tower(p["image"], tcfg["dim"]), DistilBertModel(tcfg), p["clip"])
        twin.load_state_dict(torch.load(os.path.join(args.out, "model.pth"))["model"], strict=True)
        twin.eval()
        assert torch.equal(twin.encode_image(image_nchw), eval_img) and torch.equal(twin.encode_text(ids, mask), eval_txt)
        del twin

    # One training step: BN uses batch statistics and updates its running stats.
    net.train()
    net.zero_grad()
    img = net.encode_image(image_nchw)
    txt = net.encode_text(ids, mask)
    loss, logits = info_nce(img, txt, 100.0)
    loss.backward()

    config = dict(
        preset=args.preset, seed=args.seed, torch=torch.__version__,
        image=dict(p["image"], embed=tcfg["dim"]), text=tcfg, clip_remains=p["clip"],
        batch=b, patch=hw, seq=t, lengths=p["lengths"], logit_scale=100.0,
        image_layout="NHWC", image_mean=CLIP_MEAN, image_std=CLIP_STD,
    )
    meta = {"config": json.dumps(config)}
    io = {
        "input.image": image_nhwc,
        "input.input_ids": ids.int(),
        "input.attention_mask": mask.int(),
        "eval.image_embeds": eval_img,
        "eval.text_embeds": eval_txt,
        "train.image_embeds": img.detach(),
        "train.text_embeds": txt.detach(),
        "train.logits_per_image": logits.detach(),
        "train.loss": loss.detach().reshape([]),
    }
    for name, buf in net.named_buffers():
        c = canonical(name)
        if c and c.startswith("image.") and name.rsplit(".", 1)[1] in ("running_mean", "running_var", "num_batches_tracked"):
            io["after." + c] = buf.detach().clone()
    write_safetensors(os.path.join(args.out, "io.safetensors"), io, meta)

    grads = {}
    for name, prm in net.named_parameters():
        c = canonical(name)
        if c is None:
            assert prm.grad is None, f"{name} is not part of the model but got a gradient"
            continue
        grads["grad." + c] = prm.grad.detach().clone()
    write_safetensors(os.path.join(args.out, "grads.safetensors"), grads, meta)

    sizes = {f: os.path.getsize(os.path.join(args.out, f)) for f in ("model.pth", "io.safetensors", "grads.safetensors")}
    print(f"{args.preset}: loss {loss.item():.6f}, wrote {args.out}: " + ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
