#!/usr/bin/env bash
# The backend and FIM benchmarks on a machine with an NVIDIA GPU: the engine's CUDA binaries, llama-server built with
# CUDA from the bundled llama.cpp source, every layer offloaded. Needs the CUDA toolkit (nvcc) for the build.
#   bash bench/gpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || { echo "no NVIDIA GPU here" >&2; exit 1; }
npm run build >/dev/null
node --import tsx scripts/install-engine.ts --gpu cuda
LLAMA_CUDA=1 LLAMA_BUILD_JOBS="$(nproc)" bash scripts/build-llama-server.sh
node bench/backends.mjs --gpu cuda
node bench/fimBias.mjs --gpu cuda
