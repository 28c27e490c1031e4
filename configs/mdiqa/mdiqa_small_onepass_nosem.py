# The reference one-pass student (mdiqa/checkpoints/mdiqa_onepass_reference.pth): exact targets,
# the labels' standard errors unused. Widening the targets by them (mdiqa_small_onepass.py) lost
# on the validation patients (model card, "Figures").
_base_ = ['./mdiqa_small_onepass.py']
model = dict(net=dict(head=dict(sem_width=False)))
