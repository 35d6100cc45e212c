#!/usr/bin/env python3
"""numpy (OpenBLAS) float32 matmul GFLOP/s on this CPU, for the same square sizes as the
matmul cases of `pnpm bench`, so the fraction of BLAS speed that the WebGPU kernels reach on
lavapipe can be reported.

Run with any python that has numpy: /usr/bin/python3 if Debian's python3-numpy is installed,
else e.g. `python3 scripts/bench/numpy_matmul.py`. Options: --sizes 256,512,1024 --reps 5
--threads N (sets OPENBLAS/OMP threads before numpy loads; default: BLAS's own choice)
--json FILE.
"""
import argparse
import json
import os
import statistics
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="256,512,1024")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    try:
        import numpy as np
    except ImportError:
        print(f"numpy is not installed for {sys.executable}; try another python3 or "
              "`apt-get install -y python3-numpy`", file=sys.stderr)
        return 1

    blas = "unknown BLAS"
    try:
        cfg = np.show_config(mode="dicts")  # numpy >= 1.25
        info = cfg.get("Build Dependencies", {}).get("blas", {})
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        pass

    rng = np.random.default_rng(0)
    rows = []
    print(f"numpy {np.__version__} ({blas}), {os.cpu_count()} CPUs, float32, "
          f"median of {args.reps} after 2 warm-up")
    print(f"{'shape':>16}  {'ms':>8}  {'GFLOP/s':>8}  {'cpu ms':>8}  {'GFLOP/cpu-s':>10}")
    for n in (int(s) for s in args.sizes.split(",")):
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = np.empty((n, n), dtype=np.float32)
        for _ in range(2):
            np.matmul(a, b, out=c)
        times, cpu = [], []
        for _ in range(args.reps):
            t0, c0 = time.perf_counter(), time.process_time()
            np.matmul(a, b, out=c)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        ms = statistics.median(times) * 1e3
        cpu_ms = statistics.median(cpu) * 1e3
        gflops = 2 * n ** 3 / (ms * 1e6)
        # Work per CPU-second (all BLAS threads), less sensitive to other load on a shared box.
        gflops_cpu = 2 * n ** 3 / (cpu_ms * 1e6)
        rows.append({"shape": f"{n}x{n}x{n}", "ms": ms, "gflops": gflops, "cpu_ms": cpu_ms,
                     "gflops_per_cpu_s": gflops_cpu})
        print(f"{rows[-1]['shape']:>16}  {ms:8.2f}  {gflops:8.1f}  {cpu_ms:8.2f}  {gflops_cpu:10.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"numpy": np.__version__, "blas": blas, "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
