# Variant (ours, not published): the one-pass student plus a within-slice order term. Each batch
# of 8 holds 4 versions of each of 2 slices (SliceGroupSampler), and the differences of their
# predicted scores are pulled towards the teacher's, each pair weighted by how sure its labels
# are (mdiqa.models.targets.order_loss): it aims at the benchmark's within-slice order.
_base_ = ['./mdiqa_small_onepass.py']
model = dict(order_weight=0.1)
train_dataloader = dict(sampler=dict(_delete_=True, type='SliceGroupSampler', group_size=4))
