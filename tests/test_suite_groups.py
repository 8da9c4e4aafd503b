"""The test suite's own scheduling: under `pytest -n 2 --dist loadgroup` (scripts/test.sh) the
tests of one `xdist_group` run on one worker, for a group marked in the test file and for one
given at collection (as tests/conftest.py groups every test), so a fixture their group shares
is built once. pytest 9.2 with pytest-xdist 3.8 silently ignores the groups (pytest-xdist#1386),
doubling the cost of every shared fixture."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

CONFTEST = """
import pytest

def pytest_itemcollected(item):
    if not item.get_closest_marker("xdist_group"):
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
"""

MARKED = """
import pytest

pytestmark = pytest.mark.xdist_group("marked")

@pytest.mark.parametrize("i", range(6))
def test_marked(i):
    pass
"""

COLLECTED = """
import pytest

@pytest.mark.parametrize("i", range(6))
def test_collected(i):
    pass
"""


def test_groups_run_on_one_worker(tmp_path: Path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_marked.py").write_text(MARKED)
    (tmp_path / "test_collected.py").write_text(COLLECTED)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p",
         "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    workers: dict[str, set[str]] = defaultdict(set)
    for worker, module in re.findall(r"^\[(gw\d)\].*PASSED (test_\w+)\.py::", proc.stdout, re.M):
        workers[module].add(worker)
    assert set(workers) == {"test_marked", "test_collected"}, proc.stdout[-3000:]
    assert all(len(w) == 1 for w in workers.values()), dict(workers)
