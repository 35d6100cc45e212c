#!/usr/bin/python3
"""The .pth fixture of the probe / zero-shot / check tests: a tiny random model in the official
exif-as-language checkpoint layout (model.visual.* torchvision ResNet names, model.transformer.*
Hugging Face DistilBERT names, CLIP leftovers), with the full bert-base-uncased vocabulary (our
tokenizer's ids index it), and what PyTorch computes from it in eval mode:

  /usr/bin/python3 scripts/probe/make_probe_pth.py --out packages/eval/test/fixtures/probe-pth

Writes model.pth and expect.json: the image embedding of one deterministic 32 px patch (pixel
(x, y, c) = (7x + 13y + 50c) mod 256, CLIP-normalised) and the text embeddings (masked mean
pooling) of two EXIF texts given as token ids (our tokenizer's ids for them; the test checks
that it still produces these ids). Text width 4 keeps the file near 500 KB.
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "parity"))
from models import EXIFNet, DistilBertModel, build_resnet  # noqa: E402
from make_parity import CLIP_MEAN, CLIP_STD, randomise_norms  # noqa: E402

TEXTS = {
    "Make: Canon": [101, 2191, 1024, 9330, 102],
    "Make: Canon, Model: Canon EOS 40D": [101, 2191, 1024, 9330, 1010, 2944, 1024, 9330, 1041, 2891, 2871, 2094, 102],
}
PATCH = 32


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed + 1)
    text = dict(vocab=30522, dim=4, layers=1, heads=2, ffn=8, max_positions=64, dropout=0.0)
    visual = build_resnet("basic", [1, 1, 1, 1], embed=text["dim"], widths=[8, 8, 16, 16], stem=8)
    net = EXIFNet(visual, DistilBertModel(text), dict(width=8, context=4, vocab=16, embed=8))
    randomise_norms(net, gen)
    net.eval()
    os.makedirs(args.out, exist_ok=True)
    torch.save({"epoch": 0, "model": net.state_dict()}, os.path.join(args.out, "model.pth"))

    y, x, c = torch.meshgrid(torch.arange(PATCH), torch.arange(PATCH), torch.arange(3), indexing="ij")
    pixels = ((7 * x + 13 * y + 50 * c) % 256).float() / 255
    nhwc = (pixels - torch.tensor(CLIP_MEAN)) / torch.tensor(CLIP_STD)
    with torch.no_grad():
        image = net.encode_image(nhwc.permute(2, 0, 1).unsqueeze(0))[0]
        texts = {}
        for s, ids in TEXTS.items():
            t = torch.tensor([ids])
            texts[s] = {"ids": ids, "embedding": net.encode_text(t, torch.ones_like(t))[0].tolist()}
    with open(os.path.join(args.out, "expect.json"), "w") as f:
        json.dump({"patch": PATCH, "image": image.tolist(), "texts": texts, "torch": torch.__version__}, f, indent=1)


if __name__ == "__main__":
    main()
