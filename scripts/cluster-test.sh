#!/usr/bin/env bash
# cluster-test.sh: hpsearch across hosts, on the netns test cluster (scripts/netns-cluster.sh):
# a head host (mpirun and rank 0) and 3 worker hosts, one rank each, every message over TCP.
#   1. a small real sweep: every host's rank joins and trains, every trial and its checkpoint and
#      predictions arrive at rank 0 (checksums verified);
#   2. a longer sweep whose third host loses its link (ip link set down) while it trains: rank 0
#      must name the lost rank within 30 s, the job must end (mpirun loses the host's daemon), and
#      `hpsearch resume` with the link back must complete the sweep without retraining any
#      finished trial;
#   3. the same with `launch.sh --keep-going`: the sweep goes on without host 3 and the job ends.
#   scripts/cluster-test.sh [PHASE…]   (sweep, cut, keep-going; default all; root; HPSEARCH_BIN
#                                       picks the binary; exit 77: cannot run here)
# Prints one line per phase: PASS/FAIL and what it measured. Every job is bounded (a launch that
# hangs fails its phase after a few minutes, with what each host was running, instead of hanging
# CI).
set -uo pipefail
cd "$(dirname "$0")/.."
suite=cluster-test.sh
source scripts/suite-prelude.sh
[[ $(id -u) -eq 0 ]] || { echo "cluster-test.sh: needs root (network namespaces): sudo $0" >&2; exit 77; }
if [[ -d /run/hpsearch-netns ]]; then
  # One left by a run that was killed (its clean-up never ran) has nothing running on it: take it
  # down. One in use is not ours to remove.
  for ns in $(cat /run/hpsearch-netns/hosts 2>/dev/null); do
    [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]] && { echo "cluster-test.sh: a netns cluster is up and $ns runs processes; take it down first (scripts/netns-cluster.sh down)" >&2; exit 2; }
  done
  echo "cluster-test.sh: removing an idle netns cluster left by an earlier run"
  scripts/netns-cluster.sh down >/dev/null || exit 2
fi

work="$(mktemp -d)"
trap 'pkill -KILL -f "$work" 2>/dev/null; scripts/netns-cluster.sh down >/dev/null 2>&1; rm -rf "$work"' EXIT
export HPSEARCH_BIN="$bin" HPSEARCH_BLAS_THREADS=1 HPSEARCH_STATE_INTERVAL=0
failures=0
report() { printf '%-10s %s  %s\n' "$1" "$2" "$3"; [[ $2 == PASS ]] || failures=$((failures + 1)); }
sql() { python3 -c "import sqlite3,sys; print('\n'.join(' '.join(map(str, r)) for r in sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute(sys.argv[2])))" "$1/sweep.db" "$2" 2>/dev/null; }
limit=240   # seconds any one job may take
on_cluster() { bounded $limit scripts/netns-cluster.sh exec scripts/launch.sh -n 4 --hostfile hostfiles/netns "$@"; }
# what each host runs and the head's TCP connections: printed when a job hangs
hosts_now() {
  local ns
  for ns in $(cat /run/hpsearch-netns/hosts); do
    echo "[$ns] $(ip netns pids "$ns" 2>/dev/null | xargs -r ps -o pid=,stat=,etime=,args= -p 2>/dev/null | cut -c1-160 | tr '\n' ';')"
  done
  echo "[hps0 tcp] $(ip netns exec hps0 ss -tn 2>/dev/null | tail -n +2 | awk '{print $1, $4, $5}' | tr '\n' ';')"
}
# job NAME LOG ARGS…: runs hpsearch ARGS on the cluster (launch.sh), bounded; on a hang, saves
# hosts_now in $work/NAME-hang.txt first. Returns the launch's exit code (124: it hung).
job() {
  local name=$1 log=$2 pid rc
  shift 2
  on_cluster "$@" > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 $(( (limit - 10) * 10 ))); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  kill -0 $pid 2>/dev/null && hosts_now > "$work/$name-hang.txt"
  wait $pid
  rc=$?
  [[ $rc -eq 124 || $rc -eq 137 ]] && echo "launch still running after $limit s, stopped; what the hosts ran 10 s before: $(cat "$work/$name-hang.txt" 2>/dev/null)" >> "$log"
  return $rc
}
phases=("${@:-sweep cut keep-going}")
phases=(${phases[*]})
for p in "${phases[@]}"; do [[ $p =~ ^(sweep|cut|keep-going)$ ]] || { echo "cluster-test.sh: unknown phase $p (sweep, cut, keep-going)" >&2; exit 2; }; done
wants() { [[ " ${phases[*]} " == *" $1 "* ]]; }
sweep() { small_sweep "$1" netns-cluster 7 "$2" "$3" "$4"; }   # sweep FILE TRIALS EPOCHS EXAMPLES
# complete DIR N → ok when N trials, all finished, each with a checkpoint and predictions, and
# SQLite's integrity check and every artifact's checksum pass
complete() {
  "$bin" status "$1" --verify > "$work/verify.log" 2>&1 || { echo "verify failed: $(tail -n 3 "$work/verify.log" | tr '\n' ' ')"; return 1; }
  local finished artifacts
  finished=$(sql "$1" "select count(*) from trials where state in ('completed','early_stopped')")
  artifacts=$(sql "$1" "select count(distinct trial) from artifacts where kind = 'checkpoint'")
  [[ "$finished" == "$2" && "$artifacts" == "$2" ]] || { echo "$finished of $2 trials finished, $artifacts with a checkpoint"; return 1; }
  echo "$2/$2 trials finished with checkpoints, integrity and checksums ok"
}

echo "cluster test: $bin"
scripts/netns-cluster.sh up 3 || exit 1
cmp -s hostfiles/netns /run/hpsearch-netns/hostfile || report hostfile FAIL "hostfiles/netns is not what 'netns-cluster.sh up 3' writes: $(diff hostfiles/netns /run/hpsearch-netns/hostfile | tr '\n' ' ')"

# 1. A sweep across the hosts.
small_phase() {
sweep "$work/small.yaml" 6 3 5000
t0=$(now)
job small "$work/small.log" -- run "$work/small.yaml" --dir "$work/small"
rc=$?
t1=$(now)
joined=$(grep -cE '^rank [123] joined from hps[123] ' "$work/small.log")
ranks=$(sql "$work/small" "select count(distinct rank) from trials")
if [[ $rc -ne 0 ]]; then
  report sweep FAIL "exit $rc: $(tail -n 5 "$work/small.log" | tr '\n' ' ')"
elif [[ $joined -ne 3 || $ranks -ne 3 ]]; then
  report sweep FAIL "$joined of 3 hosts joined, $ranks ranks trained: $(grep joined "$work/small.log" | tr '\n' ' ')"
elif ! result=$(complete "$work/small" 6); then
  report sweep FAIL "$result"
else
  report sweep PASS "ranks on hps1..hps3 joined over TCP and each trained; $result; $(secs "$t0" "$t1") s"
fi
}

# 2 and 3. Host 3 loses its link mid-sweep.
# cut_scenario NAME TRIALS EPOCHS [LAUNCH FLAGS]: starts the sweep, cuts host 3's link once rank 3
# has reported an epoch of a trial, checks that rank 0 names it within 30 s and that the job ends
# within 90 s, then resumes with the link back and checks the sweep is complete.
cut_scenario() {
  local name=$1 trials=$2 epochs=$3 dir="$work/$1" pid rc job cut reported ended before at_end
  shift 3
  sweep "$work/$name.yaml" "$trials" "$epochs" 10000
  on_cluster "$@" -- run "$work/$name.yaml" --dir "$dir" > "$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1800); do
    # The epochs table, not trials.epochs: a running trial's row is rewritten only every few seconds.
    [[ "$(sql "$dir" "select count(*) from trials t where t.state = 'running' and t.rank = 3 and exists (select 1 from epochs e where e.trial = t.\"index\")")" == 1 ]] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  before=$(sql "$dir" "select \"index\", finished_at from trials where finished_at is not null order by 1")
  scripts/netns-cluster.sh cut 3
  cut=$(now)
  reported=""
  for _ in $(seq 1 900); do
    if [[ -z "$reported" ]] && grep -q '^rank 3 lost: rank 3 on hps3 sent no heartbeat' "$work/$name.log"; then reported=$(now); fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  kill -0 $pid 2>/dev/null && { report "$name" FAIL "the job still runs 90 s after host 3 lost its link"; pkill -KILL -f "$dir"; }
  wait $pid
  job=$?
  ended=$(now)
  [[ -z "$reported" ]] && grep -q '^rank 3 lost: rank 3 on hps3 sent no heartbeat' "$work/$name.log" && reported=$ended
  scripts/netns-cluster.sh mend 3
  at_end="$(sql "$dir" "select count(*) from trials where finished_at is not null") of $trials trials finished"
  if [[ -z "$reported" ]]; then
    report "$name" FAIL "rank 0 did not report rank 3 lost (exit $job): $(grep -E 'lost|rank 3' "$work/$name.log" | tail -n 5 | tr '\n' ' ')"
    return
  elif [[ $(python3 -c "import sys; print(int(float(sys.argv[2]) - float(sys.argv[1]) <= 30))" "$cut" "$reported") != 1 ]]; then
    report "$name" FAIL "rank 3 reported lost $(secs "$cut" "$reported") s after the cut (over 30 s)"
    return
  fi
  local t0 t1 result retrained
  t0=$(now)
  job "$name-resume" "$work/$name-resume.log" -- resume "$dir"
  rc=$?
  t1=$(now)
  retrained=$(python3 - "$before" "$(sql "$dir" "select \"index\", finished_at from trials where finished_at is not null order by 1")" <<'PY'
import sys
old = dict(l.split(" ", 1) for l in sys.argv[1].splitlines() if l)
new = dict(l.split(" ", 1) for l in sys.argv[2].splitlines() if l)
print(" ".join(k for k in old if new.get(k) != old[k]))
PY
)
  if [[ $rc -ne 0 ]]; then
    report "$name" FAIL "resume: exit $rc: $(tail -n 5 "$work/$name-resume.log" | tr '\n' ' ')"
  elif ! result=$(complete "$dir" "$trials"); then
    report "$name" FAIL "after resume: $result"
  elif [[ -n "$retrained" ]]; then
    report "$name" FAIL "resume retrained finished trials: $retrained"
  else
    report "$name" PASS "rank 0 named rank 3 (hps3) lost $(secs "$cut" "$reported") s after its link went down; the job ended $(secs "$cut" "$ended") s after the cut (exit $job) with $at_end; resume with the link back: $(secs "$t0" "$t1") s, $result, none retrained"
  fi
}
wants sweep && small_phase
# Default launch: mpirun's keepalive ends the job once it loses the host's daemon (~25 s).
wants cut && cut_scenario cut 12 80
# --keep-going: the sweep goes on without host 3; launch.sh stops the mpirun left waiting for it.
wants keep-going && cut_scenario keep-going 9 12 --keep-going

[[ $failures -eq 0 ]] || { echo "cluster test: $failures failed (logs: $work, kept)"; trap 'pkill -KILL -f "$work" 2>/dev/null; scripts/netns-cluster.sh down >/dev/null 2>&1' EXIT; exit 1; }
echo "cluster test: all passed"
