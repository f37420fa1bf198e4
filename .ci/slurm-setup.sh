#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the sweep's Slurm test: Debian's slurm-wlm and munge,
# munged + slurmctld + slurmd on localhost, one partition "debug" with the machine's CPUs. Idempotent: installs
# what is missing, rewrites the config, (re)starts the daemons and waits until the node is idle.
# Needs root (or passwordless sudo) and apt-get.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
fi
HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM_MB="$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)"

# munge: a key, then the daemon (as root: this is a throwaway single-node test cluster).
$SUDO mkdir -p /etc/munge /var/run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then $SUDO sh -c 'dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null'; fi
$SUDO chmod 400 /etc/munge/munge.key
if ! munge -n >/dev/null 2>&1; then
  $SUDO pkill -x munged 2>/dev/null || true
  $SUDO munged --force
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null

CONF_DIR=/etc/slurm
$SUDO mkdir -p "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
$SUDO tee "$CONF_DIR/slurm.conf" >/dev/null <<EOF
ClusterName=strl-test
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/var/run/slurmctld.pid
SlurmdPidFile=/var/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=60
MaxArraySize=10001
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
# No cgroup.conf: slurmd detects the cgroup version itself (22.05 has no "disabled" plugin); the linuxproc
# process tracker and task/none keep the cluster working where cgroups are read-only (containers).
$SUDO rm -f "$CONF_DIR/cgroup.conf"

# (Re)start the daemons: this script owns the test cluster's slurmctld and slurmd (by their pid files).
for pidf in /var/run/slurmd.pid /var/run/slurmctld.pid; do
  if [ -s "$pidf" ]; then $SUDO kill "$(cat "$pidf")" 2>/dev/null || true; fi
done
sleep 1
$SUDO slurmctld -i
$SUDO slurmd
for _ in $(seq 100); do
  state="$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)"
  if [ "$state" = "idle" ]; then break; fi
  if [ "$state" = "down" ] || [ "$state" = "drain" ]; then $SUDO scontrol update nodename="$HOST" state=resume 2>/dev/null || true; fi
  sleep 0.2
done
sinfo -h -N -o '%N %t %c' | grep -q idle || { echo "slurm-setup: the node did not become idle:" >&2; sinfo -N >&2; tail -20 /var/log/slurm/slurmd.log /var/log/slurm/slurmctld.log >&2; exit 1; }
echo "slurm-setup: partition debug on $HOST, $CPUS CPUs, idle"
