#!/usr/bin/env bash
# The two entry points of the README:
#   bash scripts/run.sh demo   # the main job
#   bash scripts/run.sh test   # type-check + every test
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
case "${1:-}" in
  demo) shift; pnpm run demo "$@" ;;
  test) shift; pnpm test "$@" ;;
  *) echo "usage: bash scripts/run.sh demo|test" >&2; exit 2 ;;
esac
