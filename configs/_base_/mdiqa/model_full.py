# MD-IQA, full variant (GPU): ViT-S/16 and ConvNeXt-T, 512 x 512 input (32 x 32 token grid).
# Initialise the branches from local files with
#   --cfg-options model.net.vit.pretrained=vit_small.pth model.net.cnn.pretrained=convnext_t.pth
input_size = 512
model = dict(
    type='MDIQA',
    # [0, 1] input; mean / std: ImageNet's averaged over RGB (the first conv sums RGB kernels).
    data_preprocessor=dict(type='ImgDataPreprocessor', mean=[0.449], std=[0.226]),
    net=dict(
        vit=dict(type='VisionTransformer', img_size=input_size, patch_size=16, in_channels=1,
                 embed_dims=384, depth=12, num_heads=6, drop_path_rate=0.1),
        cnn=dict(type='ConvNeXt', in_channels=1, depths=(3, 3, 9, 3), dims=(96, 192, 384, 768),
                 drop_path_rate=0.1, out_indices=(0, 1, 2, 3)),
        neck=dict(type='DeformableAlignment', channels=256, num_layers=2, num_heads=8),
        head=dict(type='DistributionHead', num_samples=128, taus=(0.02, 0.05, 0.1),
                  max_score=4.0, beta=0.1, decode='argmax')))
