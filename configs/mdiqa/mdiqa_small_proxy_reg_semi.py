# Ablation: step 3 with the plain regression head (same pseudo-labels, losses and schedule).
_base_ = ['./mdiqa_small_proxy_semi.py']
model = dict(net=dict(head=dict(_delete_=True, type='RegressionHead', max_score=4.0)))
