#!/usr/bin/env bash
# faults.sh: the fault-injection suite. Real mpirun jobs (3 ranks: rank 0 and 2 workers) over a
# Fashion-MNIST subset; each scenario breaks something on purpose, then checks the store:
# every trial of the budget finished exactly once, completed trials never retrained, SQLite's
# integrity check and every artifact checksum (`hpsearch status --verify`).
#   scripts/faults.sh [SCENARIO…]   (default: all; HPSEARCH_BIN picks the binary)
# Prints one line per scenario: PASS/FAIL, what happened, how long the recovery took.
set -uo pipefail
cd "$(dirname "$0")/.."
suite=faults.sh
source scripts/suite-prelude.sh

work="${HPSEARCH_FAULTS_WORK:-$(mktemp -d)}"
[[ -n "${HPSEARCH_FAULTS_WORK:-}" ]] || trap 'pkill -KILL -f "$work" 2>/dev/null; umount "$work/small" 2>/dev/null; rm -rf "$work"' EXIT
export HPSEARCH_BLAS_THREADS=1 HPSEARCH_STATE_INTERVAL=0 HPSEARCH_FAULT=
small_sweep "$work/faults.yaml" faults 5 6 4 10000
small_sweep "$work/slow.yaml" faults 5 6 20 10000

mpi_args=(-np 3 --oversubscribe --bind-to none -x HPSEARCH_BLAS_THREADS -x HPSEARCH_STATE_INTERVAL -x HPSEARCH_FAULT)
[[ $(id -u) -eq 0 ]] && mpi_args+=(--allow-run-as-root)
failures=0

skipped=0
report() { # report NAME PASS|FAIL|SKIP MESSAGE
  printf '%-28s %s  %s\n' "$1" "$2" "$3"
  case "$2" in PASS) ;; SKIP) skipped=$((skipped + 1)) ;; *) failures=$((failures + 1)) ;; esac
}
# state_counts DIR → "completed=4 lost=2 …"
state_counts() {
  "$bin" status "$1" --json | python3 -c "import json,sys,collections; c=collections.Counter(t['state'] for t in json.load(sys.stdin)); print(' '.join(f'{k}={v}' for k,v in sorted(c.items())))"
}
# finished_at DIR → "trial:finished" lines of finished trials (to check that resume retrains none)
finished() { python3 - "$1/sweep.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for row in db.execute("select \"index\", finished_at from trials where state in ('completed','early_stopped','pruned','failed','diverged') order by 1"):
    print(*row)
PY
}
# complete DIR → ok when 6 trials, all finished, integrity and checksums fine
complete() {
  local states; states="$(state_counts "$1")"
  "$bin" status "$1" --verify >/dev/null || { echo "verify failed: $("$bin" status "$1" --verify | tail -n 3)"; return 1; }
  python3 - "$1/sweep.db" <<'PY' || { echo "not complete: $states"; return 1; }
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = db.execute("select \"index\", state from trials").fetchall()
assert sorted(i for i, _ in rows) == list(range(6)), rows
assert all(s in ("completed", "early_stopped", "pruned", "failed", "diverged") for _, s in rows), rows
PY
  echo "$states"
}
run_bg() { # run_bg LOG ARGS… → starts mpirun in the background, sets $pid
  local log="$work/$1.log"; shift
  mpirun "${mpi_args[@]}" "$bin" "$@" > "$log" 2>&1 &
  pid=$!
}
wait_epochs() { # wait_epochs DIR N → until the store holds N epochs (or 120 s, or the job ends)
  for _ in $(seq 1 1200); do
    kill -0 "$pid" 2>/dev/null || return 1
    [[ -f "$1/sweep.db" ]] && [[ "$(python3 -c "import sqlite3,sys; print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute('select count(*) from epochs').fetchone()[0])" "$1/sweep.db" 2>/dev/null || echo 0)" -ge "$2" ]] && return 0
    sleep 0.1
  done
  return 1
}
resume_and_check() { # resume_and_check NAME DIR → PASS when resume completes and nothing finished was retrained
  local before t0 t1 result after
  before="$(finished "$2")"
  t0=$(now)
  HPSEARCH_FAULT= bounded 300 mpirun "${mpi_args[@]}" "$bin" resume "$2" > "$work/$1-resume.log" 2>&1
  t1=$(now)
  result="$(complete "$2")" || { report "$1" FAIL "$result (resume log: $(tail -n 2 "$work/$1-resume.log" | tr '\n' ' '))"; return; }
  after="$(finished "$2")"
  while read -r line; do
    [[ -z "$line" ]] && continue
    grep -qxF "$line" <<<"$after" || { report "$1" FAIL "trial retrained by resume: $line"; return; }
  done <<<"$before"
  report "$1" PASS "$3; resume finished in $(secs "$t0" "$t1") s: $result"
}

scenario_kill_worker() {
  local dir="$work/kill-worker" t0 t1
  t0=$(now)
  HPSEARCH_FAULT='kill:*:2@2' bounded 300 mpirun "${mpi_args[@]}" "$bin" run "$work/faults.yaml" --dir "$dir" > "$work/kill-worker.log" 2>&1
  local rc=$?
  t1=$(now)
  [[ $rc -ne 0 ]] || { report kill-worker FAIL "the job exited 0 after a worker was killed"; return; }
  grep -q "rank 2" "$work/kill-worker.log" || { report kill-worker FAIL "nobody named the lost rank: $(tail -n 3 "$work/kill-worker.log" | tr '\n' ' ')"; return; }
  resume_and_check kill-worker "$dir" "rank 2 SIGKILLed after an epoch; the job ended (exit $rc) naming rank 2 in $(secs "$t0" "$t1") s"
}

scenario_keep_going() {
  local dir="$work/keep-going" t0 t1 rc result
  t0=$(now)
  HPSEARCH_FAULT='kill:*:2@2' bounded 300 mpirun "${mpi_args[@]}" --enable-recovery "$bin" run "$work/faults.yaml" --dir "$dir" > "$work/keep-going.log" 2>&1
  rc=$?
  t1=$(now)
  result="$(complete "$dir")" || { report keep-going FAIL "$result: $(tail -n 3 "$work/keep-going.log" | tr '\n' ' ')"; return; }
  local said; said="$(grep -m 1 -o 'rank 2 (pid [0-9]*) exited while it ran trial [0-9, ]*' "$work/keep-going.log")" \
    || { report keep-going FAIL "rank 0 did not name the dead rank and its trial"; return; }
  report keep-going PASS "with --enable-recovery (launch.sh --keep-going): '$said'; its trial ran on rank 1; sweep complete in $(secs "$t0" "$t1") s (exit $rc): $result"
}

scenario_kill_rank0() {
  local dir="$work/kill-rank0"
  run_bg kill-rank0 run "$work/faults.yaml" --dir "$dir"
  wait_epochs "$dir" 3
  pkill -KILL -f "$bin run $work/faults.yaml --dir $dir" ; wait "$pid" 2>/dev/null
  "$bin" status "$dir" --verify >/dev/null || { report kill-rank0 FAIL "integrity after kill -9: $("$bin" status "$dir" --verify | tail -n 2)"; return; }
  resume_and_check kill-rank0 "$dir" "every rank SIGKILLed mid-write; integrity_check ok"
}

scenario_signal() { # scenario_signal NAME SIGNAL
  local dir="$work/$1" t0 t1 rc states how
  # The longer sweep: the short one can finish in the second mpirun takes to pass a signal on.
  run_bg "$1" run "$work/slow.yaml" --dir "$dir"
  wait_epochs "$dir" 3
  t0=$(now)
  kill "-$2" "$pid"; wait "$pid"; rc=$?
  t1=$(now)
  states="$(state_counts "$dir" | tr '\n' ' ')"
  grep -qE "running|lost" <<<"$states" || { report "$1" FAIL "the sweep had finished before SIG$2 took effect ($states): nothing was interrupted"; return; }
  if [[ "$2" == KILL ]]; then how="every rank died at once"
  elif grep -q "stopped by SIG$2" "$work/$1.log"; then how="rank 0 recorded the trials in flight as lost"
  else how="mpirun's SIGKILL came before rank 0 could record the trials in flight"; fi
  resume_and_check "$1" "$dir" "mpirun got SIG$2 (exit $rc, stopped in $(secs "$t0" "$t1") s; $states; $how)"
}

scenario_throw_nan() {
  local dir="$work/throw-nan" result
  HPSEARCH_FAULT='throw:1;nan:3:2' bounded 300 mpirun "${mpi_args[@]}" "$bin" run "$work/faults.yaml" --dir "$dir" > "$work/throw-nan.log" 2>&1 \
    || { report throw-nan FAIL "exit $?: $(tail -n 2 "$work/throw-nan.log" | tr '\n' ' ')"; return; }
  result="$(complete "$dir")" || { report throw-nan FAIL "$result"; return; }
  grep -q "failed=1" <<<"$result" && grep -q "diverged=1" <<<"$result" \
    || { report throw-nan FAIL "expected one failed and one diverged trial: $result"; return; }
  report throw-nan PASS "trial 1 threw, trial 3's weights became NaN; the sweep went on: $result"
}

scenario_hang() {
  local dir="$work/hang" t0 t1 rc result
  t0=$(now)
  HPSEARCH_FAULT='hang:*:1@2' bounded 300 mpirun "${mpi_args[@]}" "$bin" run "$work/faults.yaml" --dir "$dir" --worker-timeout 30 > "$work/hang.log" 2>&1
  rc=$?
  t1=$(now)
  result="$(complete "$dir")" || { report hang FAIL "$result: $(tail -n 3 "$work/hang.log" | tr '\n' ' ')"; return; }
  grep -q "worker timeout" "$work/hang.log" || { report hang FAIL "rank 0 did not report the silent rank"; return; }
  report hang PASS "rank 2 hung after an epoch; given up after 30 s of silence, its trial ran on rank 1; sweep complete in $(secs "$t0" "$t1") s (exit $rc: MPI_Abort ends the hung rank): $result"
}

scenario_lock() {
  local dir="$work/lock" out
  run_bg lock run "$work/faults.yaml" --dir "$dir"
  wait_epochs "$dir" 1
  out="$("$bin" resume "$dir" 2>&1)" && { report lock FAIL "a second process ran on the same directory"; kill "$pid"; return; }
  wait "$pid"
  local result; result="$(complete "$dir")" || { report lock FAIL "$result"; return; }
  report lock PASS "second hpsearch on the directory refused ($(grep -o 'in use by another hpsearch process' <<<"$out" | head -n 1)); the first finished: $result"
}

scenario_read_while_writing() {
  local dir="$work/readers" reads=0
  run_bg readers run "$work/faults.yaml" --dir "$dir"
  wait_epochs "$dir" 1
  while kill -0 "$pid" 2>/dev/null; do
    "$bin" status "$dir" --json >/dev/null && "$bin" report "$dir" -o "$work/readers.html" >/dev/null \
      && "$bin" export "$dir" --format jsonl >/dev/null || { report read-while-writing FAIL "a reader failed while the sweep wrote"; kill "$pid"; return; }
    reads=$((reads + 1))
  done
  wait "$pid"
  local result; result="$(complete "$dir")" || { report read-while-writing FAIL "$result"; return; }
  report read-while-writing PASS "$reads rounds of status, report and export during the sweep, no error: $result"
}

scenario_disk_full() {
  local mnt="$work/small" rc
  mkdir -p "$mnt"
  if [[ $(id -u) -ne 0 ]] || ! mount -t tmpfs -o size=1600k tmpfs "$mnt" 2>/dev/null; then
    report disk-full SKIP "needs root to mount a small tmpfs"
    return
  fi
  local dir="$mnt/run"
  bounded 300 mpirun "${mpi_args[@]}" "$bin" run "$work/faults.yaml" --dir "$dir" > "$work/disk-full.log" 2>&1
  rc=$?
  local why; why="$(grep -m 1 -o 'disk full: cannot write [^ ]*' "$work/disk-full.log" || true)"
  if [[ $rc -eq 0 ]]; then report disk-full FAIL "the sweep finished on a 1.6 MB disk?"; umount "$mnt"; return; fi
  if [[ -z "$why" ]]; then report disk-full FAIL "no clear error: $(grep -m 2 'Error' "$work/disk-full.log" | tr '\n' ' ')"; umount "$mnt"; return; fi
  "$bin" status "$dir" --verify >/dev/null || { report disk-full FAIL "store inconsistent after the full disk: $("$bin" status "$dir" --verify | tail -n 2)"; umount "$mnt"; return; }
  mount -o remount,size=64m "$mnt"
  resume_and_check disk-full "$dir" "run dir on a 1.6 MB tmpfs: stopped with '${why:0:90}' (exit $rc), store and files consistent; space freed"
  umount "$mnt"
}

all=(kill-worker keep-going kill-rank0 sigterm sigint kill-mpirun throw-nan hang disk-full lock read-while-writing)
chosen=("${@:-${all[@]}}")
echo "fault suite: $bin, 3 ranks, 6 trials × 4 epochs on 10,000 Fashion-MNIST images"
for s in "${chosen[@]}"; do
  case "$s" in
    kill-worker) scenario_kill_worker ;;
    keep-going) scenario_keep_going ;;
    kill-rank0) scenario_kill_rank0 ;;
    sigterm) scenario_signal sigterm TERM ;;
    sigint) scenario_signal sigint INT ;;
    kill-mpirun) scenario_signal kill-mpirun KILL ;;
    throw-nan) scenario_throw_nan ;;
    hang) scenario_hang ;;
    disk-full) scenario_disk_full ;;
    lock) scenario_lock ;;
    read-while-writing) scenario_read_while_writing ;;
    *) echo "faults.sh: unknown scenario $s (one of: ${all[*]})" >&2; exit 2 ;;
  esac
done
echo "fault suite: $(( ${#chosen[@]} - failures - skipped ))/${#chosen[@]} passed, $skipped skipped, $failures failed"
[[ $failures -eq 0 ]]
