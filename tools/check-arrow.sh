#!/usr/bin/env bash
# Checks every Arrow file of a result store with pyarrow and DuckDB (tools/check-arrow.py).
# Usage: tools/check-arrow.sh RESULTS_DIR [--expect-cells N]
# Makes tools/.venv (pyarrow, duckdb, pandas from pip's configured index) the first time;
# later runs reuse it. Python is a checking tool here, never a dependency of the product.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
py="$venv/bin/python"
if ! "$py" -c 'import pyarrow, duckdb, pandas' >/dev/null 2>&1; then
  # one installer at a time: parallel test runs share the venv
  exec 9>"$here/.venv.lock"
  flock 9
  if ! "$py" -c 'import pyarrow, duckdb, pandas' >/dev/null 2>&1; then
    echo "check-arrow: creating $venv (pyarrow, duckdb, pandas)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 0 --timeout 10 pyarrow duckdb pandas >&2
  fi
  flock -u 9
fi
exec "$py" "$here/check-arrow.py" "$@"
