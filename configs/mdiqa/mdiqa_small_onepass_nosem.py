# Ablation: the one-pass student with exact targets (the labels' standard errors unused).
_base_ = ['./mdiqa_small_onepass.py']
model = dict(net=dict(head=dict(sem_width=False)))
