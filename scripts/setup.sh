#!/usr/bin/env bash
# Installs what exif-lang needs on a Debian 12 machine with Node 20 (idempotent, run as root
# for the apt part): pnpm (pinned), the npm dependencies, Mesa lavapipe (CPU Vulkan, from
# bookworm-backports) when Dawn finds no WebGPU adapter, and Debian's chromium (the web page's
# browser test drives it headless; never a downloaded browser) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node >= 20 is required (found $(node --version))" >&2
  exit 1
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install --frozen-lockfile --reporter=silent || pnpm install --frozen-lockfile
fi

# Does Dawn see an adapter? (Debian 12's own Mesa 22.3 lavapipe is rejected by Dawn.)
if ! node scripts/has-adapter.mjs >/dev/null 2>&1; then
  echo "setup: no WebGPU adapter; installing Mesa lavapipe from bookworm-backports"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root for apt-get (run as root, or install mesa-vulkan-drivers from bookworm-backports)" >&2
    exit 1
  fi
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  node scripts/has-adapter.mjs
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium (for apps/web's browser test)"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root for apt-get (run as root, or apt-get install chromium)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
