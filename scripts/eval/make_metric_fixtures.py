"""Writes packages/eval/test/fixtures/metrics.json: small seeded score maps with the value of
every splice-localization metric computed independently with sklearn / numpy, the way the
official evaluator (hellomuffin/exif-as-language eval/image_splice/metrics.py) computes them.

Run with Debian's python3 (numpy + scikit-learn 1.2.1):
    /usr/bin/python3 scripts/eval/make_metric_fixtures.py

Conventions of the JSON (they are the TypeScript API's, where it departs from sklearn):
  - NaN is written as null.
  - AP with no positive is NaN (sklearn 1.2.1 returns -0.0 with a warning);
  - ROC AUC with a single class is NaN (sklearn raises).
"""
import json
import math
import os
import warnings

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    matthews_corrcoef,
    precision_recall_curve,
    roc_auc_score,
)

warnings.simplefilter("ignore")  # sklearn warns on the single-class cases, numpy on 0 / 0

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "eval", "test", "fixtures", "metrics.json")
THRESHOLDS = np.linspace(0, 1, 1000)
# The TypeScript side rebuilds the thresholds as j * (1 / 999) with the last one set to 1.
_t = np.arange(1000) * (1 / 999)
_t[-1] = 1.0
assert np.array_equal(_t, THRESHOLDS)


def ap(y, s):
    return float("nan") if y.sum() == 0 else float(average_precision_score(y, s))


def auc(y, s):
    return float(roc_auc_score(y, s)) if 0 < y.sum() < y.size else float("nan")


def best_f1(y, s):
    p, r, _ = precision_recall_curve(y, s)
    f = 2 * r * p / (r + p)
    f[np.isnan(f)] = 0
    return float(f.max())


def mcc(y, s):
    return float(matthews_corrcoef(y, (s > 0.5).astype(int)))


def ciou_curves(y, s):
    """IoU of the spliced and of the authentic class at every threshold, as the official
    _compute_cIoU (with a boolean mask, so that ~mask is the authentic class)."""
    gt = y.astype(bool)[:, None]
    pred = s[:, None] >= THRESHOLDS[None, :]
    iou_pos = np.logical_and(pred, gt).sum(0) / np.logical_or(pred, gt).sum(0)
    iou_neg = np.logical_and(~pred, ~gt).sum(0) / np.logical_or(~pred, ~gt).sum(0)
    return iou_pos, iou_neg


def ciou_official(y, s):
    iou_pos, iou_neg = ciou_curves(y, s)
    # np.argmax selects the first NaN when there is one, hence the indexing.
    return float((iou_pos[np.argmax(iou_pos)] + iou_neg[np.argmax(iou_neg)]) / 2)


def ciou_single(y, s):
    iou_pos, iou_neg = ciou_curves(y, s)
    return float(np.max((iou_pos + iou_neg) / 2))


METRICS = {"ap": ap, "auc": auc, "f1": best_f1, "mcc": mcc, "ciou": ciou_official, "ciouSingle": ciou_single}
# scoreLocalization's field for each metric
FIELDS = {"ap": "pmap", "auc": "auc", "f1": "f1", "mcc": "mcc", "ciou": "ciou", "ciouSingle": "ciouSingle"}


def both(fn, y, s):
    a, b = fn(y, s), fn(y, 1 - s)
    return a, b, max(a, b)  # Python's max, as the official update()


def num(x):
    return None if math.isnan(x) else x


def rect_mask(h, w, y0, y1, x0, x1):
    m = np.zeros((h, w), dtype=np.int64)
    m[y0:y1, x0:x1] = 1
    return m


def bilinear(grid, h, w):
    gh, gw = grid.shape
    yy = np.linspace(0, gh - 1, h)
    xx = np.linspace(0, gw - 1, w)
    y0 = np.minimum(np.floor(yy).astype(int), gh - 2)
    x0 = np.minimum(np.floor(xx).astype(int), gw - 2)
    fy = (yy - y0)[:, None]
    fx = (xx - x0)[None, :]
    g = grid
    return (
        g[y0][:, x0] * (1 - fy) * (1 - fx)
        + g[y0][:, x0 + 1] * (1 - fy) * fx
        + g[y0 + 1][:, x0] * fy * (1 - fx)
        + g[y0 + 1][:, x0 + 1] * fy * fx
    )


def cases(rng):
    h, w = 20, 30
    m = rect_mask(h, w, 5, 14, 8, 21)
    yield "random", m, rng.random((h, w)), {}
    # many ties, including exact hits of 0.5 (MCC is strict) and of cIoU thresholds
    yield "quantized", m, np.round(rng.random((h, w)) * 10) / 10 * 0.7 + 0.3 * m * (rng.random((h, w)) < 0.5), {}
    yield "out_of_range", m, rng.normal(0.5, 0.9, (h, w)) + 0.6 * m, {}
    smooth = bilinear(rng.random((4, 5)), h, w) * 0.5 + 0.5 * bilinear(rect_mask(4, 5, 1, 3, 1, 4).astype(float), h, w)
    yield "smooth", m, smooth, {}
    near = m * 0.9 + 0.05 + rng.normal(0, 0.03, (h, w))
    yield "near_perfect", m, near, {}
    yield "inverted", m, 1 - near, {}
    tiny = np.zeros((h, w), dtype=np.int64)
    tiny[3, 4] = tiny[3, 5] = 1
    yield "tiny_mask", tiny, rng.random((h, w)), {}
    # float32-exact values: the test also feeds them as a Float32Array
    yield "float32", m, (rng.random((h, w)) * 0.8 + 0.2 * m).astype(np.float32).astype(np.float64), {"f32": True}
    # values on and next to the cIoU thresholds, and tiny values that 1 - s rounds together
    t = THRESHOLDS[rng.integers(0, 1000, (12, 16))]
    pick = rng.integers(0, 4, (12, 16))
    edge = np.where(pick == 0, t, np.where(pick == 1, np.nextafter(t, -np.inf), np.where(pick == 2, np.nextafter(t, np.inf), t)))
    edge[0, :8] = [1e-17, 2e-17, 3e-17, 5e-18, 0.5, 0.5, np.nextafter(0.5, 0), np.nextafter(0.5, 1)]
    m2 = rect_mask(12, 16, 2, 9, 3, 12)
    edge[2, 3:7] = [1e-17, 4e-17, 0.5, np.nextafter(0.5, 0)]  # spliced pixels in those ties
    assert (1 - edge[2, 3:5] == 1).all() and 1 - np.nextafter(0.5, 0) == 0.5
    yield "threshold_edges", m2, edge, {}
    small = rect_mask(12, 16, 0, 0, 0, 0)
    # an authentic mask: cIoU is NaN exactly where numpy divides 0 by 0 (no pixel passes the
    # last threshold), and Python's max(map, inverted) keeps a NaN only in first place
    authentic = rng.random((12, 16))
    authentic[0, 0] = 1.0  # the map passes every threshold somewhere; its inversion does not
    yield "no_positives", small, authentic, {}
    authentic_low = rng.random((12, 16))
    authentic_low[0, 0] = 0.0  # the reverse: the map's cIoU is NaN, so is the best
    yield "no_positives_low", small, authentic_low, {}
    yield "all_positive", 1 - small, rng.random((12, 16)) * 0.9, {}
    yield "constant", m2, np.full((12, 16), 0.5), {}


def detection(rng):
    labels = (rng.random(40) < 0.5).astype(np.int64)
    yield "random", labels, rng.random(40) + 0.3 * labels
    yield "ties", labels, np.round(rng.random(40) * 4) / 4 + 0.25 * labels
    yield "perfect", labels, labels * 2.0 - 1
    yield "one_class", np.ones(10, dtype=np.int64), rng.random(10)


def main():
    rng = np.random.default_rng(20240611)
    out = {"localization": [], "detection": []}
    for name, mask, score, extra in cases(rng):
        y = mask.reshape(-1)
        s = score.reshape(-1).astype(np.float64)
        case = {"name": name, "shape": list(mask.shape), "labels": y.tolist(), "scores": s.tolist(), **extra}
        for key, fn in METRICS.items():
            a, b, best = both(fn, y, s)
            case[key] = num(a)
            case[key + "Inverted"] = num(b)
            case.setdefault("best", {})[FIELDS[key]] = num(best)
        out["localization"].append(case)
    for name, y, s in detection(rng):
        out["detection"].append({"name": name, "labels": y.tolist(), "scores": s.tolist(), "ap": num(ap(y, s)), "auc": num(auc(y, s))})
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
