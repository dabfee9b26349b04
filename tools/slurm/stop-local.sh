#!/usr/bin/env bash
# Stops the daemons started by start-local.sh (by their pid files).
state=${1:-/tmp/ser-slurm}
for d in slurmd slurmctld; do
  if [ -f "$state/$d.pid" ]; then kill "$(cat "$state/$d.pid")" 2>/dev/null || true; fi
done
for _ in $(seq 50); do
  pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || exit 0
  sleep 0.1
done
exit 0
