#!/usr/bin/env bash
# launch.sh: run hpsearch under mpirun with the flags it needs.
#   scripts/launch.sh [-n RANKS] [--hostfile FILE] [--oversubscribe] [--keep-going] [--] HPSEARCH_ARGS...
# e.g. scripts/launch.sh -n 3 --oversubscribe -- run sweeps/quickstart.yaml
#      scripts/launch.sh -n 9 --hostfile hostfiles/cluster.example -- run sweeps/fashion-mlp.yaml
# - --allow-run-as-root only when running as root;
# - --bind-to none: each rank sets its own BLAS thread count (cores on its node ÷ ranks on its
#   node, or HPSEARCH_BLAS_THREADS), so binding every rank to one core would starve them;
# - HPSEARCH_* and OPENBLAS_* variables are exported to every rank (-x);
# - --keep-going: mpirun --enable-recovery, so a worker that dies does not end the job: rank 0
#   notices (at once on its own host, after --heartbeat-timeout elsewhere), runs the trial on
#   another rank and finishes the sweep. If rank 0 itself dies, the workers keep waiting:
#   stop mpirun (Ctrl-C) and resume.
# - a host that goes down or off the network: rank 0 names its rank after --heartbeat-timeout
#   (10 s) and gives its trial to another rank. mpirun's link to each host's daemon gets TCP
#   keepalives (10 s idle, then 3 probes 5 s apart), so the job then ends in about 25 s instead
#   of Open MPI's 8 minutes, and `hpsearch resume` continues; with --keep-going there are none,
#   so the sweep goes on without the host. Either way, if mpirun still waits for an unreachable
#   host 15 s after rank 0 ended the job (MPI_Abort), launch.sh stops it. Set
#   OMPI_MCA_oob_tcp_keepalive_time (and _intvl, _probes) to choose other values.
# HPSEARCH_BIN overrides the binary (default: .build/release/hpsearch, else hpsearch on PATH).
set -euo pipefail
ranks=2
hostfile=""
oversubscribe=""
keep_going=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|-np) ranks="$2"; shift 2 ;;
    --hostfile) hostfile="$2"; shift 2 ;;
    --oversubscribe) oversubscribe="--oversubscribe"; shift ;;
    --keep-going) keep_going="--enable-recovery"; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
cd "$(dirname "$0")/.."
bin="${HPSEARCH_BIN:-.build/release/hpsearch}"
[[ -x "$bin" ]] || bin="$(command -v hpsearch || true)"
[[ -n "$bin" ]] || { echo "launch.sh: no hpsearch binary; build it: swift build -c release" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "launch.sh: mpirun not found; install Open MPI: apt-get install openmpi-bin libopenmpi-dev (scripts/setup.sh)" >&2; exit 1; }
args=(-np "$ranks" --bind-to none)
[[ $(id -u) -eq 0 ]] && args+=(--allow-run-as-root)
[[ -n "$oversubscribe" ]] && args+=("$oversubscribe")
[[ -n "$keep_going" ]] && args+=("$keep_going")
if [[ -n "${OMPI_MCA_oob_tcp_keepalive_time:-}" ]]; then
  :
elif [[ -n "$keep_going" ]]; then
  args+=(--mca oob_tcp_keepalive_time 0)
else
  args+=(--mca oob_tcp_keepalive_time 10 --mca oob_tcp_keepalive_intvl 5 --mca oob_tcp_keepalive_probes 3)
fi
if [[ -n "$hostfile" ]]; then
  [[ -r "$hostfile" ]] || { echo "launch.sh: cannot read hostfile $hostfile" >&2; exit 1; }
  # Open MPI's own complaints about a bad hostfile are terse; check the format first.
  n=0
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line="${line%%#*}"
    [[ -z "${line//[[:space:]]/}" ]] && continue
    if ! [[ "$line" =~ ^[[:space:]]*[A-Za-z0-9._-]+([[:space:]]+(slots|max_slots|max-slots)=[0-9]+)*[[:space:]]*$ ]]; then
      echo "launch.sh: $hostfile:$n: expected 'HOST [slots=N] [max_slots=N]', got: $line" >&2
      echo "  (one host per line; see hostfiles/cluster.example)" >&2
      exit 1
    fi
  done < "$hostfile"
  args+=(--hostfile "$hostfile")
fi
log="$(mktemp)"
# Rank 0 writes its exit code here when it ends the job with MPI_Abort (ranks given up).
export HPSEARCH_ABORT_MARKER="$log.abort"
# Rank 0 writes its exit status here as it ends: mpirun --enable-recovery (--keep-going) exits 0
# even when rank 0 failed (a bad sweep file), so that status is the one returned.
export HPSEARCH_EXIT_MARKER="$log.exit"
trap 'rm -f "$log" "$HPSEARCH_ABORT_MARKER" "$HPSEARCH_EXIT_MARKER"' EXIT
for v in $(env | grep -oE '^(HPSEARCH|OPENBLAS)_[A-Z_]+' || true); do args+=(-x "$v"); done
set +e
mpirun "${args[@]}" "$bin" "$@" 2> >(tee "$log" >&2) &
mpirun_pid=$!
# mpirun turns SIGINT/SIGTERM into a clean stop of every rank: pass them on.
trap 'kill -INT $mpirun_pid 2>/dev/null' INT
trap 'kill -TERM $mpirun_pid 2>/dev/null' TERM
aborted_at=""
forced=""
while kill -0 $mpirun_pid 2>/dev/null; do
  # After rank 0's MPI_Abort, mpirun waits for every host's daemon; one it cannot reach (a lost
  # host) would keep it waiting for minutes. Rank 0 has recorded everything: give mpirun 15 s.
  if [[ -z "$aborted_at" && -s "$HPSEARCH_ABORT_MARKER" ]]; then aborted_at=$SECONDS; fi
  if [[ -n "$aborted_at" && -z "$forced" && $((SECONDS - aborted_at)) -ge 15 ]]; then
    echo "launch.sh: rank 0 ended the job (MPI_Abort) 15 s ago but mpirun still waits, most likely for a host it cannot reach; stopping mpirun" >&2
    forced=1
    kill -TERM $mpirun_pid 2>/dev/null; sleep 3; kill -KILL $mpirun_pid 2>/dev/null
  fi
  sleep 0.5
done
wait $mpirun_pid
rc=$?
[[ -n "$forced" ]] && rc=$(head -n 1 "$HPSEARCH_ABORT_MARKER")
if [[ $rc -eq 0 && -s "$HPSEARCH_EXIT_MARKER" ]]; then
  rank0=$(head -n 1 "$HPSEARCH_EXIT_MARKER")
  [[ "$rank0" =~ ^[0-9]+$ && "$rank0" -ne 0 ]] && rc=$rank0
fi
set -e
if [[ $rc -ne 0 ]]; then
  if grep -q "There are not enough slots available" "$log"; then
    echo "launch.sh: more ranks (-n $ranks) than slots: add --oversubscribe, lower -n, or raise slots= in the hostfile" >&2
  elif grep -qiE "ssh: Could not resolve hostname|ORTE was unable to reliably start one or more daemons" "$log"; then
    echo "launch.sh: mpirun could not start ranks on a host: check the hostfile's names resolve, passwordless ssh to each host works (ssh HOST true), and hpsearch is at the same path there" >&2
  fi
fi
exit $rc
