#!/usr/bin/env bash
# Install everything geoinv needs on a fresh Debian/Ubuntu machine:
#   - Jupyter's notebook executor (Debian: jupyter-nbconvert, jupyter-client, python3-ipykernel),
#     only when no Python with nbclient + nbconvert is found;
#   - the npm packages, exactly as pinned in package-lock.json (npm ci).
# Nothing is downloaded from outside the npm registry and Debian's archive.
set -euo pipefail
cd "$(dirname "$0")/.."

have_jupyter() {
  for py in "${GEOINV_PYTHON:-}" /usr/bin/python3 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 && "$py" -c "import nbclient, nbconvert, nbformat" >/dev/null 2>&1; then return 0; fi
  done
  return 1
}

if ! have_jupyter; then
  pkgs="jupyter-nbconvert jupyter-client python3-ipykernel"
  echo "installing Jupyter's notebook executor from Debian: $pkgs" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "need root (or sudo) to apt-get install $pkgs; or pip install nbconvert nbclient ipykernel and set GEOINV_PYTHON" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

# npm ci: the exact versions of package-lock.json. @tensorflow/tfjs-node is optional and is
# skipped when its install script cannot download libtensorflow (it cannot here).
npm ci --no-audit --no-fund
