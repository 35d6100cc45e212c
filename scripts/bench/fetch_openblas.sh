#!/bin/sh
# Debian's python3-torch links libblas.so.3, which is the (very slow) reference BLAS unless
# an optimized one is installed. This unpacks OpenBLAS into .cache/openblas (git-ignored)
# without installing it; `exiflang bench-step` then runs the PyTorch peer with it
# (LD_LIBRARY_PATH for that process only), as the calibration figures in DESIGN.md assume.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dest="$root/.cache/openblas"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download libopenblas0-pthread >/dev/null 2>&1)
mkdir -p "$dest"
dpkg -x "$tmp"/libopenblas0-pthread_*.deb "$dest"
dirname "$(find "$dest" -path '*openblas-pthread/libblas.so.3' | head -n 1)"
