#!/usr/bin/env bash
# The recipe's accuracy benchmark (docs/recipe.md): runs experiments/emodb-recipe.yaml (EMO-DB
# 4 classes, leave-one-speaker-out, 10 folds x 3 seeds: softmax, center loss, the classic baseline
# model) and prints its UA/WA table with the paired tests and the wall time; then the SVM reference
# outside the framework (tools/baselines/emodb_svm.py, with and without speaker normalisation) when
# python3 has librosa and scikit-learn. A rerun resumes: finished cells are not trained again.
# usage: tools/bench/emodb-recipe.sh [EMODB_DIR (default ../shared/data/emodb)] [--workers N (default 2)] [--results DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
emodb=../shared/data/emodb; workers=2; results=results/emodb-recipe
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --results) results="$2"; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) emodb="$1"; shift ;;
  esac
done
start=$(date +%s)
status=0
npx ser run experiments/emodb-recipe.yaml "dataset.path=$emodb" "output.dir=$results" --workers "$workers" --no-report || status=$?
echo "wall time: $(( $(date +%s) - start )) s on $(nproc) cores (cells stored by an earlier run are not counted)"
npx ser report "$results" --out "$results/report.html"
if python3 -c 'import librosa, sklearn' 2>/dev/null; then
  echo "classic reference outside the framework (MFCC + F0 + energy statistics, RBF SVM):"
  python3 tools/baselines/emodb_svm.py "$emodb" | tail -1
  python3 tools/baselines/emodb_svm.py "$emodb" --speaker-norm | tail -1
fi
exit "$status"
