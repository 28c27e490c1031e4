# Step 1 on the proxy set (CPU): small MD-IQA, taus (0.02, 0.05, 0.1), seed 0. Ensemble member 1.
#   MDIQA_PROXY=/work/runs/mdiqa/proxy python tools/train.py configs/mdiqa/mdiqa_small_proxy.py
_base_ = ['../_base_/mdiqa/runtime.py', '../_base_/mdiqa/model_small.py',
          '../_base_/mdiqa/proxy_data.py']
# The small variant on 128 x 128 crops (8 x 8 tokens), for a shared 2-core CPU.
model = dict(net=dict(vit=dict(img_size={{_base_.crop}})))
# CPU schedule: 2000 iterations of batch 8 (~60 epochs of the 260 images); no pre-trained
# weights here, hence a higher lr than the published 1e-4.
max_iters = 2000
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5)]
