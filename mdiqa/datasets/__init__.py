"""MD-IQA data: datasets (LDCTIQAC2023, CSV, unlabelled folders), transforms, a sampler."""
from .datasets import (CSVQualityDataset, LDCTIQADataset, UnlabelledCTDataset, list_slices,
                       read_slice_csv, split_names)
from .samplers import SliceGroupSampler
from .transforms import IDENTITY_WINDOW, CropSlice, PackQualityInputs, RandomRotFlip

__all__ = ['CSVQualityDataset', 'CropSlice', 'IDENTITY_WINDOW', 'LDCTIQADataset',
           'PackQualityInputs', 'RandomRotFlip', 'SliceGroupSampler', 'UnlabelledCTDataset',
           'list_slices', 'read_slice_csv', 'split_names']
