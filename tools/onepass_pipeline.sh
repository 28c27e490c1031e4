#!/usr/bin/env bash
# The one-pass student from teacher labels (docs/mdiqa.md, "The one-pass scorer"): the student
# set, the step-1 students and their ablations, the semi-supervised step, seeds of the
# shipped config, the benchmark.
# Usage: tools/onepass_pipeline.sh TEACHER_DIR SET_DIR WORK_DIR
#   (e.g. /work/runs/teacher /work/runs/onepass /work/runs/student)
# TEACHER_DIR holds train.csv and val.csv of tools/make_teacher_labels.py (val.csv: the
# benchmark's 500-trial teacher, run with --images SET_DIR/images). Two trainings at a time,
# one thread each (about 8 minutes a pair on 2 idle CPU cores, after the set is built);
# PYTHON names the interpreter (default: python on the PATH, e.g. the activated .venv).
set -euo pipefail
TEACHER=$1
WORK=$3
PY=${PYTHON:-python}
export MDIQA_ONEPASS=$2 OMP_NUM_THREADS=1
CONFIGS=configs/mdiqa
mkdir -p "$WORK"
OMP_NUM_THREADS=2 "$PY" tools/make_student_set.py "$TEACHER/train.csv" "$MDIQA_ONEPASS" --workers 2
"$PY" tools/make_student_set.py "$TEACHER/val.csv" "$MDIQA_ONEPASS" --split val --no-unlabelled
train() {  # NAME CONFIG [SEED]: train (validating on the validation patients' teacher labels)
    "$PY" tools/train.py "$CONFIGS/$2" --work-dir "$WORK/$1" \
        --cfg-options randomness.seed="${3:-0}" > "$WORK/$1.train.log" 2>&1
}
pair() {  # NAME1 CONFIG1 NAME2 CONFIG2 [SEED1 SEED2]: side by side; fails if either does
    train "$1" "$2" "${5:-0}" & local first=$!
    train "$3" "$4" "${6:-0}" & local second=$!
    wait "$first"; wait "$second"
}
# Step 1: MD-IQA on the teacher labels, and its ablations.
pair md mdiqa_small_onepass.py nosem mdiqa_small_onepass_nosem.py
pair reg mdiqa_small_onepass_reg.py wide mdiqa_small_onepass_wide.py
# Step 2: pseudo-labels of the unlabelled rungs by the step-1 ensemble; step 3 and the order term.
OMP_NUM_THREADS=2 "$PY" tools/pseudo_label.py "$WORK"/{md,nosem,reg}/iter_2000.pth \
    --images "$MDIQA_ONEPASS/unlabelled.csv" --out "$MDIQA_ONEPASS/pseudo.csv"
pair semi mdiqa_small_onepass_semi.py order mdiqa_small_onepass_order.py
train long mdiqa_small_onepass_long.py
# Step 4: seeds 1-6 of the exact-target config (nosem is its seed 0).
for seed in 1 3 5; do
    pair "seed$seed" mdiqa_small_onepass_nosem.py "seed$((seed + 1))" mdiqa_small_onepass_nosem.py \
        "$seed" "$((seed + 1))"
done
students=()
for name in nosem md reg wide semi order long seed{1..6}; do
    students+=(--student "$name=$(cat "$WORK/$name/last_checkpoint")")
done
OMP_NUM_THREADS=2 "$PY" benchmarks/bench_onepass.py --teacher "$TEACHER/val.csv" \
    --images "$MDIQA_ONEPASS/images" "${students[@]}" --grid 1 3
# the reference checkpoint is the best of them on the validation patients (2026-12-06: seed2,
# exported with tools/export_checkpoint.py --float32)
