"""Arena leaderboards: every preset on the real files, ranks, registry coverage of every top 20,
the reference figures of arena_text_history/SOURCE.md and arena_video/SOURCE.md reproduced
through the measures, bad input and idempotent reload."""

from __future__ import annotations

import ast
import csv
import re
from datetime import date
from pathlib import Path

import pytest

from aicensus.ingest.arenas import load_arenas
from aicensus.measures import boards as bm
from aicensus.sources.arenas import CIError, parse_ci
from aicensus.warehouse import connect


@pytest.fixture(scope="module")
def con(data_root: Path, tmp_path_factory: pytest.TempPathFactory):
    c = connect(tmp_path_factory.mktemp("arena") / "w.duckdb")
    s = load_arenas(c, [str(data_root / "arena_text_history"), str(data_root / "arena_video")])
    assert s.files == 63 and not s.rejected
    yield c
    c.close()


def _top(con, board, preset, day, top=10, **kw):
    q = bm.BoardQuery(board=board, presets=(preset,), top=top, **kw)
    return bm.entries(con, q, day).table


def test_snapshot_counts(con):
    rows = con.execute(
        "SELECT preset, board, count(*), min(snapshot_date)::VARCHAR, max(snapshot_date)::VARCHAR "
        "FROM board_snapshots GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert rows == [
        ("arena-history-csv", "text", 105, "2023-05-08", "2025-03-26"),
        ("artificialanalysis-json", "image-to-video", 1, "2026-05-14", "2026-05-14"),
        ("artificialanalysis-json", "text-to-video", 3, "2026-04-10", "2026-05-14"),
        ("lab-flagships-js", "text-lab-flagships", 214, "2023-12-06", "2026-07-21"),
        ("lmarena-csv", "text", 56, "2024-06-19", "2025-08-04"),
        ("lmarena-history-csv", "text", 15, "2025-05-23", "2025-11-09"),
    ]
    n = dict(
        con.execute(
            "SELECT snapshot_date::VARCHAR, n_entries FROM board_snapshots "
            "WHERE preset = 'lmarena-history-csv'"
        ).fetchall()
    )
    # deduplicated by (date, model), keeping the row with most votes
    assert n["2025-05-23"] == 202 and n["2025-08-04"] == 223 and n["2025-10-16"] == 268
    assert n["2025-08-10"] == 226 and n["2025-11-09"] == 261


def test_every_top20_organization_resolves(con):
    unresolved = con.execute(
        """
        SELECT s.preset, s.snapshot_date, e.model, e.org_name FROM board_entries e
        JOIN board_snapshots s USING (snapshot_id)
        WHERE e.org_id IS NULL AND (SELECT count(*) FROM board_entries x
              WHERE x.snapshot_id = e.snapshot_id AND x.rating > e.rating) < 20
        """
    ).fetchall()
    assert unresolved == []
    # the only unresolved creator anywhere is Artificial Analysis' 'Open Source'
    names = con.execute(
        "SELECT DISTINCT org_name FROM board_entries WHERE org_id IS NULL"
    ).fetchall()
    assert names == [("Open Source",)]


def _text_reference(data_root: Path) -> list[dict]:
    text = (data_root / "arena_text_history" / "SOURCE.md").read_text(encoding="utf-8")
    out = []
    pat = r"## (\S+(?: \d{8})?): (\d+) models\n(.*?)top10 entries[^{]*(\{[^}]*\})"
    for block in re.findall(pat, text, re.S):
        name, n, body, counts = block
        rows = [
            (int(m[0]), int(m[1]) if m[1] else None, m[2].strip(), m[3].strip(), float(m[4]))
            for m in re.findall(r"^\s+(\d+) ub=(\d*) (.+?) \| (.+?) \| ([\d.]+)", body, re.M)
        ]
        out.append({"name": name, "n": int(n), "rows": rows, "counts": ast.literal_eval(counts)})
    return out


def test_text_reference_snapshots(con, data_root):
    refs = _text_reference(data_root)
    assert len(refs) == 5
    for ref in refs:
        if ref["name"].startswith("alltime"):
            preset, day = "arena-history-csv", date(2023, 12, 20)
        else:
            preset = "lmarena-csv"
            day = date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", ref["name"]).group())
        t = _top(con, "text", preset, day)
        assert int(t["n_entries"].iloc[0]) == ref["n"], ref["name"]
        got = [
            (
                int(r.rank_strict),
                None if r.rank_ub != r.rank_ub or r.rank_ub is None else int(r.rank_ub),
                r.model,
                r.org_name,
                round(float(r.rating), 1),
            )
            for r in t.itertuples()
        ]
        assert got == ref["rows"], ref["name"]
        counts = t["country"].value_counts().to_dict()
        assert counts == ref["counts"], ref["name"]


KEVIN_TOP10 = {
    date(2025, 5, 23): [
        (1, 1, "gemini-2.5-pro-preview-05-06", "Google", "Proprietary", 1446),
        (2, 1, "o3-2025-04-16", "OpenAI", "Proprietary", 1435),
        (3, 2, "chatgpt-4o-latest-20250326", "OpenAI", "Proprietary", 1422),
        (4, 3, "gpt-4.5-preview-2025-02-27", "OpenAI", "Proprietary", 1417),
        (5, 3, "gemini-2.5-flash-preview-05-20", "Google", "Proprietary", 1415),
        (6, 6, "gemini-2.5-flash-preview-04-17", "Google", "Proprietary", 1394),
        (7, 6, "gpt-4.1-2025-04-14", "OpenAI", "Proprietary", 1392),
        (8, 6, "grok-3-preview-02-24", "xAI", "Proprietary", 1388),
        (9, 6, "deepseek-v3-0324", "DeepSeek", "MIT", 1382),
        (10, 9, "o1-2024-12-17", "OpenAI", "Proprietary", 1380),
    ],
    date(2025, 8, 10): [
        (1, 1, "gpt-5-high", "OpenAI", "Proprietary", 1481),
        (2, 2, "gemini-2.5-pro", "Google", "Proprietary", 1458),
        (3, 2, "o3-2025-04-16", "OpenAI", "Proprietary", 1451),
        (4, 2, "claude-opus-4-1-20250805", "Anthropic", "Proprietary", 1446),
        (5, 4, "chatgpt-4o-latest-20250326", "OpenAI", "Proprietary", 1440),
        (6, 4, "gpt-4.5-preview-2025-02-27", "OpenAI", "Proprietary", 1438),
        (7, 5, "grok-4-0709", "xAI", "Proprietary", 1430),
        (8, 5, "qwen3-235b-a22b-instruct-2507", "Alibaba", "Apache 2.0", 1428),
        (9, 7, "claude-opus-4-20250514-thinking-16k", "Anthropic", "Proprietary", 1420),
        (9, 7, "kimi-k2-0711-preview", "Moonshot", "Modified MIT", 1420),
    ],
    date(2025, 11, 9): [
        (1, 1, "gemini-2.5-pro", "Google", "Proprietary", 1452),
        (2, 1, "claude-sonnet-4-5-20250929-thinking-32k", "Anthropic", "Proprietary", 1449),
        (3, 1, "claude-opus-4-1-20250805-thinking-16k", "Anthropic", "Proprietary", 1448),
        (4, 2, "gpt-4.5-preview-2025-02-27", "OpenAI", "Proprietary", 1442),
        (5, 2, "claude-opus-4-1-20250805", "Anthropic", "Proprietary", 1439),
        (6, 4, "chatgpt-4o-latest-20250326", "OpenAI", "Proprietary", 1438),
        (7, 2, "claude-sonnet-4-5-20250929", "Anthropic", "Proprietary", 1436),
        (7, 4, "gpt-5-high", "OpenAI", "Proprietary", 1436),
        (9, 4, "o3-2025-04-16", "OpenAI", "Proprietary", 1434),
        (10, 4, "qwen3-max-preview", "Alibaba", "Proprietary", 1432),
    ],
}


@pytest.mark.parametrize("day", sorted(KEVIN_TOP10))
def test_lmarena_history_top10(con, day):
    t = _top(con, "text", "lmarena-history-csv", day)
    got = [
        (int(r.rank_strict), int(r.rank_source), r.model, r.org_name, r.license, int(r.rating))
        for r in t.itertuples()
    ]
    assert got == KEVIN_TOP10[day]


def test_lmarena_history_top20_standing(con):
    q = bm.BoardQuery(presets=("lmarena-history-csv",), top=20)
    st = bm.standing(con, q).table
    st = st[st["entries_top20"] > 0].set_index(["snapshot_date", "country"])

    def row(day, c):
        r = st.loc[(day, c)]
        return int(r["entries_top20"]), int(r["orgs_top20"]), int(r["open_top20"])

    d1, d2, d3 = date(2025, 5, 23), date(2025, 8, 10), date(2025, 11, 9)
    assert row(d1, "US") == (15, 4, 0) and row(d1, "CN") == (4, 3, 2) and row(d1, "FR") == (1, 1, 0)
    assert row(d2, "US") == (15, 4, 0) and row(d2, "CN") == (5, 4, 5)
    # 2025-11-09: 8 CN entries from 6 strings = 5 developers (DeepSeek AI -> DeepSeek)
    assert row(d3, "US") == (12, 4, 0) and row(d3, "CN") == (8, 5, 5)
    strings = con.execute(
        "SELECT count(DISTINCT org_name) FROM board_entries e JOIN board_snapshots s "
        "USING (snapshot_id) WHERE s.preset = 'lmarena-history-csv' AND snapshot_date = "
        "'2025-11-09' AND org_id IN (SELECT org_id FROM orgs WHERE country = 'CN') AND "
        "(SELECT count(*) FROM board_entries x WHERE x.snapshot_id = e.snapshot_id "
        "AND x.rating > e.rating) < 20"
    ).fetchone()[0]
    assert strings == 6
    # across all 15 dates no Meta model and no country other than US/CN/FR in a top 20
    allc = set(st.index.get_level_values("country"))
    assert allc == {"US", "CN", "FR"}


def test_lmarena_history_best_meta_and_xai(con):
    q = bm.BoardQuery(presets=("lmarena-history-csv",), top=1000)
    t = bm.entries(con, q).table
    expect = {
        (date(2025, 5, 23), "meta"): ("llama-3.1-405b-instruct-bf16", 1314, 34, 41),
        (date(2025, 5, 23), "xai"): ("grok-3-preview-02-24", 1388, 6, 8),
        (date(2025, 8, 10), "meta"): ("llama-3.1-405b-instruct-bf16", 1334, 49, 60),
        (date(2025, 8, 10), "xai"): ("grok-4-0709", 1430, 5, 7),
        (date(2025, 11, 9), "meta"): ("llama-3.1-405b-instruct-bf16", 1335, 80, 93),
        (date(2025, 11, 9), "xai"): ("grok-4-fast", 1420, 11, 18),
    }
    for (day, org), want in expect.items():
        sub = t[(t["snapshot_date"] == day) & (t["org_id"] == org)]
        best = sub.sort_values(["rating", "record_no"], ascending=[False, True]).iloc[0]
        got = (best.model, int(best.rating), int(best.rank_source), int(best.rank_strict))
        assert got == want


def _video_reference(data_root: Path) -> list[dict]:
    text = (data_root / "arena_video" / "SOURCE.md").read_text(encoding="utf-8")
    out = []
    pat = (
        r"## (\S+)/(\S+)\.json \[all rows\]: (\d+) models.*?\n(.*?)"
        r"top10 country counts: (\{[^}]*\})\n\s+best CN: .*?rank_strict (\d+) rank_ub (\d+)\n"
        r"\s+best Sora/Runway: (.+?) \((.+?)\) rating ([\d.]+) rank_strict (\d+) rank_ub (\d+)"
    )
    for m in re.finditer(pat, text, re.S):
        rows = [
            (int(a), int(b), None if c == "None" else int(c), d.strip(), e.strip(), f, float(g))
            for a, b, c, d, e, f, g in re.findall(
                r"^\s+(\d+) ub=(\d+) file_rank=(\w+) (.+?) \| (.+?) \((\w+)\) \| ([\d.]+)",
                m.group(4),
                re.M,
            )
        ]
        out.append(
            {
                "day": date.fromisoformat(m.group(1)),
                "board": m.group(2),
                "n": int(m.group(3)),
                "rows": rows,
                "counts": ast.literal_eval(m.group(5)),
                "best_cn": (int(m.group(6)), int(m.group(7))),
                "sora_runway": (m.group(8), float(m.group(10)), int(m.group(11)), int(m.group(12))),
            }
        )
    return out


def test_video_reference_top10(con, data_root):
    refs = _video_reference(data_root)
    assert len(refs) == 4
    for ref in refs:
        t = _top(con, ref["board"], "artificialanalysis-json", ref["day"], attribution="source")
        assert int(t["n_entries"].iloc[0]) == ref["n"]
        got = [
            (
                int(r.rank_strict),
                int(r.rank_ub),
                None if r.rank_source != r.rank_source else int(r.rank_source),
                r.model,
                r.org_name,
                r.country.lower(),
                round(float(r.rating), 2),
            )
            for r in t.itertuples()
        ]
        assert got == ref["rows"], ref["day"]
        assert {k.upper(): v for k, v in ref["counts"].items()} == t[
            "country"
        ].value_counts().to_dict()


def _best(con, board, day, where, current_only=False):
    q = bm.BoardQuery(board=board, top=1000, attribution="source", current_only=current_only)
    t = bm.entries(con, q, day).table
    t = t[where(t)].sort_values("rating", ascending=False)
    r = t.iloc[0]
    return r.model, round(float(r.rating), 2), int(r.rank_strict), int(r.rank_ub)


def _sora_runway(t):
    return t["model"].str.contains("Sora") | (t["org_name"] == "Runway")


VIDEO_BEST = [
    # board, day, best CN (all rows), best Sora/Runway all rows, current only
    ("text-to-video", date(2026, 4, 10), (1388.55, 1, 1), (1223.21, 10, 5), (9, 5)),
    ("text-to-video", date(2026, 4, 27), (1366.10, 1, 1), (1215.78, 12, 5), (10, 5)),
    ("text-to-video", date(2026, 5, 14), (1354.33, 1, 1), (1220.63, 13, 4), (11, 4)),
    ("image-to-video", date(2026, 5, 14), (1395.47, 1, 1), (1262.50, 18, 8), (14, 7)),
]


@pytest.mark.parametrize(("board", "day", "cn", "sr", "sr_current"), VIDEO_BEST)
def test_video_best_chinese_vs_sora_runway(con, board, day, cn, sr, sr_current):
    m, rating, rs, ub = _best(con, board, day, lambda t: t["country"] == "CN")
    assert (m, rating, rs, ub) == ("HappyHorse-1.0", *cn)
    m, rating, rs, ub = _best(con, board, day, _sora_runway)
    assert (m, rating, rs, ub) == ("Runway Gen-4.5", *sr)
    _, _, rs, ub = _best(con, board, day, _sora_runway, current_only=True)
    assert (rs, ub) == sr_current


FAMILIES = {  # family: (selector, [(rank_strict, rank_ub) per VIDEO_BEST snapshot])
    "Kling": (lambda t: t["org_id"] == "kling", [(4, 3), (3, 3), (3, 3), (7, 6)]),
    "Vidu": (lambda t: t["org_id"] == "vidu", [(9, 5), (8, 5), (7, 4), (6, 6)]),
    "Hailuo": (lambda t: t["model"].str.contains("Hailuo"),
               [(30, 22), (32, 25), (33, 26), (13, 6)]),
    "Hunyuan": (lambda t: t["model"].str.contains("Hunyuan"),
                [(65, 59), (63, 57), (65, 58), (59, 56)]),
    "Seedance": (lambda t: t["org_id"] == "bytedance-seed", [(2, 2)] * 4),
    "Wan": (lambda t: t["model"].str.startswith("Wan"), [(29, 20), (29, 20), (27, 20), (30, 22)]),
    "Sora": (lambda t: t["model"].str.contains("Sora"), [(24, 15), (30, 21), (31, 22), (73, 71)]),
}  # fmt: skip


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_video_families(con, family):
    select, expected = FAMILIES[family]
    got = [_best(con, b, d, select)[2:] for b, d, *_ in VIDEO_BEST]
    assert got == expected


def test_registry_roll_up_on_video(con):
    """Hand-checked: Kling rolls up to Kuaishou, Skywork (SG per source) to Kunlun (CN)."""
    q = bm.BoardQuery(board="text-to-video", top=10, orgs="rollup", attribution="hq-rollup")
    t = bm.entries(con, q, date(2026, 4, 10)).table
    assert set(t.loc[t["org_name"] == "KlingAI", "org_unit"]) == {"kuaishou"}
    assert set(t.loc[t["org_name"] == "Skywork AI", "country"]) == {"CN"}
    src = bm.entries(con, replace_attr(q, "source"), date(2026, 4, 10)).table
    assert set(src.loc[src["org_name"] == "Skywork AI", "country"]) == {"SG"}


def replace_attr(q: bm.BoardQuery, attribution: str) -> bm.BoardQuery:
    from dataclasses import replace

    return replace(q, attribution=attribution)


def test_gap_us_cn_with_interval(con):
    t = bm.gap(con, bm.BoardQuery(presets=("lmarena-csv",))).table
    last = t.iloc[-1]
    assert (last.model_a, last.rating_a, last.model_b, last.rating_b) == (
        "Gemini-2.5-Pro",
        1470.0,
        "GLM-4.5",
        1434.0,
    )
    assert (last.gap, last.gap_low, last.gap_high) == (36.0, 36 - 5 - 9, 36 + 5 + 9)
    assert bool(last.separated)


def test_lab_flagships_latest(con):
    rows = con.execute(
        "SELECT org_name, model, round(rating, 1), org_id FROM board_entries e JOIN "
        "board_snapshots s USING (snapshot_id) WHERE s.preset = 'lab-flagships-js' AND "
        "snapshot_date = '2026-07-21' ORDER BY rating DESC"
    ).fetchall()
    assert [r[:3] for r in rows] == [
        ("Anthropic", "claude-opus-4-6", 1512.4),
        ("OpenAI", "gpt-5.4", 1499.0),
        ("Google", "gemini-3-pro", 1489.7),
        ("Qwen", "qwen3.7-max-preview", 1485.3),
        ("Moonshot (Kimi)", "kimi-k3", 1482.0),
        ("xAI", "grok-4.5", 1477.8),
        ("GLM", "glm-5.1", 1475.2),
        ("Mistral", "mistral-large-3", 1439.7),
    ]
    assert all(r[3] for r in rows)


def test_ci_notations():
    assert parse_ci("+5/-4", ("+U/-L",)) == (5.0, 4.0)
    assert parse_ci("-7/+9", ("-L/+U",)) == (9.0, 7.0)
    assert parse_ci("±4", ("+U/-L", "±U")) == (4.0, 4.0)
    with pytest.raises(CIError, match=re.escape("unknown CI notation '5..9'")):
        parse_ci("5..9", ("+U/-L", "±U"))


def test_reload_is_idempotent(con, data_root):
    before = con.execute("SELECT count(*), max(loaded_at)::VARCHAR FROM loads").fetchone()
    s = load_arenas(con, [str(data_root / "arena_text_history"), str(data_root / "arena_video")])
    assert s.written == [] and len(s.unchanged) == 63
    assert con.execute("SELECT count(*), max(loaded_at)::VARCHAR FROM loads").fetchone() == before


def _history_rows(data_root: Path, n: int) -> tuple[list[str], list[list[str]]]:
    p = data_root / "arena_text_history" / "kevinschaul_lmarena-leaderboard-history" / "history.csv"
    with p.open(encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        return next(r), [next(r) for _ in range(n)]


def _write(path: Path, header, rows) -> str:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def test_bad_input(tmp_path, data_root):
    header, rows = _history_rows(data_root, 6)
    rows[0][header.index("ci95")] = "[1440, 1460]"
    rows[1][header.index("date")] = "9 Nov 2025"
    rows[2][header.index("organization")] = "Acme Frontier Labs"
    bad = _write(tmp_path / "history.csv", header, rows)
    missing = _write(
        tmp_path / "lmsys_2024-06-19.csv",
        ["rank", "model", "95_pct_ci", "votes", "organization", "license"],
        [["1", "GPT-4o-2024-05-13", "+3/-3", "42046", "OpenAI", "Proprietary"]],
    )
    con = connect(tmp_path / "w.duckdb")
    s = load_arenas(con, [bad, missing])
    assert list(s.rejected) == [missing]
    assert "missing column(s) for rating (one of arena_score, arena_elo)" in s.rejected[missing]
    reasons = [
        r[0]
        for r in con.execute(
            "SELECT reason FROM quarantine ORDER BY location, record_no"
        ).fetchall()
    ]
    assert reasons == [
        "unknown CI notation '[1440, 1460]' (expected +U/-L or ±U)",
        "unparseable date '9 Nov 2025' (expected %Y-%m-%d)",
        "organization 'Acme Frontier Labs' not in the registry (entry kept, organization "
        "unresolved)",
        "missing column(s) for rating (one of arena_score, arena_elo)",
    ]
    # the unknown organization's entry is kept (ranks need it) but unresolved
    assert con.execute("SELECT count(*), count(org_id) FROM board_entries").fetchone() == (4, 3)
    state = con.execute("SELECT count(*) FROM quarantine").fetchone()
    s2 = load_arenas(con, [bad, missing])
    assert s2.written == []
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == state
