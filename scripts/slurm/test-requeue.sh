#!/usr/bin/env bash
# test-requeue.sh: end to end on a real (one-node) SLURM cluster: a sweep submitted with
# scripts/slurm/sweep.sbatch and a wall time shorter than the sweep must be stopped by the
# --signal warning, requeue itself, resume, and finish with every trial exactly once.
#
#   scripts/slurm/test-requeue.sh     (as root; HPSEARCH_BIN picks the binary)
#
# Steps: start scripts/slurm/local-cluster.sh in a temporary directory (stopped and removed on
# any exit; HPSEARCH_SLURM_KEEP=1 keeps the directory), submit sweep.sbatch with --time=1 (SLURM's
# minimum, 60 s) and --signal=B:TERM@15, 3 tasks (rank 0 and 2 workers, --overcommit on 2 CPUs),
# for a sweep of 8 trials × 10 epochs of examples/program/train.py at 1.75 s an epoch (70 s of
# training on 2 workers, whichever build of hpsearch runs it: the program sets the pace). SLURM
# checks time limits every 30 s, so the signal comes 15–45 s into each run and the job is
# requeued 1–4 times. Waits (at most HPSEARCH_REQUEUE_TIMEOUT s, default 720, polling every 2 s)
# for the job to end COMPLETED with Restarts ≥ 1, then checks the run directory:
#   - `hpsearch status --json`: trials 0..7, each once, each finished (none lost or running);
#   - sweep.db: each trial's epoch rows are exactly 1..n, n = its recorded epoch count;
#   - `hpsearch status --verify`: SQLite's integrity check and every artifact's checksum;
#   - the job's log: a "signal TERM received" and a "requeueing" line per requeue, rank 0's
#     "stopped by SIGTERM: the trials in flight are recorded lost" each time, a "resuming" line
#     after each, and only one run that started the sweep from scratch.
# Prints the requeue-to-resume time of each requeue (sweep.sbatch's "requeueing" line → the next
# run's "resuming" line; SLURM holds a requeued job for cred_expire, 10 s in local-cluster.sh),
# the signal-to-stop time, and exits 0 on success; non-zero with the reason otherwise
# (2: something needed is missing).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
suite=test-requeue.sh
say() { echo "$suite: $(date -u '+%T') $*"; }
fail() { say "FAIL: $*"; exit 1; }
missing() { echo "$suite: $*" >&2; exit 2; }

[[ $(id -u) -eq 0 ]] || missing "must run as root: it installs and starts munged, slurmctld and slurmd"
bin="${HPSEARCH_BIN:-}"
[[ -z "$bin" && -x .build/release/hpsearch ]] && bin=.build/release/hpsearch
[[ -z "$bin" && -x .build/debug/hpsearch ]] && bin=.build/debug/hpsearch
[[ -n "$bin" && -x "$bin" ]] || missing "no hpsearch binary; swift build --product hpsearch (or set HPSEARCH_BIN)"
command -v mpirun >/dev/null || missing "mpirun not found (scripts/setup.sh)"
command -v python3 >/dev/null || missing "python3 not found (the trials are examples/program/train.py)"

timeout_s="${HPSEARCH_REQUEUE_TIMEOUT:-720}"
work="$(mktemp -d /tmp/hpsearch-slurm.XXXXXX)"
chmod 0755 "$work"
cluster="$work/cluster"
job=""
cleanup() {
  local rc=$?
  if [[ -n "$job" ]]; then scancel "$job" 2>/dev/null || true; fi
  scripts/slurm/local-cluster.sh stop "$cluster" >/dev/null 2>&1 || true
  if [[ "${HPSEARCH_SLURM_KEEP:-}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A private copy of the binary: a rebuild while the test runs cannot change it under the job.
cp "$bin" "$work/hpsearch"

# Ports: local-cluster.sh's defaults unless something listens there already (another cluster).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for base in 16817 16837 16857 16877 16897; do
  if port_free "$base" && port_free $((base + 1)); then
    export HPSEARCH_SLURMCTLD_PORT=$base HPSEARCH_SLURMD_PORT=$((base + 1)); break
  fi
done
[[ -n "${HPSEARCH_SLURMCTLD_PORT:-}" ]] || fail "no free pair of ports among 16817…16898"

t_begin=$SECONDS
scripts/slurm/local-cluster.sh start "$cluster" || fail "the SLURM cluster did not start (logs above; HPSEARCH_SLURM_KEEP=1 keeps $cluster/log)"
export SLURM_CONF="$cluster/slurm.conf"

trials=8
epochs=10
cat > "$work/sweep.yaml" <<YAML
name: requeue
seed: 17
program:
  command: [python3, $repo/examples/program/train.py]
  grace_seconds: 5
  max_epochs_flag: --epochs
budget: {trials: $trials, max_epochs: $epochs}
early_stopping: {scheduler: {type: none}}
parameters:
  learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 0.3}
  width: {values: [4, 8, 16]}
YAML

out="$work/job.out"
job="$(sbatch --parsable --job-name=hps-requeue --nodes=1 --ntasks=3 --overcommit \
  --time=1 --signal=B:TERM@15 --requeue --open-mode=append --output="$out" --chdir="$work" \
  --export=ALL,SWEEP="$work/sweep.yaml",RUN_DIR="$work/run",HPSEARCH="$work/hpsearch",HPSEARCH_STATE_INTERVAL=0,HPSEARCH_STOP_GRACE=10,HPSEARCH_BLAS_THREADS=1,TOY_EPOCH_SECONDS=1.75 \
  scripts/slurm/sweep.sbatch)" || fail "sbatch refused the job"
job="${job%%;*}"
say "submitted job $job: $trials trials × $epochs epochs, --time=1 --signal=B:TERM@15 (cluster in $cluster)"

field() { grep -o " $1=[^ ]*" <<<"$2" | head -n 1 | cut -d= -f2-; }
last=""
state=""
restarts=0
deadline=$((SECONDS + timeout_s))
while (( SECONDS < deadline )); do
  info="$(scontrol show job "$job" -o 2>/dev/null || true)"
  state="$(field JobState "$info")"
  restarts="$(field Restarts "$info")"
  if [[ "$state/$restarts" != "$last" ]]; then
    say "job $job: ${state:-unknown} (restarts ${restarts:-?}, reason $(field Reason "$info"))"
    last="$state/$restarts"
  fi
  case "$state" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE) break ;;
  esac
  sleep 2
done
total=$((SECONDS - t_begin))
show_log() { echo "--- $out (last 40 lines):"; tail -n 40 "$out" 2>/dev/null; echo "---"; }
case "$state" in
  COMPLETED) ;;
  "") show_log; fail "job $job unknown to slurmctld (see $cluster/log/slurmctld.log)" ;;
  PENDING|RUNNING|REQUEUED|COMPLETING|CONFIGURING|SUSPENDED|REQUEUE_HOLD|REQUEUE_FED|RESIZING)
    show_log; fail "job $job still $state after $timeout_s s (restarts $restarts)" ;;
  *) show_log; fail "job $job ended $state (restarts $restarts), not COMPLETED" ;;
esac
job_done="$job"
job=""
(( restarts >= 1 )) || { show_log; fail "job $job_done completed without a requeue (restarts 0): the sweep finished inside one wall time, so nothing was tested"; }
say "job $job_done COMPLETED after $restarts requeue(s), $total s from cluster start to the end"

# The store: every trial of the budget once, all finished, each epoch 1..n once.
run="$work/run"
"$work/hpsearch" status "$run" --json > "$work/status.json" 2>"$work/status.err" || { cat "$work/status.err"; fail "hpsearch status --json failed"; }
python3 - "$work/status.json" "$run/sweep.db" "$trials" "$epochs" <<'PY' || { show_log; fail "the run directory is not what an uninterrupted sweep leaves (above)"; }
import json, sqlite3, sys
status, db_path, trials, max_epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = json.load(open(status))
problems = []
indices = sorted(t["trial"] for t in rows)
if indices != list(range(trials)):
    problems.append(f"trials recorded: {indices}, expected 0..{trials - 1} once each")
finished = {"completed", "early_stopped", "pruned", "failed", "diverged"}
for t in rows:
    if t["state"] not in finished:
        problems.append(f"trial {t['trial']} is {t['state']} ({t.get('message')})")
db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
counts = dict(db.execute('select "index", epochs from trials'))
for trial, n in sorted(counts.items()):
    got = [e for (e,) in db.execute("select epoch from epochs where trial = ? order by epoch", (trial,))]
    if got != list(range(1, n + 1)):
        problems.append(f"trial {trial}: epoch rows {got}, expected 1..{n} once each")
    if n > max_epochs:
        problems.append(f"trial {trial}: {n} epochs, more than max_epochs {max_epochs}")
dupes = db.execute("select trial, epoch, count(*) from epochs group by trial, epoch having count(*) > 1").fetchall()
if dupes:
    problems.append(f"duplicated epoch rows: {dupes}")
states = {}
for t in rows: states[t["state"]] = states.get(t["state"], 0) + 1
epoch_rows = db.execute("select count(*) from epochs").fetchone()[0]
if problems:
    print("\n".join(problems)); sys.exit(1)
print(f"store: {len(rows)} trials, each once (" + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) + f"); {epoch_rows} epoch rows, each trial's 1..n once")
PY
"$work/hpsearch" status "$run" --verify > "$work/verify.out" 2>&1 || { tail -n 5 "$work/verify.out"; fail "hpsearch status --verify found a problem"; }

# The job's log: what each run did, and the requeue-to-resume times.
python3 - "$out" "$restarts" <<'PY' || { show_log; fail "the job's log does not show stop → requeue → resume (above)"; }
import re, sys
path, restarts = sys.argv[1], int(sys.argv[2])
events = []   # (t, run, kind)
resumed_trials = 0
recorded_lost = 0
for line in open(path, errors="replace"):
    m = re.match(r"sweep\.sbatch: .* \(t=([0-9.]+)\) job \S+ run (\d+): (.*)", line)
    if m:
        t, run, text = float(m.group(1)), int(m.group(2)), m.group(3)
        for kind, prefix in [("start", "starting sweep"), ("resume", "resuming sweep"), ("signal", "signal TERM received"),
                             ("rank0", "rank 0 exited"), ("stopped", "mpirun exited"), ("requeue", "requeueing job"), ("finished", "sweep finished")]:
            if text.startswith(prefix): events.append((t, run, kind, text))
    elif "(resumed after epoch" in line:
        resumed_trials += 1
    elif line.startswith("stopped by SIGTERM: the trials in flight are recorded lost"):
        recorded_lost += 1
kinds = [k for _, _, k, _ in events]
problems = []
if kinds.count("start") != 1: problems.append(f"{kinds.count('start')} runs started the sweep from scratch, expected 1")
if kinds.count("requeue") != restarts: problems.append(f"{kinds.count('requeue')} requeue lines, SLURM counts {restarts} restarts")
if kinds.count("resume") != restarts: problems.append(f"{kinds.count('resume')} resume lines, expected {restarts}")
if recorded_lost != restarts: problems.append(f"rank 0 recorded the trials in flight as lost {recorded_lost} time(s), expected once per requeue ({restarts})")
if not kinds or kinds[-1] != "finished": problems.append(f"the last run did not log 'sweep finished': {kinds[-3:]}")
gaps, stops, rank0 = [], [], []
for i, (t, run, kind, _) in enumerate(events):
    if kind == "signal":
        later = [(t2, k2) for t2, r2, k2, _ in events[i + 1:] if r2 == run]
        stops += [t2 - t for t2, k2 in later if k2 == "stopped"][:1]
        rank0 += [t2 - t for t2, k2 in later if k2 == "rank0"][:1]
    if kind == "requeue":
        nxt = next(((t2, r2, k2) for t2, r2, k2, _ in events[i + 1:] if k2 in ("resume", "start")), None)
        if nxt is None or nxt[2] != "resume" or nxt[1] != run + 1:
            problems.append(f"run {run}'s requeue is not followed by run {run + 1} resuming: {nxt}")
        else:
            gaps.append(nxt[0] - t)
if problems:
    print("\n".join(problems)); sys.exit(1)
runs = [(r, k) for _, r, k, _ in events if k in ("signal", "finished")]
signal_at = [t - next(t0 for t0, r0, k0, _ in events if r0 == r and k0 in ("start", "resume")) for t, r, k, _ in events if k == "signal"]
print(f"runs: {restarts + 1}; signal {', '.join(f'{s:.1f}' for s in signal_at)} s into the stopped runs; "
      f"signal → rank 0 exited: {', '.join(f'{s:.1f}' for s in rank0)} s; signal → mpirun exited: {', '.join(f'{s:.1f}' for s in stops)} s")
print(f"rank 0 recorded the trials in flight as lost at each of the {recorded_lost} stop(s); trials continued from an epoch state after a requeue: {resumed_trials}")
print(f"requeue-to-resume: {', '.join(f'{g:.1f}' for g in gaps)} s (mean {sum(gaps) / len(gaps):.1f} s)")
PY
say "PASS: requeued $restarts time(s), every trial once and finished, epochs 1..n once each; $((SECONDS - t_begin)) s in all"
