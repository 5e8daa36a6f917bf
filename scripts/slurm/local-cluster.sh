#!/usr/bin/env bash
# local-cluster.sh: a one-node SLURM cluster on this machine, for trying scripts/slurm/sweep.sbatch
# (and for scripts/slurm/test-requeue.sh) without a real cluster.
#
#   scripts/slurm/local-cluster.sh start DIR    write DIR/slurm.conf, start munged, slurmctld, slurmd
#   scripts/slurm/local-cluster.sh status DIR   the daemons, sinfo and squeue
#   scripts/slurm/local-cluster.sh stop DIR     stop the three daemons (DIR's files stay)
#   scripts/slurm/local-cluster.sh env DIR      print `export SLURM_CONF=…` (eval "$(… env DIR)")
#
# e.g. scripts/slurm/local-cluster.sh start /tmp/slurm
#      export SLURM_CONF=/tmp/slurm/slurm.conf
#      sbatch --export=ALL,SWEEP=sweeps/quickstart.yaml,RUN_DIR=runs/q scripts/slurm/sweep.sbatch
#      scripts/slurm/local-cluster.sh stop /tmp/slurm
#
# Everything lives under DIR: slurm.conf, the controller's state (state/), slurmd's spool
# (spool/), the daemons' logs (log/), their pid files (run/) and a private munged (munge/: its
# socket, pid, seed, log, and its key, a copy of /etc/munge/munge.key or, without one, a new key).
# Nothing under /etc, /run or /var is touched, and no systemd is needed: the daemons are started by
# hand. The cluster: this host's short name (`hostname -s`, addressed as 127.0.0.1) with its CPU
# count (`nproc`), one partition `debug`, proctrack/linuxproc and task/none (no cgroups, which
# slurmd in a container often cannot use), no accounting (no slurmdbd: `sacct` does not work, use
# `scontrol show job`), JobRequeue=1, and short timings for tests: requeued jobs may start again
# after 10 s (AuthInfo cred_expire, 120 s by default) and the scheduler looks at pending jobs
# every 5 s (sched_interval, bf_interval: 60 s and 30 s by default), KillWait 30 s. Ports 16817 (slurmctld) and
# 16818 (slurmd) unless HPSEARCH_SLURMCTLD_PORT / HPSEARCH_SLURMD_PORT say otherwise.
# Needs root (slurmd runs jobs as any user); installs slurm-wlm and munge with apt when missing.
set -euo pipefail

die() { echo "local-cluster.sh: $*" >&2; exit 1; }
usage() { sed -n '2,25p' "$0"; }
log() { echo "local-cluster.sh: $(date '+%F %T') $*"; }

cmd="${1:-}"
dir="${2:-}"
case "$cmd" in
  -h|--help|help) usage; exit 0 ;;
  start|stop|status|env) ;;
  *) usage >&2; exit 2 ;;
esac
[[ -n "$dir" ]] || die "$cmd needs a directory: $0 $cmd DIR"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/slurm.conf"
ctld_port="${HPSEARCH_SLURMCTLD_PORT:-16817}"
slurmd_port="${HPSEARCH_SLURMD_PORT:-16818}"
host="$(hostname -s)"
socket="$dir/munge/munge.socket"

# pid_of NAME: the pid in DIR/run/NAME.pid when that process is alive, else nothing.
pid_of() {
  local f="$dir/run/$1.pid" pid
  [[ -r "$f" ]] || return 0
  pid="$(head -n 1 "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
  return 0
}

# stop_daemon NAME: SIGTERM, up to 10 s for it to exit, then SIGKILL.
stop_daemon() {
  local pid; pid="$(pid_of "$1")"
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$1 (pid $pid) still running 10 s after SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/run/$1.pid"
  log "stopped $1 (pid $pid)"
}

show_log() { # the end of a daemon's log, for an error message
  [[ -r "$1" ]] && { echo "--- last lines of $1:" >&2; tail -n 15 "$1" >&2; }
  return 0
}

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null || missing+=(slurm-wlm)
  command -v munged >/dev/null || missing+=(munge)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "${missing[*]} not installed; as root: apt-get install slurm-wlm munge"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

write_conf() {
  local cpus; cpus="$(nproc)"
  cat > "$conf" <<CONF
# Written by scripts/slurm/local-cluster.sh: a one-node test cluster, everything under $dir.
ClusterName=hpslocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# socket: the private munged below; cred_expire: how long a requeued job waits before it may
# start again (default 120 s).
AuthInfo=socket=$socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: a container's slurmd often cannot use them.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
SchedulerType=sched/backfill
# Look at pending jobs every 5 s (defaults 60 s and 30 s): a requeued job waits for the next pass.
SchedulerParameters=sched_interval=5,bf_interval=5
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobRequeue=1
# Steps get SIGTERM, then SIGKILL KillWait s later; a job runs OverTimeLimit min past its limit.
KillWait=30
OverTimeLimit=0
MinJobAge=600
SlurmctldTimeout=60
SlurmdTimeout=60
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  # An empty cgroup.conf beside slurm.conf keeps slurmd from reading /etc/slurm/cgroup.conf.
  echo "# unused: ProctrackType=proctrack/linuxproc, TaskPlugin=task/none" > "$dir/cgroup.conf"
}

start_munged() {
  [[ -n "$(pid_of munged)" ]] && { log "munged already running (pid $(pid_of munged))"; return 0; }
  mkdir -p "$dir/munge"
  chmod 0711 "$dir/munge"   # munged wants execute permission for all on its socket's directory
  local key="$dir/munge/munge.key"
  if [[ ! -s "$key" ]]; then
    if [[ -r /etc/munge/munge.key ]]; then
      cp /etc/munge/munge.key "$key"
    else
      # No system key (munge not configured on this machine): one for this cluster only.
      dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    fi
  fi
  chown "$(id -u):$(id -g)" "$key"
  chmod 0400 "$key"
  rm -f "$socket" "$socket.lock"
  # The key is a root-owned copy: munged refuses a key file owned by another user (Debian's
  # /etc/munge/munge.key belongs to munge) when it runs as root. --force lets it start where an
  # ancestor of DIR is group- or world-writable without the sticky bit (it logs a warning).
  munged --force --socket="$socket" --key-file="$key" --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
    > "$dir/log/munged.out" 2>&1 || { cat "$dir/log/munged.out" >&2; show_log "$dir/log/munged.log"; die "munged did not start"; }
  for _ in $(seq 1 10); do
    [[ -S "$socket" ]] && munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1 && break
    sleep 1
  done
  munge -n -S "$socket" | unmunge -S "$socket" >/dev/null 2>&1 || { show_log "$dir/log/munged.log"; die "munged does not answer on $socket"; }
  log "munged running (pid $(pid_of munged)), socket $socket"
}

start() {
  [[ $(id -u) -eq 0 ]] || die "must run as root: slurmd starts jobs as their user and munged/slurmd need root here (sudo $0 start $dir)"
  install_packages
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  write_conf
  export SLURM_CONF="$conf"
  start_munged
  if [[ -z "$(pid_of slurmctld)" ]]; then
    slurmctld -f "$conf" > "$dir/log/slurmctld.out" 2>&1 || { cat "$dir/log/slurmctld.out" >&2; show_log "$dir/log/slurmctld.log"; die "slurmctld did not start"; }
  fi
  local ok=""
  for _ in $(seq 1 30); do
    if [[ -n "$(pid_of slurmctld)" ]] && scontrol ping 2>/dev/null | grep -q "is UP"; then ok=1; break; fi
    sleep 1
  done
  [[ -n "$ok" ]] || { show_log "$dir/log/slurmctld.log"; die "slurmctld not answering after 30 s"; }
  log "slurmctld running (pid $(pid_of slurmctld)), port $ctld_port"
  if [[ -z "$(pid_of slurmd)" ]]; then
    slurmd -f "$conf" > "$dir/log/slurmd.out" 2>&1 || { cat "$dir/log/slurmd.out" >&2; show_log "$dir/log/slurmd.log"; die "slurmd did not start"; }
  fi
  ok=""
  for _ in $(seq 1 30); do
    state="$(sinfo -h -n "$host" -o '%t' 2>/dev/null | head -n 1 || true)"
    if [[ "$state" == idle* || "$state" == mix* || "$state" == alloc* ]]; then ok=1; break; fi
    sleep 1
  done
  [[ -n "$ok" ]] || { sinfo -N -l >&2 || true; show_log "$dir/log/slurmd.log"; show_log "$dir/log/slurmctld.log"; die "node $host not idle after 30 s (state: ${state:-unknown})"; }
  log "slurmd running (pid $(pid_of slurmd)), node $host idle with $(nproc) CPUs"
  echo "export SLURM_CONF=$conf"
}

stop() {
  # slurmd first: it stops the job steps still running (SIGTERM to their processes).
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
  rm -f "$socket" "$socket.lock"
}

status() {
  local rc=0 name pid
  for name in munged slurmctld slurmd; do
    pid="$(pid_of "$name")"
    if [[ -n "$pid" ]]; then echo "$name: running (pid $pid)"; else echo "$name: not running"; rc=1; fi
  done
  if [[ -r "$conf" && -n "$(pid_of slurmctld)" ]]; then
    SLURM_CONF="$conf" sinfo -N -l || rc=1
    SLURM_CONF="$conf" squeue || rc=1
  fi
  return $rc
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$conf" ;;
esac
