"""Self-contained HTML reports of batch results and dose studies (``d2iqa report``).

:mod:`.results` reads ``d2iqa score`` outputs and computes what a report shows (pure numpy);
:mod:`.figures` draws it (matplotlib, inlined as PNG); :mod:`.page` writes the HTML;
:mod:`.build` puts them together.
"""
from .build import build_dose_report, build_report
from .results import Comparison, ResultSet, compare, load_result_set, series_table, worst_slices

__all__ = ['Comparison', 'ResultSet', 'build_dose_report', 'build_report', 'compare',
           'load_result_set', 'series_table', 'worst_slices']
