# Ablation baseline: the same network with a plain regression head (L2 on the score).
_base_ = ['./mdiqa_small_proxy.py']
model = dict(net=dict(head=dict(_delete_=True, type='RegressionHead', max_score=4.0)))
