#!/usr/bin/env bash
# Times the reference train step (shared/bench/README.md) in PyTorch and in TensorFlow.js side by
# side: N processes of each, alternating, so load on a shared machine hits both alike; prints each
# run's JSON line, the medians and the ratios tfjs / torch.
# usage: tools/bench/compare-torch.sh [--backends "tfjs-node wasm"] [--runs 3] [--mel 128 --T 300 --B 32] [--threads 2]
# env: SER_TORCH_SCRIPT (default ../shared/bench/torch_reference.py beside the checkout);
#      SER_TORCH_VENV (default /tmp/ser-torch-venv) is created with `python3 -m venv` and
#      `pip install torch==2.13.0` when it has no torch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
backends="tfjs-node wasm"; runs=3; mel=128; T=300; B=32; threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --backends) backends="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --mel) mel="$2"; shift 2 ;;
    --T) T="$2"; shift 2 ;;
    --B) B="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
venv="${SER_TORCH_VENV:-/tmp/ser-torch-venv}"
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  echo "[compare] making $venv with torch 2.13.0 (pip's configured index)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q torch==2.13.0 >&2
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for i in $(seq 1 "$runs"); do
  "$venv/bin/python" "${SER_TORCH_SCRIPT:-$root/../shared/bench/torch_reference.py}" --mel "$mel" --T "$T" --B "$B" --threads "$threads" 2>/dev/null | tail -1 | tee -a "$out/torch.jsonl"
  for b in $backends; do
    (cd "$root" && npx tsx tools/bench/reference-step.ts --backend "$b" --mel "$mel" --T "$T" --B "$B" --threads "$threads" 2>/dev/null) | tail -1 | tee -a "$out/$b.jsonl"
  done
done
node - "$out" $backends <<'JS'
const fs = require('fs'); const path = require('path');
const [dir, ...backends] = process.argv.slice(2);
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const read = (n) => fs.readFileSync(path.join(dir, `${n}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l).median_s);
const torch = median(read('torch'));
console.log(`torch      median of ${read('torch').length} process medians: ${torch.toFixed(3)} s`);
for (const b of backends) {
  const m = median(read(b));
  console.log(`${b.padEnd(10)} median of ${read(b).length} process medians: ${m.toFixed(3)} s  ratio to torch ${(m / torch).toFixed(2)}`);
}
JS
