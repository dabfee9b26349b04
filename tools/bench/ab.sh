#!/usr/bin/env bash
# A/B timing of one benchmark in two checkouts, rounds alternating (A B, B A, A B, ...) so that a
# noisy machine hits both alike; prints every run's figure, the medians and the ratio B / A.
# usage: tools/bench/ab.sh --a DIR_A --b DIR_B [--runs 5] [--field median_s | --regex RE] -- COMMAND...
#   COMMAND runs in each checkout (bash -c). The figure is FIELD of its last JSON line
#   (reference-step.ts prints median_s), or the first group of RE in its last matching line
#   (features-bench.ts: --regex '([0-9.]+) audio-s/s').
# example (the reference step, this checkout against the commit before a change):
#   git worktree add /tmp/base <rev> && (cd /tmp/base && npm install)
#   tools/bench/ab.sh --a /tmp/base --b . --runs 5 -- npx tsx tools/bench/reference-step.ts --backend tfjs-node
set -euo pipefail
a=""; b=""; runs=5; field="median_s"; regex=""
while [ $# -gt 0 ]; do
  case "$1" in
    --a) a="$2"; shift 2 ;;
    --b) b="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --field) field="$2"; shift 2 ;;
    --regex) regex="$2"; field="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "ab.sh: unknown option $1 (usage: --a DIR --b DIR [--runs N] [--field NAME] -- COMMAND...)" >&2; exit 2 ;;
  esac
done
if [ -z "$a" ] || [ -z "$b" ] || [ $# -eq 0 ]; then
  echo "ab.sh: give --a DIR, --b DIR and a command after --" >&2; exit 2
fi
cmd="$*"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
figure() { # DIR -> the figure of the command's output run in DIR
  (cd "$1" && bash -c "$cmd" 2>/dev/null) | FIELD="$field" REGEX="$regex" CMD="$cmd" node -e "
    let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => {
      const lines = s.trim().split('\\n');
      let v;
      if (process.env.REGEX) {
        const re = new RegExp(process.env.REGEX);
        const hit = lines.filter((l) => re.test(l)).pop();
        v = hit === undefined ? undefined : Number(re.exec(hit)[1]);
      } else {
        const json = lines.filter((l) => l.startsWith('{')).pop();
        v = json === undefined ? undefined : JSON.parse(json)[process.env.FIELD];
      }
      if (typeof v !== 'number' || Number.isNaN(v)) { console.error('ab.sh: no figure ' + process.env.FIELD + ' in the output of: ' + process.env.CMD); process.exit(1); }
      console.log(v);
    });"
}
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then order="a b"; else order="b a"; fi
  for side in $order; do
    dir=$([ "$side" = a ] && echo "$a" || echo "$b")
    v=$(figure "$dir")
    echo "$v" >> "$out/$side"
    echo "round $i $side: $field $v (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
FIELD="$field" node -e "
  const fs = require('fs');
  const med = (f) => { const x = fs.readFileSync(f, 'utf8').trim().split('\n').map(Number).sort((p, q) => p - q); const m = x.length >> 1; return x.length % 2 ? x[m] : (x[m - 1] + x[m]) / 2; };
  const A = med('$out/a'), B = med('$out/b');
  console.log(JSON.stringify({ figure: process.env.FIELD, runs: $runs, medianA: A, medianB: B, ratioBoverA: +(B / A).toFixed(3) }));
"
