#!/usr/bin/env bash
# The README's test command: install what is missing, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# --with-browser: Chromium too, for the report's headless rendering test; --with-onnx: onnxruntime and
# safetensors for the export tests (each skipped if it cannot be installed).
source scripts/setup.sh --with-browser --with-onnx
# Tests set their own BLAS thread counts; keep OpenBLAS from spawning one thread per core at load.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
swift build --build-tests "$@"
# examples/custom-model: a package built on HPSearchKit, which CLITests runs.
# (SwiftPM may not see files added to hpsearch since that build: then it is built afresh.)
swift build --package-path examples/custom-model --scratch-path .build/custom-model \
  || { rm -rf .build/custom-model; swift build --package-path examples/custom-model --scratch-path .build/custom-model; }
# Bounded well inside CI's 90 minutes (a full run takes about 15 on 2 cores): a hang fails with the
# log ending at the test that hung (XCTest flushes each line) instead of running out the clock.
timeout --kill-after=60 70m swift test --skip-build --disable-swift-testing "$@"
