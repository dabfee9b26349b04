#!/usr/bin/env bash
# Starts a one-machine Slurm (slurmctld + slurmd on localhost, munge for auth) for the cluster
# tests. Installs Debian's slurm-wlm and munge first when they are missing (needs root).
# Usage: tools/slurm/start-local.sh [STATE_DIR]   (default /tmp/ser-slurm)
# Prints the state dir; tools/slurm/stop-local.sh STATE_DIR stops the daemons.
set -euo pipefail
state=${1:-/tmp/ser-slurm}
host=$(hostname -s)

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "[slurm] installing slurm-wlm and munge (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq slurm-wlm munge >&2
fi

# munge: a key, its folders owned by the munge user, the daemon started as that user.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /etc/munge /run/munge /var/log/munge /var/lib/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
  chmod 400 /etc/munge/munge.key
  chmod 755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null || { echo "[slurm] munge does not work" >&2; exit 1; }

mkdir -p "$state"/{spool,state,log}
# Already running (ours, or one started with another state dir): use it as it is.
if pgrep -x slurmctld >/dev/null && pgrep -x slurmd >/dev/null && sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
  echo "$state"; exit 0
fi
mkdir -p /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=ser-local
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
SlurmdUser=root
ReturnToService=2
StateSaveLocation=$state/state
SlurmdSpoolDir=$state/spool
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
MpiDefault=none
SchedulerType=sched/backfill
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld
slurmd
for _ in $(seq 100); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then echo "$state"; exit 0; fi
  sleep 0.2
done
echo "[slurm] the node did not come up; see $state/log" >&2
sinfo >&2 || true
exit 1
