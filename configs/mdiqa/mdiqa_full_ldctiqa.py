# Step 1 on LDCTIQAC2023 (GPU): full MD-IQA (ViT-S/16 + ConvNeXt-T), 512 x 512, published
# optimiser (Adam 1e-4, batch 16, ~30 epochs). Train several settings for the ensemble, e.g.
#   --cfg-options randomness.seed=1 model.net.head.taus="(0.03,0.08)"
_base_ = ['../_base_/mdiqa/runtime.py', '../_base_/mdiqa/model_full.py',
          '../_base_/mdiqa/ldctiqa_data.py']
default_hooks = dict(checkpoint=dict(interval=220, save_best='quality/overall', rule='greater'))
