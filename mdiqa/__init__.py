"""MD-IQA: multi-scale distribution regression of radiologist-like CT quality scores.

Builds on :mod:`d2iqa` (CT loaders, windowing, statistics); never imported by it.
"""
import d2iqa  # noqa: F401  (checks the OpenMMLab versions and provides the shared loaders)

__version__ = d2iqa.__version__
