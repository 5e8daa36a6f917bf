# suite-prelude.sh: sourced by the test scripts that drive real mpirun jobs (faults.sh,
# cluster-test.sh). Sets `bin` to the absolute path of the hpsearch binary (HPSEARCH_BIN, else
# the release build, else the debug build) and checks mpirun and Fashion-MNIST are installed;
# exits 2 with what to do otherwise. Expects `suite` (the script's name) and the repository root
# as the working directory. Also defines the helpers both use: now, secs, bounded, small_sweep.
bin="${HPSEARCH_BIN:-}"
[[ -z "$bin" && -x .build/release/hpsearch ]] && bin=.build/release/hpsearch
[[ -z "$bin" && -x .build/debug/hpsearch ]] && bin=.build/debug/hpsearch
[[ -n "$bin" ]] || { echo "$suite: no hpsearch binary; swift build --product hpsearch" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
command -v mpirun >/dev/null || { echo "$suite: mpirun not found (scripts/setup.sh)" >&2; exit 2; }
[[ -d /usr/share/datasets/fashion-mnist ]] || { echo "$suite: Fashion-MNIST not installed (scripts/setup.sh)" >&2; exit 2; }

now() { date +%s.%N; }
# bounded SECS CMD…: runs CMD, stopped with SIGTERM after SECS seconds (SIGKILL 10 s later), so a
# hung job fails its scenario (exit 124) instead of hanging the suite and CI.
bounded() { local secs=$1; shift; timeout --kill-after=10 "$secs" "$@"; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
# small_sweep FILE NAME SEED TRIALS EPOCHS EXAMPLES: a small MLP sweep on a Fashion-MNIST subset,
# no scheduler, so every trial trains all its epochs.
small_sweep() {
  cat > "$1" <<YAML
name: $2
seed: $3
data: {source: fashion-mnist, validation: 1000, train_examples: $6}
model: mlp
metric: {name: val_loss, goal: minimize}
budget: {trials: $4, max_epochs: $5}
early_stopping: {scheduler: {type: none}}
parameters:
  learning_rate: {distribution: log_uniform_values, min: 3.0e-4, max: 3.0e-3}
  width: {values: [32, 48, 64]}
  depth: {value: 1}
  batch_size: {value: 100}
YAML
}
