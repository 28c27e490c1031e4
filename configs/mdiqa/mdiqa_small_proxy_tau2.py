# Step 1, ensemble member 2: other scales (0.03, 0.08) and another seed.
_base_ = ['./mdiqa_small_proxy.py']
model = dict(net=dict(head=dict(taus=(0.03, 0.08))))
randomness = dict(seed=1)
