#!/usr/bin/env bash
# MD-IQA's proxy validation, all three steps and the ablation (docs/mdiqa.md, "Proxy validation").
# Usage: tools/mdiqa_proxy.sh CT_DATA_ROOT WORK_DIR   (e.g. ../shared/data/ct /work/runs/mdiqa)
# Runs two trainings at a time, one thread each (24 minutes on 2 idle CPU cores, after the
# proxy set is built);
# PYTHON names the interpreter (default: python on the PATH, e.g. the activated .venv).
set -euo pipefail
DATA=$1
WORK=$2
PY=${PYTHON:-python}
export MDIQA_PROXY=$WORK/proxy MDIQA_PSEUDO=$WORK/pseudo.csv OMP_NUM_THREADS=1
CONFIGS=configs/mdiqa
train() {  # NAME CONFIG: train, then test the final checkpoint on the held-out slices
    "$PY" tools/train.py "$CONFIGS/$2" --work-dir "$WORK/$1" > "$WORK/$1.train.log" 2>&1
    "$PY" tools/test.py "$CONFIGS/$2" "$WORK/$1/iter_2000.pth" --work-dir "$WORK/$1/test" \
        > "$WORK/$1.test.log" 2>&1
}
pair() {  # NAME1 CONFIG1 NAME2 CONFIG2: two trainings side by side; fails if either does
    train "$1" "$2" & local first=$!
    train "$3" "$4" & local second=$!
    wait "$first"; wait "$second"
}
mkdir -p "$WORK"
[ -f "$MDIQA_PROXY/test.csv" ] || "$PY" tools/make_proxy_set.py "$DATA" "$MDIQA_PROXY"
# Step 1: the plain-regression baseline and three MD-IQA settings (the ensemble).
pair reg mdiqa_small_proxy_reg.py md mdiqa_small_proxy.py
pair md_tau2 mdiqa_small_proxy_tau2.py md_tau3 mdiqa_small_proxy_tau3.py
# Step 2: pseudo-labels of the unlabelled levels by the MD ensemble.
OMP_NUM_THREADS=2 "$PY" tools/pseudo_label.py "$WORK"/{md,md_tau2,md_tau3}/iter_2000.pth \
    --images "$MDIQA_PROXY/unlabelled.csv" --out "$MDIQA_PSEUDO"
# Step 3: a new model on labels + pseudo-labels + EMA consistency; and the same for regression.
pair semi mdiqa_small_proxy_semi.py reg_semi mdiqa_small_proxy_reg_semi.py
OMP_NUM_THREADS=2 "$PY" tools/proxy_report.py \
    reg="$WORK/reg/iter_2000.pth" md="$WORK/md/iter_2000.pth" semi="$WORK/semi/iter_2000.pth" \
    reg_semi="$WORK/reg_semi/iter_2000.pth" md_tau2="$WORK/md_tau2/iter_2000.pth" \
    md_tau3="$WORK/md_tau3/iter_2000.pth" --list "$MDIQA_PROXY/test.csv" \
    --noise-baseline --json "$WORK/proxy_report.json" --plot "$WORK/proxy_test.png"
