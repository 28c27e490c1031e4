# Fine-tune the reference one-pass student on LDCTIQAC2023 radiologist scores (0-4):
#   LDCTIQA=/data/LDCTIQAG2023_train python tools/train.py \
#       configs/mdiqa/mdiqa_small_ldctiqa_from_onepass.py
# The student's network, crops and test views; its weights as the start (load_from); the head
# decodes on the radiologists' scale 0-4 (its distributions span the scale, whatever M is).
# The TIFFs are normalised intensities, not HU: they reach the network through the identity
# window, so the first iterations also adapt it to their contrast.
_base_ = ['./mdiqa_small_onepass_nosem.py']
load_from = 'mdiqa/checkpoints/mdiqa_onepass_reference.pth'
data_root = '{{$LDCTIQA:data/LDCTIQAG2023_train}}'
identity = (0.5, 1.0)
model = dict(net=dict(head=dict(max_score=4.0, sem_width=False)))
load_step = dict(type='LoadCTSlice', values=identity)
window_step = dict(type='WindowCT', preset=identity, channels=1)
dataset = dict(_delete_=True, type='LDCTIQADataset', data_root=data_root, split_seed=0)
train_dataloader = dict(dataset=dict(dataset, split='train', pipeline=[
    load_step, window_step, dict(type='CropSlice', size={{_base_.crop}}, max_shift=64),
    dict(type='RandomRotFlip'), dict(type='PackQualityInputs')]))
val_dataloader = dict(dataset=dict(dataset, split='val', test_mode=True, pipeline=[
    load_step, window_step, dict(type='CropSlice', size={{_base_.crop}}, grid=3, spacing=64),
    dict(type='PackQualityInputs')]))
test_dataloader = dict(val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
# fine-tuning: the published learning rate
optim_wrapper = dict(optimizer=dict(lr=1e-4))
