"""What every benchmark script shares: the machine line and the RESULTS.md section writer."""
import datetime
import os
import platform
import re
import subprocess
import time
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).with_name('RESULTS.md')


def best_time(function, repeat):
    """Shortest wall time of `repeat` calls (the least disturbed by other jobs), and the result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def machine(packages, *, note=''):
    """CPU model and count, what else ran (`note`), Python and package versions, date: one
    line for the record."""
    cpu = subprocess.run(['lscpu'], capture_output=True, text=True).stdout
    model = next((line.split(':', 1)[1].strip() for line in cpu.splitlines()
                  if line.startswith('Model name')), platform.processor())
    versions = ', '.join(f'{name} {metadata.version(name)}' for name in packages)
    note = f', {note}' if note else ''
    return (f'{model}, {os.cpu_count()} logical CPUs{note}; Python {platform.python_version()}, '
            f'{versions}; {datetime.datetime.now():%Y-%m-%d %H:%M}')


def load_note(load_before):
    """Whether the machine was busy, from the 1-minute load average before and now."""
    busy = 'under load from other jobs' if load_before >= 0.5 * os.cpu_count() else 'idle'
    return f'{busy} (load average {load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after it)'


def record(section, script, text):
    """Replace (or append) one ``## section`` of RESULTS.md, leaving the others as they are."""
    body = f'{section}\n\nMade by `python benchmarks/{script} --record`.\n\n{text}\n'
    old = RESULTS.read_text() if RESULTS.exists() else '# Benchmark results\n'
    pattern = re.compile(rf'^{re.escape(section)}\n.*?(?=^## |\Z)', re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: body + '\n', old).rstrip('\n') + '\n'
    else:
        new = old.rstrip('\n') + '\n\n' + body
    RESULTS.write_text(new)
