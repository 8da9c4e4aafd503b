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
    assert "author-fractional" in text and "content hash" in text  # loads table header


def test_claims_section(report):
    text = report.read_text()
    assert 'id="claims"' in text and 'id="claim-ml-papers-china-most"' in text
    for kind in ("refuted", "depends", "insufficient data"):  # no claim is supported (intervals)
        assert f">{kind}</span>" in text
    assert "Hover a cell for the numbers it read" in text and "too close to call" in text
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


# ---------------------------------------------------------------- the report in a real browser

DRAWN = """new Promise((resolve) => {
  const t = () => document.body.dataset.charts ? resolve(document.body.dataset.charts)
                                              : setTimeout(t, 100);
  t();
})"""

# Elements whose right edge passes the viewport outside any box that scrolls or clips.
OVERFLOW = """(() => {
  const W = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1) continue;
    let p = el.parentElement, boxed = false;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { boxed = true; break; }
      p = p.parentElement;
    }
    if (!boxed) bad.push(el.tagName + '#' + el.id + '.' + el.className);
  }
  return {bad: bad.slice(0, 10), scrollWidth: document.documentElement.scrollWidth, width: W};
})()"""

# Vega texts (labels, legends, titles) outside their chart's SVG, or cut with an ellipsis.
CLIPPED = """(() => {
  const bad = [];
  for (const svg of document.querySelectorAll('.chart svg')) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      const out = r.left < box.left - 1 || r.right > box.right + 1 ||
                  r.top < box.top - 1 || r.bottom > box.bottom + 1;
      if (out || t.textContent.endsWith('…'))
        bad.push(svg.closest('.chart').id + ': ' + t.textContent);
    }
  }
  return bad.slice(0, 10);
})()"""

LINKS = """[...document.querySelectorAll('a[href^="#"]')]
  .map((a) => a.getAttribute('href').slice(1))
  .filter((id) => !document.getElementById(id))"""

# The first control of the first interactive chart switched to its second option: the plotted
# rows (the filtered data set) and the drawn lines before and after.
TOGGLE = """(async () => {
  const chart = document.querySelector('.chart.interactive');
  const view = window.aicensusViews[chart.id];
  const select = chart.querySelector('.vega-bindings select');
  const signal = select.name;
  const option = select.options[1].value;
  const lines = () => [...chart.querySelectorAll('.mark-line path')]
    .map((p) => p.getAttribute('d'));
  const rows = () => view.data('data_0').map((r) => JSON.stringify(r));
  const before = {rows: rows(), lines: lines()};
  await view.signal(signal, option).runAsync();
  const after = {rows: rows(), lines: lines()};
  return {chart: chart.id, signal, option, before, after};
})()"""


def test_report_in_chromium(report, tmp_path):
    """The report at desktop (1400 px) and phone (390 px) width in headless Chromium: every
    chart draws, the scorecard comes first, links resolve, nothing overflows the
    viewport outside a scroll box, no chart text is clipped, no request leaves the file, and the
    controls change the plotted data. Screenshots: tmp_path/report-<width>.png."""
    from tests.cdp import Browser

    exe = chromium()
    if exe is None:
        pytest.skip("chromium not installed on this machine (CI installs it)")
    browser = Browser(exe, tmp_path / "profile")
    try:
        for width in (1400, 390):
            browser.open(report.as_uri(), width)
            drawn, total = map(int, browser.eval(DRAWN).split("/"))
            assert total >= 10 and drawn == total, f"{drawn}/{total} charts drawn at {width} px"
            shot = browser.screenshot(tmp_path / f"report-{width}.png")
            assert shot.stat().st_size > 50_000
            if width == 1400:  # the first screen (docs/report.png)
                browser.screenshot(
                    tmp_path / "report-first-screen.png",
                    {"x": 0, "y": 0, "width": width, "height": 1000},
                )
            first = browser.eval("document.querySelector('section').id")
            assert first == "scorecard"
            assert browser.eval(LINKS) == []
            assert browser.eval("document.querySelectorAll('a[href^=\"#\"]').length") >= 8
            overflow = browser.eval(OVERFLOW)
            assert overflow["bad"] == [] and overflow["scrollWidth"] <= width, overflow
            assert browser.eval(CLIPPED) == [], width
        toggled = browser.eval(TOGGLE)
        assert toggled["before"]["rows"] and toggled["after"]["rows"]
        assert toggled["before"]["rows"] != toggled["after"]["rows"], toggled["signal"]
        assert toggled["before"]["lines"] != toggled["after"]["lines"], toggled["signal"]
        outside = [u for u in browser.requests() if not u.startswith(("file:", "data:"))]
        assert outside == []
        assert browser.console_errors() == []
    finally:
        browser.close()
    keep = os.environ.get("AICENSUS_SCREENSHOT")
    if keep:
        shutil.copy(tmp_path / "report-first-screen.png", keep)
