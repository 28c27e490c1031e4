#!/usr/bin/env bash
# The detector recipe study (docs/training.md, "Choosing the recipe"): each recipe config
# fine-tunes the first reference checkpoint for 400 iterations on the patient-balanced data,
# then benchmarks/bench_generalisation.py scores it on the validation patients (40 paired
# trials per slice at 100 / 50 / 25 % dose). Finished steps are kept, so a rerun continues.
# Usage: tools/detector_recipes.sh FIRST_REFERENCE.pth WORK_DIR [RECIPE ...]
#   (the first reference: git show e2d2b42:d2iqa/checkpoints/d2iqa_lite_reference.pth > F)
# PYTHON names the interpreter (default: python on the PATH, e.g. the activated .venv).
set -euo pipefail
OLD=$1
WORK=$2
shift 2
PY=${PYTHON:-python}
RECIPES=${*:-lite_finetune lite_finetune_rescale lite_finetune_rescale_sharpness \
lite_finetune_rescale_dose}
evaluate() {  # NAME CHECKPOINT
    "$PY" benchmarks/bench_generalisation.py --checkpoint "$1=$2" --trials 40 \
        --doses 100 50 25 --json "$WORK/$1.json" > "$WORK/$1.eval.log" 2>&1
}
mkdir -p "$WORK"
[ -f "$WORK/first_reference.json" ] || evaluate first_reference "$OLD"
for name in $RECIPES; do
    [ -f "$WORK/$name/iter_400.pth" ] || "$PY" tools/train.py "configs/d2iqa/recipe/$name.py" \
        --work-dir "$WORK/$name" --cfg-options load_from="$OLD" > "$WORK/$name.train.log" 2>&1
    [ -f "$WORK/$name.json" ] || evaluate "$name" "$WORK/$name/iter_400.pth"
done
