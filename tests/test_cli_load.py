"""What a load did, as the CLI prints it: `aicensus run` prints each step with the printer of
that source's `aicensus load` command, under the source's own name."""

from __future__ import annotations

import pytest

from aicensus.cli import summaries
from aicensus.ingest.paperlists import PaperlistsLoadSummary


@pytest.mark.parametrize("source", ["paperlists", "paperlists-affonly"])
def test_paper_list_steps_are_named_after_their_source(source, capsys):
    summary = PaperlistsLoadSummary(files=2, written=["cvpr2023"], unchanged=["cvpr2024"])
    summaries.print_load(source, summary, "w.duckdb")
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"{source}: 2 file(s): 1 written, 1 unchanged, 0 not found upstream"
