#!/usr/bin/env bash
# Kernel launcher for geoinv's notebooks. tslab imports .ts files only from under the kernel's
# working directory, and Jupyter starts kernels in the notebook's folder (notebooks/), so the
# kernel must run at the repository root for `import ... from "./src/..."` to work.
# GEOINV_ROOT (set by `npm run kernel:install`) wins; else the root is found from this file's
# place in the repository (kernel/kernels/geoinv-tslab/launch.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${GEOINV_ROOT:-$(cd "$here/../../.." && pwd)}"
if [ ! -x "$root/node_modules/.bin/tslab" ] && [ ! -f "$root/node_modules/tslab/bin/tslab" ]; then
  echo "geoinv kernel: tslab not found under $root/node_modules; run 'npm install' in $root" >&2
  exit 1
fi
cd "$root"
# tsx's CommonJS hook lets Node load the library's .ts modules (including folder imports such as
# "./src/em", which tslab's own loader cannot resolve); tslab still type-checks every cell.
exec node --require "$root/node_modules/tsx/dist/cjs/index.cjs" "$root/node_modules/tslab/bin/tslab" kernel --config-path "$1"
