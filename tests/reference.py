"""Read reference figures from a SOURCE.md at test time (so they are never copied into code)."""

from __future__ import annotations

import re
from pathlib import Path


def markdown_table(path: Path, header_startswith: str) -> list[dict[str, str]]:
    """Rows of the first markdown table whose header row starts with `header_startswith`."""
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and line.strip("| ").startswith(header_startswith):
            header = [c.strip() for c in line.strip().strip("|").split("|")]
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                cells = [c.strip() for c in row.strip().strip("|").split("|")]
                rows.append(dict(zip(header, cells, strict=True)))
            return rows
    raise AssertionError(f"{path}: no table starting with {header_startswith!r}")


def number_after(path: Path, pattern: str) -> int:
    """The integer matched by group 1 of `pattern` in the file (commas allowed)."""
    m = re.search(pattern, path.read_text())
    assert m, f"{path}: {pattern!r} not found"
    return int(m.group(1).replace(",", ""))
