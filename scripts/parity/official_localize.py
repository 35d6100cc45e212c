#!/usr/bin/python3
"""The official splice-localization post-processing, run on patch embeddings we dump.

  /usr/bin/python3 scripts/parity/official_localize.py IN.json [--out OUT.json] [--time]
      [--volume] [--full] [--check-loop] [--literal-meanshift] [--random-state 0]

Reimplements, in numpy / scipy / sklearn only (no torch, no cv2), what hellomuffin/exif-as-language
does after the image tower (eval/image_splice/exif_sc.py: EXIF_SC.predict,
_predict_consistency_maps, _predict_pca_map, mean_shift, normalized_cut; utils/structures.py:
PatchedImage), with the same numerical types, so that our TypeScript localization can be checked
against it and benchmarked beside it (`pnpm bench:localize` runs this on the same embeddings and
prints ours/theirs per phase).

Input JSON: {"width", "height", "patch", "dim", "features": [rows*cols*dim floats, patches in
raster order], "perSide" (optional, default 30: EXIF_SC's num_per_dim, what the official
evaluation runs)}.

Output JSON (to --out, else stdout):
  {"grid": {width, height, patch, perSide, stride, rows, cols, spread, cellRows, cellCols},
   "score": volume.mean() (numpy's float32 mean, as predict() returns it),
   "radius": the mean-shift radius (10th percentile of the pairwise row distances, float64),
   "volume_mean_rows": [cells] float64 mean of each row of the (cells x cells) volume,
   "ms": [cellRows*cellCols] mean-shift map (float32 values), row-major,
   "ncuts": [cellRows*cellCols] spectral-clustering labels 0/1 (arbitrary permutation), or null
            when sklearn fails as it would in the official code (negative degrees of 1 - volume,
            e.g. zero-mean random features: NaN in the Laplacian), the reason in "errors.ncuts",
   "pca": [cellRows*cellCols*3] voted PCA-3 map after the 0.5/99.5 percentile stretch to [0, 255],
   "timings_ms": {"volume", "meanshift", "ncuts", "pca", "upsample"},
   "volume": [cells*cells] (only with --volume),
   "errors": {"ncuts": message} (only when a phase failed),
   "check": {...} (only with --check-loop: the literal loops' agreement),
   "full": {"ms": [H*W], "ncuts": [H*W], "pca": [H*W*3]} (only with --full)}
cells = cellRows * cellCols; the volume's row index is the cell (i, j) of patch a, its column the
cell (k, l) of patch b, both row-major.

What each phase does (and where it departs from the literal official code, always with the same
result):
- grid: stride = (max(H, W) - P) // perSide, rows = 1 + floor((H - P) / stride), cols likewise,
  spread = max(1, P // stride), cellRows = rows + spread - 1, cellCols likewise. The official code
  asserts min(H, W) > P and divides by zero when the stride is 0: both are errors here.
- volume: sim(a, b) = 1 - cos(a, b) in float32 (features / their float32 norms, one float32 GEMM)
  for every ordered pair of patches (a == b included). The official loop adds sim(a, b) into
  responses[a_r:a_r+s, a_c:a_c+s, b_r:b_r+s, b_c:b_c+s] and 1 into vote_counts (which start at
  float32 1e-4), then divides. That is a 4-D box filter of the (rows, cols, rows, cols) array of
  sims; here it runs separably (s shifted adds along each axis) in float64 and is rounded to
  float32 once, which differs from torch's sequential float32 sums by rounding only (< 1e-6 on the
  volume; --check-loop asserts it). The vote counts are the exact float32 values of 1e-4 + 1 + ...
  + 1 (a lookup table of the sequential float32 sums), so the division is torch's.
- meanshift: the official mean_shift(points = volume as (cells, cells) float32, window=10,
  iter=5): a cKDTree on the original points, radius = np.percentile(cdist(points, points), 10);
  each of 5 sweeps updates the points one after another in place, point i becoming the float32
  mean of the CURRENT rows of the original points lying within the radius of point i's current
  value; then each final point's count of original points within the radius (the official:
  count_neighbors against a one-point tree), and the float32 mean of the final points with the
  maximal count, reshaped to the cell grid. Same floats, faster:
  * point i's query location is its value from the previous sweep (nothing else changes it
    before its own turn), so a sweep's ball memberships come from one float64 GEMM of squared
    distances to the original points; a query whose GEMM distance to some point lies within a
    rigorous rounding bound of the radius (see _gram_error_bound) goes to the tree as the
    official does (rare: none in the runs tried). The hits are listed in the tree's storage
    order (tree.indices), the order cKDTree's unsorted single-point query returns them, so
    np.mean sums the same rows in the same order; the in-place means stay sequential.
  * the radius: GEMM distances pick the few pairs that can be the two order statistics
    np.percentile interpolates between, only those get scipy's cdist, and np.percentile itself
    interpolates their exact values (percentile_of_distances).
  --check-loop runs the literal version on small inputs and asserts bit equality;
  --literal-meanshift runs the literal version at any size (a 31x31 grid: ~40 s instead of ~2).
- ncuts: sklearn SpectralClustering(n_clusters=2, affinity='precomputed') on 1 - volume as a
  (cells, cells) float32 matrix, labels reshaped to the cell grid. The official passes no
  random_state (k-means and ARPACK start randomly); here random_state is fixed (--random-state,
  default 0) for reproducibility. Labels 0/1 are an arbitrary permutation: compare up to a swap.
- pca: sklearn PCA(n_components=3, whiten=True).fit_transform(float32 features) (random_state
  fixed as above: it only matters when sklearn picks its randomized solver, max(n, D) > 500),
  voted onto the cell grid like the volume (float32 sums in the official raster order of the
  patches: bit-identical to the loop) and divided by the same float32 vote counts, then
  stretched as predict() does BEFORE resizing: p1, p3 = percentiles 0.5 and 99.5 of the whole
  (cellRows, cellCols, 3) map, (m - p1) / (p3 - p1) * 255 clipped to [0, 255].
- upsample: cv2.resize(map, (W, H), INTER_LINEAR) of ms, ncuts (as float32) and each PCA channel,
  reimplemented (see resize_linear). Always computed (it is part of predict()'s time); written
  only with --full.
"""
import argparse
import json
import sys
import time

import numpy as np
import scipy.spatial
import scipy.spatial.distance
import sklearn.cluster
from sklearn.decomposition import PCA

MS_WINDOW = 10
MS_ITER = 5


# ---------------------------------------------------------------------------------------------
# grid


def patch_grid(width, height, patch, per_side=30):
    if min(width, height) <= patch:
        raise ValueError(f"image {width}x{height} must be bigger than the {patch} px patch (the official assert)")
    stride = (max(width, height) - patch) // per_side
    if stride < 1:
        raise ValueError(f"stride (max(H, W) - P) // perSide is 0 for {width}x{height}, P {patch}, perSide {per_side}: the official code divides by zero")
    rows = 1 + (height - patch) // stride
    cols = 1 + (width - patch) // stride
    spread = max(1, patch // stride)
    return {
        "width": width, "height": height, "patch": patch, "perSide": per_side, "stride": stride,
        "rows": rows, "cols": cols, "spread": spread,
        "cellRows": rows + spread - 1, "cellCols": cols + spread - 1,
    }


def vote_count_table(max_votes):
    """table[n] = float32 value of torch's zeros + 1e-4 followed by n in-place float32 `+= 1`."""
    table = np.empty(max_votes + 1, np.float32)
    c = np.float32(1e-4)
    for n in range(max_votes + 1):
        table[n] = c
        c = np.float32(c + np.float32(1))
    return table


def cover_counts(n, spread):
    """Patches (along one axis, n of them) whose spread-wide footprint covers each of the n+spread-1 cells."""
    i = np.arange(n + spread - 1)
    return np.minimum(i, n - 1) - np.maximum(0, i - spread + 1) + 1


# ---------------------------------------------------------------------------------------------
# consistency volume


def dissimilarity(features):
    """1 - cosine of every pair, float32 like torch's create_logits (normalise, then one GEMM)."""
    f = np.ascontiguousarray(features, dtype=np.float32)
    fn = f / np.linalg.norm(f, axis=1, keepdims=True)
    return (np.float32(1) - fn @ fn.T).astype(np.float32)


def box_filter(x, axis, spread):
    """out[i] = sum of x[i - d] for d in 0..spread-1 (valid indices), along `axis`; length + spread - 1."""
    if spread == 1:
        return x
    shape = list(x.shape)
    n = shape[axis]
    shape[axis] = n + spread - 1
    out = np.zeros(shape, x.dtype)
    for d in range(spread):
        sl = [slice(None)] * x.ndim
        sl[axis] = slice(d, d + n)
        out[tuple(sl)] += x
    return out


def consistency_volume(g, sim):
    rows, cols, s = g["rows"], g["cols"], g["spread"]
    x = sim.reshape(rows, cols, rows, cols).astype(np.float64)
    for axis in range(4):
        x = box_filter(x, axis, s)
    responses = x.astype(np.float32)
    nr, nc = cover_counts(rows, s), cover_counts(cols, s)
    votes = np.einsum("i,j,k,l->ijkl", nr, nc, nr, nc)
    counts = vote_count_table(int(votes.max()))[votes]
    return responses / counts


def consistency_volume_loop(g, sim):
    """The official accumulation, literally (float32, pairs in np.mgrid order). Small inputs only."""
    rows, cols, s = g["rows"], g["cols"], g["spread"]
    shape = (g["cellRows"], g["cellCols"], g["cellRows"], g["cellCols"])
    responses = np.zeros(shape, np.float32)
    votes = np.zeros(shape, np.float32) + np.float32(1e-4)
    one = np.float32(1)
    for ar in range(rows):
        for ac in range(cols):
            for br in range(rows):
                for bc in range(cols):
                    v = sim[ar * cols + ac, br * cols + bc]
                    box = (slice(ar, ar + s), slice(ac, ac + s), slice(br, br + s), slice(bc, bc + s))
                    responses[box] += v
                    votes[box] += one
    return responses / votes


# ---------------------------------------------------------------------------------------------
# mean shift


def _sq_dist_gram(q, o, o_sq):
    """Squared distances of the rows of q to the rows of o through one float64 GEMM."""
    q64 = q.astype(np.float64)
    d2 = np.einsum("ij,ij->i", q64, q64)[:, None] + o_sq[None, :] - 2.0 * (q64 @ o.T)
    return np.maximum(d2, 0.0, out=d2)


def _gram_error_bound(points):
    """A bound on |GEMM squared distance - any direct float64 sum of (x - y)^2| (scipy's cdist,
    cKDTree's own distances and rectangle bounds). Both are within n eps (|x|^2 + |y|^2) * 2 of
    the exact value (Cauchy-Schwarz bounds the dot product's terms); 4x that for margin."""
    n = points.shape[1]
    norm2 = float(np.max(np.einsum("ij,ij->i", points.astype(np.float64), points.astype(np.float64))))
    return 4.0 * 4.0 * n * np.finfo(np.float64).eps * 2.0 * norm2 + 1e-300


def percentile_of_distances(points, q, err):
    """np.percentile(cdist(points, points), q), the same float, without the O(n^2 d) direct cdist:
    GEMM squared distances pick the few pairs that can be the two order statistics np.percentile
    interpolates between (within 2 err of them), only those get scipy's cdist, and np.percentile
    itself interpolates between the two exact values (it looks at nothing else)."""
    n = points.shape[0]
    total = n * n
    pos = (total - 1) * (q / 100.0)
    k = int(np.floor(pos))
    k1 = min(k + 1, total - 1)
    p64 = points.astype(np.float64)
    sq = np.einsum("ij,ij->i", p64, p64)
    d2 = _sq_dist_gram(points, p64, sq).ravel()
    part = np.partition(d2, [k, k1])
    lo, hi = part[k] - 2 * err, part[k1] + 2 * err
    below = int(np.count_nonzero(d2 < lo))
    cand = np.nonzero((d2 >= lo) & (d2 <= hi))[0]
    rows, cols = np.divmod(cand, n)
    exact = np.empty(len(cand))
    for r in np.unique(rows):
        m = rows == r
        exact[m] = scipy.spatial.distance.cdist(points[r:r + 1], points[cols[m]], metric="euclidean")[0]
    exact.sort()
    xk, xk1 = exact[k - below], exact[k1 - below]
    stand_in = np.full(total, xk1)
    stand_in[:k + 1] = xk
    return np.percentile(stand_in, q)


def mean_shift(points_in, cell_shape, window=MS_WINDOW, iters=MS_ITER):
    """The official mean_shift, same float32 results (see the module docstring)."""
    points = np.array(points_in, dtype=np.float32, copy=True)
    n = points.shape[0]
    tree = scipy.spatial.cKDTree(points)
    err = _gram_error_bound(points)
    radius = percentile_of_distances(points, window, err)
    r2 = radius * radius
    # A ball query returns the points inside it in the tree's storage order (tree.indices):
    # columns are kept in that order so a row's hits come out as the official query lists them.
    order = tree.indices
    orig = points[order].astype(np.float64)
    orig_sq = np.einsum("ij,ij->i", orig, orig)

    def balls(q):
        d2 = _sq_dist_gram(q, orig, orig_sq)
        inside = d2 <= r2
        unsure = np.nonzero(np.any(np.abs(d2 - r2) <= err, axis=1))[0]
        return inside, set(unsure.tolist())

    for _ in range(iters):
        inside, unsure = balls(points)
        for i in range(n):
            if i in unsure:  # too close to the radius to trust the GEMM: ask the tree, as the official does
                inds = tree.query_ball_point(points[i], r=radius)
            else:
                inds = order[inside[i]]
            points[i] = np.mean(points[inds], axis=0)
    inside, unsure = balls(points)
    counts = np.count_nonzero(inside, axis=1)
    for i in unsure:
        counts[i] = tree.count_neighbors(scipy.spatial.cKDTree(points[i:i + 1]), r=radius)
    best = np.nonzero(counts == np.max(counts))[0]
    return np.mean(points[best], axis=0).reshape(cell_shape), float(radius), len(unsure)


def mean_shift_loop(points_in, cell_shape, window=MS_WINDOW, iters=MS_ITER):
    """The official mean_shift, step by step (one query and one tree per point)."""
    points = np.copy(points_in)
    tree = scipy.spatial.cKDTree(points)
    radius = np.percentile(scipy.spatial.distance.cdist(points, points, metric="euclidean"), window)
    for _ in range(iters):
        for i in range(points.shape[0]):
            inds = tree.query_ball_point(points[i], r=radius)
            points[i] = np.mean(points[inds], axis=0)
    counts = [tree.count_neighbors(scipy.spatial.cKDTree(np.array([p])), r=radius) for p in points]
    best = np.nonzero(counts == np.max(counts))[0]
    return np.mean(points[best], axis=0).reshape(cell_shape), float(radius), 0


# ---------------------------------------------------------------------------------------------
# normalized cuts, PCA


def normalized_cut(volume2d, cell_shape, random_state=0):
    affinity = np.float32(1) - volume2d
    sc = sklearn.cluster.SpectralClustering(n_clusters=2, affinity="precomputed", random_state=random_state)
    return sc.fit_predict(affinity).reshape(cell_shape)


def pca_map(g, features, random_state=0):
    proj = PCA(n_components=3, whiten=True, random_state=random_state).fit_transform(
        np.ascontiguousarray(features, dtype=np.float32))
    rows, cols, s = g["rows"], g["cols"], g["spread"]
    f = proj.reshape(rows, cols, 3).astype(np.float32, copy=False)
    responses = np.zeros((g["cellRows"], g["cellCols"], 3), np.float32)
    # Cell (i, j) receives patch (i - di, j - dj); the official loop visits patches in raster order,
    # i.e. di descending, then dj descending: the same float32 additions in the same order.
    for di in range(s - 1, -1, -1):
        for dj in range(s - 1, -1, -1):
            responses[di:di + rows, dj:dj + cols] += f
    votes = np.outer(cover_counts(rows, s), cover_counts(cols, s))
    counts = vote_count_table(int(votes.max()))[votes][:, :, None]
    return responses / counts, proj


def pca_map_loop(g, proj):
    rows, cols, s = g["rows"], g["cols"], g["spread"]
    responses = np.zeros((g["cellRows"], g["cellCols"], 3), np.float32)
    votes = np.zeros((g["cellRows"], g["cellCols"], 3), np.float32) + np.float32(1e-4)
    for r in range(rows):
        for c in range(cols):
            responses[r:r + s, c:c + s, :] += proj[r * cols + c].astype(np.float32)
            votes[r:r + s, c:c + s, :] += np.float32(1)
    return responses / votes


def stretch(m):
    """predict()'s PCA stretch, on the cell map (before resizing)."""
    p1, p3 = np.percentile(m, 0.5), np.percentile(m, 99.5)
    m = (m - p1) / (p3 - p1) * 255
    m[m < 0] = 0
    m[m > 255] = 255
    return m


# ---------------------------------------------------------------------------------------------
# cv2.resize(src, (W, H), interpolation=INTER_LINEAR) for a float32 2-D map


def linear_taps(src, dst):
    """cv2's INTER_LINEAR source taps along one axis (half-pixel centres, clamped edges):
    scale = src / dst; f = float32((d + 0.5) * scale - 0.5); i0 = floor(f); w = f - i0;
    if i0 < 0: i0, w = 0, 0; if i0 >= src - 1: i0, w = src - 1, 0; i1 = min(i0 + 1, src - 1);
    value = s[i0] * (1 - w) + s[i1] * w, with float32 weights."""
    scale = src / dst
    f = ((np.arange(dst, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    i0 = np.floor(f).astype(np.int64)
    w = (f - i0.astype(np.float32)).astype(np.float32)
    low = i0 < 0
    i0[low], w[low] = 0, 0
    high = i0 >= src - 1
    i0[high], w[high] = src - 1, 0
    i1 = np.minimum(i0 + 1, src - 1)
    return i0, i1, (np.float32(1) - w).astype(np.float32), w


def resize_linear(m, width, height):
    """Horizontal pass, then the vertical one as a float32 GEMM with the (height, rows) matrix of
    the two vertical weights per output row (the other terms are exact zeros). Float32 throughout;
    a GEMM may fuse the multiply-add, as cv2's SIMD code may: within an ulp of the two-product
    formula (resize_linear_ref)."""
    m = np.asarray(m, dtype=np.float32)
    x0, x1, ax0, ax1 = linear_taps(m.shape[1], width)
    y0, y1, by0, by1 = linear_taps(m.shape[0], height)
    h = m[:, x0] * ax0
    h += m[:, x1] * ax1
    wy = np.zeros((height, m.shape[0]), np.float32)
    rows = np.arange(height)
    wy[rows, y0] += by0
    wy[rows, y1] += by1  # y1 == y0 only where by1 == 0
    return wy @ h


def resize_linear_ref(m, width, height):
    """The same resize, elementwise (the formula of linear_taps on both axes)."""
    m = np.asarray(m, dtype=np.float32)
    x0, x1, ax0, ax1 = linear_taps(m.shape[1], width)
    y0, y1, by0, by1 = linear_taps(m.shape[0], height)
    h = m[:, x0] * ax0 + m[:, x1] * ax1
    return h[y0] * by0[:, None] + h[y1] * by1[:, None]


# ---------------------------------------------------------------------------------------------


def localize(inp, *, volume_out=False, full=False, check_loop=False, random_state=0, literal_meanshift=False):
    g = patch_grid(int(inp["width"]), int(inp["height"]), int(inp["patch"]), int(inp.get("perSide", 30)))
    dim = int(inp["dim"])
    n = g["rows"] * g["cols"]
    features = np.asarray(inp["features"], dtype=np.float32)
    if features.size != n * dim:
        raise ValueError(f"features hold {features.size} values, the {g['rows']}x{g['cols']} grid with dim {dim} needs {n * dim}")
    features = features.reshape(n, dim)
    cell_shape = (g["cellRows"], g["cellCols"])
    cells = cell_shape[0] * cell_shape[1]
    t = {}

    t0 = time.perf_counter()
    sim = dissimilarity(features)
    volume = consistency_volume(g, sim)
    t["volume"] = (time.perf_counter() - t0) * 1e3

    points = volume.reshape(cells, cells)
    t0 = time.perf_counter()
    ms, radius, _ = (mean_shift_loop if literal_meanshift else mean_shift)(points, cell_shape)
    t["meanshift"] = (time.perf_counter() - t0) * 1e3

    errors = {}
    t0 = time.perf_counter()
    try:
        ncuts = normalized_cut(points, cell_shape, random_state)
    except Exception as e:  # noqa: BLE001 -- the official predict() would raise it
        ncuts, errors["ncuts"] = None, f"SpectralClustering failed: {e}"
    t["ncuts"] = (time.perf_counter() - t0) * 1e3

    t0 = time.perf_counter()
    pmap, proj = pca_map(g, features, random_state)
    pca = stretch(pmap)
    t["pca"] = (time.perf_counter() - t0) * 1e3

    t0 = time.perf_counter()
    W, H = g["width"], g["height"]
    full_ms = resize_linear(ms, W, H)
    full_ncuts = None if ncuts is None else resize_linear(ncuts.astype(np.float32), W, H)
    full_pca = np.stack([resize_linear(pca[:, :, c], W, H) for c in range(3)], axis=-1)
    t["upsample"] = (time.perf_counter() - t0) * 1e3

    out = {
        "grid": g,
        "score": float(volume.mean()),
        "radius": radius,
        "volume_mean_rows": points.mean(axis=1, dtype=np.float64).tolist(),
        "ms": ms.ravel().tolist(),
        "ncuts": None if ncuts is None else [int(v) for v in ncuts.ravel()],
        "pca": pca.ravel().tolist(),
        "timings_ms": t,
    }
    if errors:
        out["errors"] = errors
    if volume_out:
        out["volume"] = points.ravel().tolist()
    if full:
        out["full"] = {"ms": full_ms.ravel().tolist(), "ncuts": None if full_ncuts is None else full_ncuts.ravel().tolist(), "pca": full_pca.ravel().tolist()}
    if check_loop:
        out["check"] = check_against_loops(g, sim, volume, ms, radius, proj, pmap, cell_shape)
    return out


def check_against_loops(g, sim, volume, ms, radius, proj, pmap, cell_shape):
    pairs = (g["rows"] * g["cols"]) ** 2
    if pairs > 250_000:
        raise ValueError(f"--check-loop runs the literal loop over {pairs} patch pairs: use a smaller input (<= 250000 pairs)")
    cells = cell_shape[0] * cell_shape[1]
    vol_loop = consistency_volume_loop(g, sim)
    vol_err = float(np.max(np.abs(vol_loop - volume)))
    # The loop's own float32 rounding: its sums of up to spread^4 terms are off by up to
    # votes * eps32 / 2 of their size; ours are rounded once. 1e-6 unless that bound is larger.
    votes = g["spread"] ** 4
    tol = max(1e-6, 0.5 * float(np.finfo(np.float32).eps) * votes * float(np.max(np.abs(volume))))
    assert vol_err <= tol, f"vectorised volume is {vol_err} off the literal loop (tolerance {tol})"
    ms_loop, radius_loop, _ = mean_shift_loop(volume.reshape(cells, cells), cell_shape)
    assert radius_loop == radius, (radius_loop, radius)
    assert np.array_equal(ms_loop, ms), f"mean shift differs from the literal one by {np.max(np.abs(ms_loop - ms))}"
    # And on the loop's own volume (what the official code would run mean shift on).
    ms_on_loop_volume, _, _ = mean_shift(vol_loop.reshape(cells, cells), cell_shape)
    ms_off = float(np.max(np.abs(ms_on_loop_volume - ms)))
    pca_loop = pca_map_loop(g, proj)
    assert np.array_equal(pca_loop, pmap), "PCA voting differs from the literal loop"
    return {"pairs": pairs, "volume_max_abs": vol_err, "volume_tolerance": tol, "meanshift_equal": True, "pca_equal": True,
            "meanshift_on_loop_volume_max_abs": ms_off}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("--out", help="output JSON (default: stdout)")
    ap.add_argument("--volume", action="store_true", help="also write the full (cells x cells) volume")
    ap.add_argument("--full", action="store_true", help="also write the maps resized to the image (cv2 INTER_LINEAR)")
    ap.add_argument("--time", action="store_true", help="print the phase timings as a table (stderr)")
    ap.add_argument("--check-loop", action="store_true", help="run the literal official loops too (small inputs) and assert equality")
    ap.add_argument("--random-state", type=int, default=0, help="SpectralClustering / PCA random_state (the official passes none)")
    ap.add_argument("--literal-meanshift", action="store_true", help="run the official mean_shift step by step (slow: one cKDTree query per point and sweep) instead of the batched one")
    args = ap.parse_args()
    with open(args.input) as f:
        inp = json.load(f)
    out = localize(inp, volume_out=args.volume, full=args.full, check_loop=args.check_loop,
                   random_state=args.random_state, literal_meanshift=args.literal_meanshift)
    text = json.dumps(out)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text + "\n")
    if args.time:
        g = out["grid"]
        print(f"grid {g['rows']}x{g['cols']} patches, {g['cellRows']}x{g['cellCols']} cells, spread {g['spread']}", file=sys.stderr)
        print(f"{'phase':<10} {'ms':>10}", file=sys.stderr)
        for k, v in out["timings_ms"].items():
            print(f"{k:<10} {v:>10.1f}", file=sys.stderr)
        print(f"{'total':<10} {sum(out['timings_ms'].values()):>10.1f}", file=sys.stderr)
    if args.check_loop:
        print("check-loop: " + json.dumps(out["check"]), file=sys.stderr)


if __name__ == "__main__":
    main()
