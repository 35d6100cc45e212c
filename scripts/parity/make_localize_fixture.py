#!/usr/bin/python3
"""The official localization post-processing on synthetic embeddings, as a committed fixture.

  /usr/bin/python3 scripts/parity/make_localize_fixture.py \\
      [--out packages/eval/test/fixtures/localize-official.json] [--seed 0] [--no-check]

Three cases of seeded synthetic patch embeddings (D = 16): a host cluster and a "spliced"
rectangle whose patches come from a donor cluster, per-patch noise so the separation is not
trivial, and the patches straddling the rectangle's edge a mix of the two weighted by the share
of their area inside it. Features are quantised to 3 decimals and rounded to float32 (what the
fixture stores, and what the official post-processing ran on). The expected outputs are
official_localize.py's (same directory), each case first checked against the literal official
loops (--check-loop; --no-check skips that). Deterministic for a given seed and numpy / scipy /
sklearn (the ncuts use random_state 0).

Fixture JSON:
  {"generator", "versions": {numpy, scipy, sklearn}, "randomState": 0, "notes": [...],
   "cases": [{"name", "width", "height", "patch", "perSide", "dim",
              "splice": {"x", "y", "w", "h"} (pixels),
              "features": [rows*cols*dim float32, raster order],
              "expected": {"grid", "score", "radius", "volume_mean_rows", "ms", "ncuts", "pca",
                           "volume" (the smallest case only)}}]}
Float32 values are written in their shortest round-trip form (parse, then Math.fround / a
Float32Array gives the exact float32); radius is a float64 (repr); volume_mean_rows are float64
means rounded to 9 significant digits.
"""
import argparse
import json
import os
import sys

import numpy as np
import scipy
import sklearn

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_localize as official  # noqa: E402

DIM = 16

# (name, width, height, patch, perSide, splice rectangle x, y, w, h in pixels)
CASES = [
    # stride 40 > P = 32: spread 1, gaps between patches; 7 x 31 patches
    ("spread1-gaps", 1240, 280, 32, 30, (400, 60, 360, 140)),
    # stride 12: spread 2; 15 x 31 patches, 16 x 32 cells
    ("spread2", 400, 200, 32, 30, (230, 40, 100, 90)),
    # perSide 6, stride 10: spread 3; 4 x 7 patches, 6 x 9 cells, the full volume stored
    ("spread3-small", 92, 62, 32, 6, (8, 0, 45, 38)),
]


def synth_features(g, rect, rng):
    rows, cols, P, s = g["rows"], g["cols"], g["patch"], g["stride"]
    # Two clusters sharing a positive common part (so cosines stay positive, as real embeddings'
    # mostly are: the official spectral clustering breaks on negative affinity degrees).
    common = 1.0 + 0.3 * rng.standard_normal(DIM)
    direction = rng.standard_normal(DIM)
    direction /= np.linalg.norm(direction)
    host = common
    donor = common + 1.5 * direction
    x0, y0, w, h = rect
    ys = np.arange(rows) * s
    xs = np.arange(cols) * s
    oy = np.clip(np.minimum(ys + P, y0 + h) - np.maximum(ys, y0), 0, None) / P
    ox = np.clip(np.minimum(xs + P, x0 + w) - np.maximum(xs, x0), 0, None) / P
    alpha = (oy[:, None] * ox[None, :]).reshape(-1, 1)  # share of each patch inside the splice
    n = rows * cols
    f = (1 - alpha) * (host + 0.3 * rng.standard_normal((n, DIM))) + alpha * (donor + 0.3 * rng.standard_normal((n, DIM)))
    return np.round(f, 3).astype(np.float32), alpha.ravel()


def f32_text(x):
    """Shortest decimal that a float64 parse followed by rounding to float32 maps back to x."""
    t = str(np.float32(x))
    if t in ("nan", "inf", "-inf"):
        raise ValueError(f"non-finite value {t} in the fixture")
    if np.float32(float(t)) != np.float32(x):  # double rounding, never seen: fall back to 9 digits
        t = "%.9g" % float(x)
        assert np.float32(float(t)) == np.float32(x)
    return t


class Raw(str):
    """Pre-formatted JSON."""


def f32_list(a):
    return Raw("[" + ",".join(f32_text(v) for v in np.asarray(a, dtype=np.float32).ravel()) + "]")


def g9_list(a):
    return Raw("[" + ",".join("%.9g" % v for v in np.asarray(a, dtype=np.float64).ravel()) + "]")


def to_json(v, indent=0):
    pad = "  " * (indent + 1)
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, dict):
        items = [f"{pad}{json.dumps(k)}: {to_json(x, indent + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(v, list):
        return "[" + ", ".join(to_json(x, indent + 1) for x in v) + "]"
    return json.dumps(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="packages/eval/test/fixtures/localize-official.json")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-check", action="store_true", help="skip the literal official loops")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    cases = []
    for name, width, height, patch, per_side, rect in CASES:
        g = official.patch_grid(width, height, patch, per_side)
        feats, alpha = synth_features(g, rect, rng)
        inp = {"width": width, "height": height, "patch": patch, "dim": DIM, "perSide": per_side, "features": feats}
        small = name == "spread3-small"
        out = official.localize(inp, volume_out=small, check_loop=not args.no_check, random_state=0)
        if "errors" in out:
            raise RuntimeError(f"{name}: {out['errors']}")
        cells = g["cellRows"] * g["cellCols"]
        expected = {
            "grid": g,
            "score": Raw(f32_text(out["score"])),
            "radius": Raw(repr(out["radius"])),
            "volume_mean_rows": g9_list(out["volume_mean_rows"]),
            "ms": f32_list(out["ms"]),
            "ncuts": Raw("[" + ",".join(str(v) for v in out["ncuts"]) + "]"),
            "pca": f32_list(out["pca"]),
        }
        if small:
            expected["volume"] = f32_list(out["volume"])
        cases.append({
            "name": name, "width": width, "height": height, "patch": patch, "perSide": per_side, "dim": DIM,
            "splice": {"x": rect[0], "y": rect[1], "w": rect[2], "h": rect[3]},
            "features": f32_list(feats),
            "expected": expected,
        })
        ones = int(np.sum(out["ncuts"]))
        print(f"{name}: {width}x{height} P {patch} perSide {per_side}: {g['rows']}x{g['cols']} patches, spread {g['spread']}, "
              f"{g['cellRows']}x{g['cellCols']} cells; {int(np.sum(alpha >= 1))} patches inside the splice, "
              f"{int(np.sum((alpha > 0) & (alpha < 1)))} straddling; ncuts {ones}/{cells} ones; score {out['score']:.6f}"
              + (f"; check {out['check']}" if "check" in out else ""), file=sys.stderr)
    fixture = {
        "generator": "scripts/parity/make_localize_fixture.py --seed %d" % args.seed,
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
        "randomState": 0,
        "notes": [
            "expected = the official exif-as-language post-processing (scripts/parity/official_localize.py) on these float32 features",
            "ncuts labels are an arbitrary permutation (SpectralClustering, random_state 0): compare up to a label swap",
            "pca is the voted PCA-3 map after the 0.5/99.5 percentile stretch to [0, 255], before any resize; each component's sign is sklearn 1.2's svd_flip of its full SVD (u-based, these sizes are <= 500): the patch with the largest |score| on it scores positive",
            "volume (smallest case only) is (cells x cells) row-major: row = cell of patch a, column = cell of patch b",
        ],
        "cases": cases,
    }
    text = to_json(fixture) + "\n"
    json.loads(text)  # well-formed
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    print(f"wrote {args.out} ({len(text) / 1024:.1f} KiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
