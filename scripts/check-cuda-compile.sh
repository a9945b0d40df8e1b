#!/usr/bin/env bash
# CI: nvcc must compile every CUDA kernel even on a machine without a GPU or a CUDA LibTorch.
# Compiles each .cu under native/ (native/kernels/ today; they include no LibTorch header) alone for
# sm_90 SASS plus compute_90 PTX, with the flags CMakeLists.txt uses, into a temporary folder.
# Usage: bash scripts/check-cuda-compile.sh   (NVCC=/path/to/nvcc to choose the compiler)
set -euo pipefail
cd "$(dirname "$0")/.."
NVCC="${NVCC:-nvcc}"
if ! command -v "$NVCC" >/dev/null 2>&1; then
  echo "check-cuda-compile: $NVCC not found" >&2
  exit 1
fi
mapfile -t sources < <(find native -type f -name '*.cu' | sort)
if [ ${#sources[@]} -eq 0 ]; then
  echo "check-cuda-compile: no .cu under native/"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$NVCC" --version | tail -n 1
status=0
for src in "${sources[@]}"; do
  obj="$tmp/$(basename "$src" .cu).o"
  start=$SECONDS
  # Same flags as the CUDA section of CMakeLists.txt: FMA contraction off (CPU bit parity),
  # warnings as errors for our own code.
  if "$NVCC" -std=c++17 -O3 --fmad=false -Xcompiler=-Wall,-Werror \
      -arch=sm_90 --generate-code arch=compute_90,code=compute_90 \
      -Inative -I"$(dirname "$src")" -c "$src" -o "$obj"; then
    echo "check-cuda-compile: $src OK ($((SECONDS - start)) s, $(stat -c %s "$obj") bytes)"
  else
    echo "check-cuda-compile: $src FAILED" >&2
    status=1
  fi
done
exit $status
