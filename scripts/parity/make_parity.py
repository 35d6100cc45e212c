#!/usr/bin/python3
"""Parity fixtures: a random-initialised model in the official exif-as-language checkpoint
layout, its inputs, embeddings, loss and the gradients of one training step (PyTorch 1.13).

  /usr/bin/python3 scripts/parity/make_parity.py --preset small --out packages/models/test/fixtures/parity-small
  /usr/bin/python3 scripts/parity/make_parity.py --preset full  --out .cache/parity-full
  /usr/bin/python3 scripts/parity/make_parity.py --preset full-eval-bn --out .cache/parity-full-eval-bn

Writes model.pth, io.safetensors and grads.safetensors (float32, the fixture proper), then
ref64.safetensors: the same step in float64 and PyTorch float32's own error against it (the
float32 noise floor). See scripts/parity/README.md for every key. Deterministic for a given
preset, seed and machine (float32 results depend on PyTorch's thread count: 2-4 by cores).
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
# The full model and inputs (same seed: same model.pth and inputs), with the training step's
# BN frozen (eval mode: running statistics, no coupling across the batch); see README.md.
PRESETS["full-eval-bn"] = dict(PRESETS["full"], bn_step="eval")


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


def run_step(net, image_nchw, ids, mask, bn_step):
    """Eval-mode embeddings, then one training step from zero gradients: train-mode forward
    (BN on batch statistics, or on its running statistics when bn_step == "eval"), the InfoNCE
    loss and its backward. Returns the outputs (io.safetensors keys, including the BN buffers
    after the step) and the gradients (grads.safetensors keys). Works in net's dtype."""
    net.eval()
    with torch.no_grad():
        out = {"eval.image_embeds": net.encode_image(image_nchw), "eval.text_embeds": net.encode_text(ids, mask)}
    net.train()
    if bn_step == "eval":
        # Frozen BN (as when fine-tuning): a per-channel affine map, no coupling across the
        # batch; running statistics and num_batches_tracked stay as loaded.
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()
    net.zero_grad()
    img = net.encode_image(image_nchw)
    txt = net.encode_text(ids, mask)
    loss, logits = info_nce(img, txt, 100.0)
    loss.backward()
    out.update({
        "train.image_embeds": img.detach(),
        "train.text_embeds": txt.detach(),
        "train.logits_per_image": logits.detach(),
        "train.loss": loss.detach().reshape([]),
    })
    for name, buf in net.named_buffers():
        c = canonical(name)
        if c and c.startswith("image.") and name.rsplit(".", 1)[1] in ("running_mean", "running_var", "num_batches_tracked"):
            out["after." + c] = buf.detach().clone()
    grads = {}
    for name, prm in net.named_parameters():
        c = canonical(name)
        if c is None:
            assert prm.grad is None, f"{name} is not part of the model but got a gradient"
            continue
        grads["grad." + c] = prm.grad.detach().clone()
    return out, grads


def max_relative(ref, x):
    """Issue 3's measure in float64: max |x - ref| / max |ref| (0 when both are all zero)."""
    ref = ref.double()
    diff = (x.double() - ref).abs().max().item()
    mag = ref.abs().max().item()
    return 0.0 if diff == 0 else diff / mag if mag > 0 else math.inf


def l2_relative(ref, x):
    """||x - ref|| / ||ref|| in float64: how far off the tensor is as a whole (a missing or
    wrong term moves it; one rounding-sensitive element barely does)."""
    ref = ref.double()
    diff = (x.double() - ref).norm().item()
    mag = ref.norm().item()
    return 0.0 if diff == 0 else diff / mag if mag > 0 else math.inf


# The float32 runs whose error against float64 makes the noise floor. One run is not enough:
# its few ReLU sign flips land in random layers, and a flip changes the gradients of everything
# before it (README.md), so the floor of one tensor depends on where each run happened to flip.
# - PyTorch's two CPU convolution paths (oneDNN, the default; im2col + GEMM with oneDNN off),
#   each with 1 thread and with the fixture's count: other splits and orders of the same sums.
#   (More threads than cores add little: on 2 cores, 3 and 4 threads erred within 1% of 2.)
# - ULP_RUNS runs of the fixture's configuration on the same problem with every float32 input
#   (image, weights, BN buffers) moved by one unit in the last place, up or down at random:
#   more independent draws of where the flips land. The perturbation is below the resolution of
#   float32 and smaller than the rounding a float32 dot product of thousands of terms commits
#   (a backward-stable implementation computes the exact result of inputs perturbed by more).
ULP_RUNS = 8


def noise_runs(own_threads):
    runs = [dict(threads=t, mkldnn=m, ulp_seed=0) for m in (True, False) for t in sorted({1, own_threads})]
    runs += [dict(threads=own_threads, mkldnn=True, ulp_seed=i) for i in range(1, ULP_RUNS + 1)]
    return runs, runs.index(dict(threads=own_threads, mkldnn=True, ulp_seed=0))


def ulp_perturbed(t, gen):
    """t (float32) with every non-zero element one unit in the last place up or down, at random.
    On the bit pattern: +1 / -1 moves the magnitude one float32 step away from / towards 0."""
    step = torch.randint(0, 2, t.shape, generator=gen, dtype=torch.int32) * 2 - 1
    step[t == 0] = 0
    return (t.detach().contiguous().view(torch.int32) + step).view(torch.float32)


def load_model(p, pth, seed):
    torch.manual_seed(seed)  # the constructor's random init, overwritten by the strict load
    net = EXIFNet(make_image_tower(p["image"], p["text"]["dim"]), DistilBertModel(p["text"]), p["clip"])
    net.load_state_dict(torch.load(pth)["model"], strict=True)
    return net


def write_reference64(args, p, pth, image_nchw, ids, mask, out32, grads32, meta):
    """The same step in float64 (same float32 weights and inputs, widened exactly) and PyTorch
    float32's own error against it: ref64.safetensors. Runs after every float32 output was
    written, from model.pth (the BN running stats before the step)."""
    bn_step = p.get("bn_step", "train")
    net64 = load_model(p, pth, args.seed + 64).double()
    out64, grads64 = run_step(net64, image_nchw.double(), ids, mask, bn_step)
    del net64
    refs = {k: v for k, v in out64.items() if v.is_floating_point()}
    ref = {"ref64." + k: v for k, v in refs.items()}
    # Gradients as float32 differences from grads.safetensors: g64 = g32 + delta, exact to
    # |delta| * 2^-24, at the size of one float32 copy (float64 would double it).
    for k, v in grads64.items():
        ref["delta64." + k] = (v - grads32[k].double()).float()

    own = torch.get_num_threads()
    runs, fixture_run = noise_runs(own)
    noise = {"runs": runs, "fixture_run": fixture_run, "max": {}, "l2": {}}
    for i, run in enumerate(runs):
        if i == fixture_run:
            o, g = out32, grads32
        else:
            torch.set_num_threads(run["threads"])
            torch.backends.mkldnn.enabled = run["mkldnn"]
            net = load_model(p, pth, args.seed + 32)
            image = image_nchw
            if run["ulp_seed"]:
                gen = torch.Generator().manual_seed(args.seed * 1000 + run["ulp_seed"])
                with torch.no_grad():
                    for _, v in sorted(net.state_dict().items()):  # params and buffers, in place
                        if v.is_floating_point():
                            v.copy_(ulp_perturbed(v, gen))
                image = ulp_perturbed(image_nchw, gen)
            o, g = run_step(net, image, ids, mask, bn_step)
            del net
        for k, v in list(refs.items()) + list(grads64.items()):
            x = o[k] if k in o else g[k]
            noise["max"].setdefault(k, []).append(max_relative(v, x))
            noise["l2"].setdefault(k, []).append(l2_relative(v, x))
        del o, g
    torch.set_num_threads(own)
    torch.backends.mkldnn.enabled = True
    path = os.path.join(args.out, "ref64.safetensors")
    finite = {m: {k: [e if math.isfinite(e) else None for e in v] for k, v in noise[m].items()} for m in ("max", "l2")}
    # JSON has no infinity: null stands for it (a reference that is all zeros but x is not)
    write_safetensors(path, ref, dict(meta, noise=json.dumps(dict(noise, **finite), allow_nan=False)))

    # (the attention key biases' true gradient is 0: their relative error is meaningless)
    keys = [k for k in grads64 if not k.endswith("k_lin.bias")]
    for i, run in enumerate(runs):
        worst = max(keys, key=lambda k: noise["max"][k][i])
        emb = lambda mode: max(noise["max"][f"{mode}.image_embeds"][i], noise["max"][f"{mode}.text_embeds"][i])
        label = f"{run['threads']} thread{'s' if run['threads'] > 1 else ''}, oneDNN {'on' if run['mkldnn'] else 'off'}"
        label += f", inputs +-1 ulp #{run['ulp_seed']}" if run["ulp_seed"] else ""
        print(f"PyTorch float32 ({label}) vs float64: loss {noise['max']['train.loss'][i]:.1e}, embeddings eval "
              f"{emb('eval'):.1e}, train {emb('train'):.1e}; gradients over 1e-3: "
              f"{sum(noise['max'][k][i] > 1e-3 for k in keys)} of {len(keys)}, worst {noise['max'][worst][i]:.2e} ({worst})")
    return os.path.basename(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="small")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    p = PRESETS[args.preset]
    bn_step = p.get("bn_step", "train")
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed + 1)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    check_resnet_names()

    tcfg = p["text"]
    net = EXIFNet(make_image_tower(p["image"], tcfg["dim"]), DistilBertModel(tcfg), p["clip"])
    randomise_norms(net, gen)
    os.makedirs(args.out, exist_ok=True)
    pth = os.path.join(args.out, "model.pth")
    # The official checkpoint: {'epoch', 'model': EXIFNet.state_dict(), 'optimizer', 'lr_sched'}.
    torch.save({"epoch": 0, "model": net.state_dict()}, pth)

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

    # Float32, as the fixture's consumers compute: eval mode first (BN on the running stats
    # saved in model.pth), then the training step.
    out32, grads32 = run_step(net, image_nchw, ids, mask, bn_step)
    del net
    with torch.no_grad():
        # model.pth alone reproduces the eval embeddings: load it into a differently seeded copy, strictly.
        twin = load_model(p, pth, args.seed + 99).eval()
        assert torch.equal(twin.encode_image(image_nchw), out32["eval.image_embeds"])
        assert torch.equal(twin.encode_text(ids, mask), out32["eval.text_embeds"])
        del twin

    config = dict(
        preset=args.preset, seed=args.seed, torch=torch.__version__,
        image=dict(p["image"], embed=tcfg["dim"]), text=tcfg, clip_remains=p["clip"],
        batch=b, patch=hw, seq=t, lengths=p["lengths"], logit_scale=100.0,
        image_layout="NHWC", image_mean=CLIP_MEAN, image_std=CLIP_STD,
    )
    if bn_step != "train":
        # Only when not the default, so the fixtures made before this key existed keep their bytes.
        config["bn_step"] = bn_step
    meta = {"config": json.dumps(config)}
    io = {"input.image": image_nhwc, "input.input_ids": ids.int(), "input.attention_mask": mask.int(), **out32}
    write_safetensors(os.path.join(args.out, "io.safetensors"), io, meta)
    write_safetensors(os.path.join(args.out, "grads.safetensors"), grads32, meta)
    files = ["model.pth", "io.safetensors", "grads.safetensors"]

    files.append(write_reference64(args, p, pth, image_nchw, ids, mask, out32, grads32, meta))

    loss = out32["train.loss"].item()
    sizes = {f: os.path.getsize(os.path.join(args.out, f)) for f in files}
    print(f"{args.preset}: loss {loss:.6f}, wrote {args.out}: " + ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
