#!/usr/bin/env bash
# Install everything geoinv needs on a fresh Debian/Ubuntu machine:
#   - Jupyter's notebook executor (Debian: jupyter-nbconvert, jupyter-client, python3-ipykernel),
#     only when no Python with nbclient + nbconvert is found;
#   - Redis (Debian's redis-server), only when redis-server is not on PATH: the survey job queue
#     (docs/SURVEY.md) and its test; the package's service is not needed (.ci/run starts its own);
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

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis from Debian: redis-server" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "need root (or sudo) to apt-get install redis-server; without it the survey queue test is skipped" >&2
    SUDO="skip"
  fi
  if [ "$SUDO" != "skip" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  fi
fi

# npm ci: the exact versions of package-lock.json. @tensorflow/tfjs-node is optional and is
# skipped when its install script cannot download libtensorflow (it cannot here).
npm ci --no-audit --no-fund
