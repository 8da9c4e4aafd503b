"""The README's "From Python" example runs as written, in a fresh folder, and prints the
figures the measures give (compared with the Epoch and paperlists reference tables)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> str:
    text = README.read_text()
    section = text.split("### From Python", 1)[1]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m, "README: no python block under 'From Python'"
    return m.group(1)


def test_readme_python_example_runs(tmp_path: Path, data_root: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AICENSUS_DATA", str(data_root))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_example(), str(README), "exec"), {"__name__": "readme"})
    printed = out.getvalue()
    assert (tmp_path / "notebook.duckdb").exists() and (tmp_path / "notebook.html").exists()
    # The first row of 2024 fractional counts is the United States, 54.33 in SOURCE.md.
    first = printed.splitlines()[1].split()
    assert first[1] == "US" and float(first[2]) == pytest.approx(54.33, abs=0.005)
    # IJCAI 2024, China, author-fractional: the paperlists SOURCE.md reference table.
    ref = (data_root / "paperlists" / "SOURCE.md").read_text()
    row = next(r for r in ref.splitlines() if r.startswith("| ijcai2024 |"))
    expected = float(row.split("|")[7])  # CN author-frac
    assert f"author-fractional: {expected:.2f}%" in printed
