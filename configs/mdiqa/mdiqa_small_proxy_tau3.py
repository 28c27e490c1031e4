# Step 1, ensemble member 3: wider scales (0.05, 0.1, 0.15) and a third seed.
_base_ = ['./mdiqa_small_proxy.py']
model = dict(net=dict(head=dict(taus=(0.05, 0.1, 0.15))))
randomness = dict(seed=2)
