"""The HTML report: what it shows, checked against the CSV, numpy and scipy; self-contained."""
import base64
import csv
import re
import shutil
import subprocess

import numpy as np
import pytest
from scipy import stats

from d2iqa.cli import main
from d2iqa.report import build_dose_report, build_report
from d2iqa.scoring.batch import SLICE_FIELDS
from d2iqa.scoring.scorer import REFERENCE_CHECKPOINT
from d2iqa.simulation import abdomen_phantom

IMAGE = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def write_results(path, series, *, folder=None, settings='{"scorer": "noise"}'):
    """A results CSV: ``series`` maps uid -> list of scores; files named uid_k.npy."""
    rows = []
    for uid, scores in series.items():
        for k, score in enumerate(scores):
            rows.append({'file': f'{folder or "/nowhere"}/{uid}_{k}.npy', 'series_uid': uid,
                         'slice_index': 0, 'slice_position': 2.5 * k, 'score': score,
                         'sem': 0.01, 'trials': 100, 'ctdi_vol': 8.0 + k % 3,
                         'exposure_mas': 150 + 5 * k, 'kvp': 120, 'kernel': 'B30f',
                         'pixel_spacing': 0.7, 'slice_thickness': 2.0, 'manufacturer': 'SIEMENS',
                         'model': 'Force', 'sop_instance_uid': f'1.2.{uid}.{k}', 'seconds': 1.0})
    with open(path, 'w', newline='') as stream:
        writer = csv.DictWriter(stream, fieldnames=SLICE_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    path.with_name(path.stem + '_settings.json').write_text(settings)
    return rows


@pytest.fixture
def made_up(tmp_path):
    """Ten series of ordinary scores (medians 0.482-0.518) and one (S-low) far below them."""
    spread = np.linspace(-0.03, 0.03, 10)
    series = {f'S{n}': list(np.round(0.5 + 0.004 * (n - 4.5) + spread, 6)) for n in range(10)}
    series['S-low'] = list(np.round(0.25 + spread, 6))
    return series


def table_rows(html, table_id):
    table = re.search(rf'<table class="sortable" id="{table_id}">(.*?)</table>', html, re.S)
    return re.findall(r'<tr( class="outlier")?>(.*?)</tr>', table.group(1).split('</thead>')[1])


def test_the_group_table_equals_the_csv_and_flags_the_outlier(tmp_path, made_up):
    write_results(tmp_path / 'r.csv', made_up)
    html = build_report([tmp_path / 'r.csv'], out=tmp_path / 'r.html', worst=0).read_text()
    rows = table_rows(html, 'series-r.csv')
    assert len(rows) == len(made_up)
    for (outlier, cells), (uid, scores) in zip(rows, made_up.items()):
        values = re.findall(r'<td[^>]*>(.*?)</td>', cells)
        assert values[0] == uid and int(values[1]) == len(scores)
        assert float(values[2]) == pytest.approx(np.mean(scores), abs=5e-5)
        assert float(values[3]) == pytest.approx(np.median(scores), abs=5e-5)
        assert float(values[4]) == pytest.approx(np.percentile(scores, 10), abs=5e-5)
        assert values[6] == 'SIEMENS Force' and values[7] == 'B30f'
        assert float(values[8]) == pytest.approx(np.mean([8 + k % 3 for k in range(10)]))
        assert bool(outlier) == (uid == 'S-low'), uid
    assert '1 series flagged' in html and 'S-low' in html
    # the distribution figure and one figure per series, every one a PNG that decodes
    images = IMAGE.findall(html)
    assert len(images) == 1 + len(made_up)
    assert all(base64.b64decode(data)[:8] == b'\x89PNG\r\n\x1a\n' for data in images)


def test_the_report_refers_to_nothing_outside_itself(tmp_path, made_up):
    write_results(tmp_path / 'r.csv', made_up)
    html = build_report([tmp_path / 'r.csv'], out=tmp_path / 'r.html', worst=0).read_text()
    assert not re.search(r'(src|href)="(?!data:)', html)
    assert '<link' not in html and 'http' not in html.lower().replace('http-equiv', '')
    assert not re.search(r'<script[^>]+src', html)


def test_two_result_sets_are_compared_slice_by_slice(tmp_path, made_up):
    first = write_results(tmp_path / 'a.csv', made_up)
    shifted = {uid: [s + 0.03 + 0.01 * np.sin(k) for k, s in enumerate(scores)]
               for uid, scores in made_up.items()}
    second = write_results(tmp_path / 'b.csv', shifted)
    html = build_report([tmp_path / 'a.csv', tmp_path / 'b.csv'], out=tmp_path / 'r.html',
                        labels=['recon A', 'recon B'], worst=0).read_text()
    a = np.array([r['score'] for r in first])
    b = np.array([r['score'] for r in second])
    truth = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert f'{len(a)} slices of recon A and recon B matched by SOPInstanceUID' in html
    assert f'{np.mean(b - a):+.4f}, 95% confidence interval {truth.low:+.4f} to ' \
           f'{truth.high:+.4f}' in html
    assert 'excludes 0' in html and 'Comparison: recon B against recon A' in html


def test_worst_slices_show_a_trial_of_the_run_detector(tmp_path):
    hu = abdomen_phantom(256, pixel_size=1.4, seed=0).astype(np.float32)
    for k in range(3):
        np.save(tmp_path / f'W_{k}.npy', hu + 5 * k)
    settings = ('{"scorer": "d2iqa", "checkpoint": "%s", "trials": 4, "set_size": 2, '
                '"seed": 0, "values": "hu"}' % REFERENCE_CHECKPOINT)
    write_results(tmp_path / 'r.csv', {'W': [0.4, 0.2, 0.3]}, folder=tmp_path,
                  settings=settings)
    html = build_report([tmp_path / 'r.csv'], out=tmp_path / 'r.html', worst=2).read_text()
    assert len(IMAGE.findall(html)) == 1 + 1 + 2
    shown = re.findall(r'<figcaption>([^<]*trial 0, pasted lesions in green[^<]*)</figcaption>',
                       html)
    assert [s.split(',')[0].rsplit('/', 1)[1] for s in shown] == ['W_1.npy', 'W_2.npy']


def test_missing_files_and_checkpoints_are_said_not_hidden(tmp_path, made_up):
    write_results(tmp_path / 'r.csv', made_up,
                  settings='{"scorer": "d2iqa", "checkpoint": "/nowhere/x.pth"}')
    html = build_report([tmp_path / 'r.csv'], out=tmp_path / 'r.html', worst=2).read_text()
    assert 'is not on this machine' in html and html.count('cannot be shown') == 2


def test_dose_report_holds_the_tables_and_curves(tmp_path):
    with open(tmp_path / 'scores.csv', 'w', newline='') as stream:
        writer = csv.writer(stream)
        writer.writerow(['slice', 'source', 'index', 'study', 'level', 'scorer', 'score',
                         'higher_is_better'])
        for level, score in ((100, 0.5), (50, 0.4), (25, 0.3)):
            writer.writerow([0, 'a.dcm', 0, 'dose', level, 'd2iqa', score, True])
    (tmp_path / 'correlations.csv').write_text('study,scorer,n,srocc\ndose,d2iqa,3,1.0\n')
    from matplotlib.figure import Figure
    figure = Figure()
    figure.add_subplot().plot([1, 2])
    figure.savefig(tmp_path / 'dose_score_vs_level.png')
    html = build_dose_report(tmp_path).read_text()
    assert len(IMAGE.findall(html)) == 1 and '<td>d2iqa</td>' in html
    assert html.count('<tr>') == 1 + 1 + 1 + 3      # two headers, one correlation, 3 levels


def test_report_command(tmp_path, made_up, capsys):
    write_results(tmp_path / 'r.csv', made_up)
    assert main(['report', str(tmp_path / 'r.csv'), '--out', str(tmp_path / 'r.html'),
                 '--worst', '0']) == 0
    assert (tmp_path / 'r.html').is_file()
    assert main(['report', str(tmp_path / 'missing.csv'), '--out', str(tmp_path / 'x.html')]) == 2
    assert 'missing.csv does not exist' in capsys.readouterr().err


CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason='headless Chromium is not installed (Debian: '
                                             'sudo apt-get install chromium)')
def test_a_real_browser_renders_every_figure(tmp_path, made_up):
    from skimage import io as skio
    write_results(tmp_path / 'r.csv', made_up)
    html = build_report([tmp_path / 'r.csv'], out=tmp_path / 'r.html', worst=0).read_text()
    count = len(IMAGE.findall(html))
    # the same page, with a script that writes how many images the browser decoded
    probe = html.replace('</body>', '<script>window.addEventListener("load", function () {'
                         'var ok = Array.from(document.images).filter(function (i) {'
                         'return i.complete && i.naturalWidth > 0; }).length;'
                         'document.body.setAttribute("data-loaded", ok); });</script></body>')
    (tmp_path / 'probe.html').write_text(probe)
    browser = [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars']
    dom = subprocess.run(browser + ['--dump-dom', f'file://{tmp_path / "probe.html"}'],
                         capture_output=True, text=True, timeout=120).stdout
    assert f'data-loaded="{count}"' in dom
    subprocess.run(browser + ['--window-size=1200,2000', f'--screenshot={tmp_path / "s.png"}',
                              f'file://{tmp_path / "r.html"}'], capture_output=True, timeout=120)
    shot = skio.imread(tmp_path / 's.png')[..., :3].astype(float)
    assert shot.std() > 20 and (shot < 128).mean() > 0.01      # not blank: text and figures


def test_score_writes_its_report(tmp_path):
    hu = abdomen_phantom(256, pixel_size=1.4, seed=0).astype(np.float32)
    for k in range(2):
        np.save(tmp_path / f'p{k}.npy', hu + 10 * k)
    out = tmp_path / 'out' / 'results.csv'
    assert main(['score', str(tmp_path), '--out', str(out), '--values', 'hu', '--trials', '2',
                 '--set-size', '1', '--threads', '1', '--quiet', '--report']) == 0
    html = (tmp_path / 'out' / 'results_report.html').read_text()
    captions = re.findall(r'<figcaption>[^<]*trial 0, pasted lesions in green', html)
    assert len(captions) == 2                                     # the run's own detector
    assert '"checkpoint"' not in html and str(REFERENCE_CHECKPOINT) in html
