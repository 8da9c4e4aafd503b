"""The CLI starts lean: importing it (what `aicensus --help` does) loads none of the heavy
libraries, nor Rich's progress bars; commands import them when they run."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "pyarrow", "duckdb", "ibis", "altair", "rich.progress")


def test_importing_the_cli_loads_no_heavy_library():
    code = (
        f"import sys, aicensus.cli.main; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
