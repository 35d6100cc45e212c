#!/usr/bin/python3
"""Tiny .pth files for the TypeScript .pth reader tests, each with a safetensors twin.

  /usr/bin/python3 scripts/parity/make_pth_fixtures.py --out packages/models/test/fixtures/pth

One checkpoint object (a wrapped state dict with float16, bfloat16, float64, int64, bool,
a 0-d tensor, an empty tensor, a parameter, views with storage offsets and non-contiguous
strides sharing one storage, plus an Adam optimizer state and assorted Python values) saved
three ways: tiny.pth (zip, pickle protocol 2: torch.save's default), tiny-p4.pth (zip,
protocol 4: FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE) and tiny-legacy.pth (the pre-1.6
non-zip format). tiny.safetensors holds the state dict's tensors materialised contiguously,
in the same dtypes; the reader must reproduce them bit for bit. tiny-expected.json lists the
non-tensor values the tests check.
"""
import argparse
import collections
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_io import write_safetensors  # noqa: E402


def build():
    torch.manual_seed(7)
    base = torch.randn(6, 5)
    lin = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(lin.parameters(), lr=1e-3)
    lin(torch.randn(4, 3)).sum().backward()
    opt.step()
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(3, 4)
    sd["f16"] = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6e-8, 1e-3, float("inf")], dtype=torch.float16)
    sd["bf16"] = torch.randn(2, 3).to(torch.bfloat16)
    sd["f64"] = torch.randn(3, dtype=torch.float64)
    sd["i64"] = torch.tensor([[0, -1, 2**40], [5, -(2**50), 7]], dtype=torch.int64)
    sd["i32"] = torch.tensor([1, -2, 3], dtype=torch.int32)
    sd["u8"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(3.25)
    sd["empty"] = torch.zeros(0, 3)
    # Views of one storage: a row slice (storage offset), a transpose and a strided slice
    # (non-contiguous), and the base itself; torch.save writes the storage once.
    sd["base"] = base
    sd["rows"] = base[2:4]
    sd["transposed"] = base.t()
    sd["strided"] = base[1::2, ::3]
    sd["f16_transposed"] = torch.randn(3, 2).half().t()
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2))
    ckpt = {
        "state_dict": sd,
        "epoch": 3,
        "meta": {"name": "tiny", "lr": 1e-3, "flags": [True, False, None], "big": 2**70, "neg": -5, "pair": (1, 2.5), "raw": b"abc"},
        "optimizer": opt.state_dict(),
    }
    return ckpt, sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    ckpt, sd = build()
    torch.save(ckpt, os.path.join(args.out, "tiny.pth"))
    torch.save(ckpt, os.path.join(args.out, "tiny-p4.pth"), pickle_protocol=4)
    torch.save(ckpt, os.path.join(args.out, "tiny-legacy.pth"), _use_new_zipfile_serialization=False)
    write_safetensors(os.path.join(args.out, "tiny.safetensors"), {k: v.detach().contiguous() for k, v in sd.items()})
    expected = {
        "keys": list(sd.keys()),
        "epoch": 3,
        "meta": {"name": "tiny", "lr": 1e-3, "flags": [True, False, None], "big": str(2**70), "neg": -5, "pair": [1, 2.5]},
        "optimizer_param_groups": [{k: v for k, v in g.items()} for g in ckpt["optimizer"]["param_groups"]],
        "optimizer_state_keys": sorted(ckpt["optimizer"]["state"].keys()),
        "adam_exp_avg_0": ckpt["optimizer"]["state"][0]["exp_avg"].tolist(),
        "param_requires_grad": True,
    }
    with open(os.path.join(args.out, "tiny-expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    for n in sorted(os.listdir(args.out)):
        print(f"{n}: {os.path.getsize(os.path.join(args.out, n))} bytes")


if __name__ == "__main__":
    main()
