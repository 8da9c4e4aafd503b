"""The HTML report: self-contained (no network), every chart draws in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from aicensus.report import html

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=20000",
]


REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report(claims_db, tmp_path_factory) -> Path:
    """The report of what `aicensus run` loads (papers, Epoch, leaderboards) with the debate
    claims checked."""
    con = duckdb.connect(str(claims_db), read_only=True)
    path = html.write(
        con, tmp_path_factory.mktemp("report") / "report.html", REPO / "claims" / "debate.yaml"
    )
    con.close()
    return path


def test_self_contained(report):
    text = report.read_text()
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?https?:""", text)
    assert "vegaEmbed" in text and 'id="papers"' in text and 'id="provenance"' in text
    assert "author-fractional" in text and "content_hash" in text


def test_claims_section(report):
    text = report.read_text()
    assert 'id="claims"' in text and 'id="claim-ml-papers-china-most"' in text
    for kind in ("refuted", "depends", "insufficient data"):  # no claim is supported (intervals)
        assert f">{kind}</span>" in text
    assert "holds / fails / too close / no data" in text and "too close to call" in text
    assert "Sensitivity grid" in text and "Hugging Face Hub snapshot" in text
    from aicensus.claims import files
    from tests.conftest import REPO

    # one chart per claim in the debate file
    assert text.count('id="chart-claims-') == len(files.load(REPO / "claims/debate.yaml"))


def test_claims_section_degrades(paperlists_db, tmp_path):
    from aicensus.report.claims_section import claims_section

    con = duckdb.connect(str(paperlists_db), read_only=True)
    try:
        s = claims_section(con, tmp_path / "none.yaml")
    finally:
        con.close()
    assert not s.charts and "No claim file" in s.blocks[0]


def chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI"):
        pytest.fail("chromium is not installed (scripts/setup.sh --browser installs it)")
    return found


def test_charts_draw_in_chromium(report, tmp_path):
    exe = chromium()
    if exe is None:
        pytest.skip("chromium not installed on this machine (CI installs it)")
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    proc = subprocess.run(
        [
            exe,
            *CHROMIUM_FLAGS,
            *profile,
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    m = re.search(r'<body[^>]*data-charts="(\d+)/(\d+)"', dom)
    assert m, "charts never finished drawing"
    drawn, total = int(m.group(1)), int(m.group(2))
    assert total >= 2 and drawn == total
    # every chart container holds a non-empty SVG
    for cid in re.findall(r'<div class="chart[^"]*" id="(chart-[^"]+)"', dom):
        block = dom.split(f'id="{cid}"', 1)[1][:20000]
        assert "<svg" in block and "<path" in block, cid
    errors = [
        ln
        for ln in proc.stderr.splitlines()
        if "CONSOLE" in ln and ("error" in ln.lower() or "Uncaught" in ln)
    ]
    assert not errors, errors
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            exe,
            *CHROMIUM_FLAGS,
            *profile,
            "--window-size=1280,2000",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    assert shot.stat().st_size > 50_000
    keep = os.environ.get("AICENSUS_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
