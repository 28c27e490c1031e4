# Ablation: the one-pass student with a plain regression head (L2 on the score).
_base_ = ['./mdiqa_small_onepass.py']
model = dict(net=dict(head=dict(_delete_=True, type='RegressionHead', max_score=1.0)))
