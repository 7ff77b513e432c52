#!/usr/bin/env bash
# Compiles every kernel file (*.cu) into a fatbin holding cubins for sm_80 and sm_90 and their PTX
# (compute_80, compute_90: the driver JIT-compiles it for newer GPUs), written to
# <out>/cuda/<op>.fatbin — a class-path resource CudaKernels loads with cuModuleLoadData.
# ptxas prints registers, spills and shared memory per kernel (-Xptxas -v). Without nvcc it says
# so in one line and succeeds: the CPU backend needs none of this. Up-to-date files are skipped.
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
out="$1/cuda"
# NVCC=/path/to/nvcc picks one; NVCC=none builds as a machine without the toolkit would
NVCC="${NVCC:-$(command -v nvcc || true)}"
if [[ -z "$NVCC" && -x /usr/local/cuda/bin/nvcc ]]; then NVCC=/usr/local/cuda/bin/nvcc; fi
if [[ -z "$NVCC" || ! -x "$NVCC" ]]; then
  echo "[cuda] nvcc not found (PATH, /usr/local/cuda/bin): CUDA kernels not compiled; the cpu backend is unaffected"
  exit 0
fi
mkdir -p "$out"
echo "[cuda] $("$NVCC" --version | tail -1) → $out (sm_80, sm_90: cubin + PTX)"
for cu in "$src"/*.cu; do
  op="$(basename "$cu" .cu)"
  target="$out/$op.fatbin"
  newest="$(ls -t "$cu" "$src"/*.cuh "$0" | head -1)"
  if [[ -f "$target" && "$target" -nt "$newest" ]]; then
    echo "[cuda] $op.fatbin up to date"
    continue
  fi
  echo "[cuda] $op.cu"
  "$NVCC" -fatbin -O3 -std=c++17 -Xptxas -v \
    -gencode arch=compute_80,code=[sm_80,compute_80] \
    -gencode arch=compute_90,code=[sm_90,compute_90] \
    -o "$target" "$cu" 2>&1 | grep -E "Compiling entry|Used|spill|error|warning" | sed 's/^/[cuda]   /' || true
  [[ -f "$target" && "$target" -nt "$cu" ]] || { echo "[cuda] nvcc failed on $op.cu" >&2; exit 1; }
done
