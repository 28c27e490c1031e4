#!/usr/bin/env bash
# Usage: tools/dist_score.sh NPROC PATH... --out results.csv [d2iqa score options]
# NPROC processes of this machine share the slices out (torchrun; gloo on CPU, NCCL on GPUs).
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT as torchrun expects them, the same
# command on each; PYTHON names the interpreter (default: python on the PATH, e.g. the .venv).
set -euo pipefail
NPROC=$1
shift
exec "${PYTHON:-python}" -m torch.distributed.run --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" -m d2iqa score --launcher pytorch "$@"
