"""Claim files: the shipped debate file is valid; invalid files give one line naming the file,
the line and the problem."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aicensus.claims import files
from aicensus.claims.files import ClaimFileError
from aicensus.claims.grammar import MAX_PARENS
from aicensus.claims.variants import MAX_VARIANTS, grid
from aicensus.cli.main import main

REPO = Path(__file__).resolve().parents[1]
DEBATE = REPO / "claims" / "debate.yaml"

GOOD = """\
claims:
  - id: ok
    claim: China leads.
    axes:
      method: [full, author-fractional]
      years: {"2024": [2024]}
    tests:
      - measure: papers.share
        filters: {venues: [ijcai]}
        subject: CN
        condition: share > 0.5
"""


def test_debate_file_is_valid():
    claims = files.load(DEBATE)
    ids = [c.id for c in claims]
    assert len(ids) == len(set(ids)) >= 12
    for needed in (
        "ml-papers-china-most",
        "ml-papers-china-most-openalex",
        "ml-papers-china-vast-majority",
        "open-weights-china-most",
        "video-kling-above-sora-runway",
        "video-vidu-above-sora-runway",
        "video-hailuo-above-sora-runway",
        "video-hunyuan-above-sora-runway",
        "frontier-china-only-other-country",
        "frontier-outside-us-china",
        "korea-japan-not-competitive",
        "china-no-dominant-company",
        "meta-xai-not-at-top",
        "china-papers-cited-less",
    ):
        assert needed in ids


def test_good_file_and_grid():
    (c,) = files.loads(GOOD, "good.yaml")
    assert c.tests[0].subject == {"country": ["CN"]}
    assert c.axes["years"] == {"2024": [2024]}
    combos = grid(c)
    assert [ch for ch, _ in combos] == [
        {"method": "full", "years": "2024"},
        {"method": "author-fractional", "years": "2024"},
    ]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("claims: [", 1, "invalid YAML"),
        ("claims:\n  - id: a\n    claim: x\n   tests: 1\n", 4, "invalid YAML"),
        ("other: 1\n", 1, "list under 'claims'"),
        ("claims: []\n", 1, "no claims"),
        (GOOD.replace("id: ok", "id: Not OK"), 2, "id must be"),
        (GOOD.replace("measure: papers.share", "measure: papers.nope"), 8, "unknown measure"),
        (GOOD.replace("condition: share > 0.5", "condition: share >> 0.5"), 11, "cannot parse"),
        (GOOD.replace("condition: share > 0.5", "condition: eval('1')"), 11, "cannot parse"),
        (GOOD.replace("subject: CN", "subject: China"), 10, "ISO alpha-2"),
        (GOOD.replace("subject: CN", "subject: {org: meta}"), 10, "subjects of kind country"),
        (GOOD.replace("venues: [ijcai]", "venue: [ijcai]"), 9, "has no filter 'venue'"),
        (GOOD.replace("      method:", "      colour:"), 5, "axis 'colour'"),
        (GOOD.replace("    claim: China leads.\n", ""), 2, "claim must be non-empty"),
        (GOOD + GOOD.replace("claims:\n", ""), 12, "duplicate claim id"),
        (GOOD.replace("    tests:", "    tset: 1\n    tests:"), 7, "unknown claim key 'tset'"),
    ],
)
def test_invalid_files_name_file_line_problem(text, line, problem):
    with pytest.raises(ClaimFileError) as exc:
        files.loads(text, "bad.yaml")
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"bad.yaml:{line}: "), msg
    assert problem in msg


def test_unsafe_yaml_tags_rejected(tmp_path: Path):
    p = tmp_path / "evil.yaml"
    p.write_text("claims: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(ClaimFileError) as exc:
        files.load(p)
    assert str(exc.value).startswith(f"{p}:1: ")
    assert not (tmp_path / "pwned").exists()


def test_missing_file(tmp_path: Path):
    with pytest.raises(ClaimFileError, match="cannot read"):
        files.load(tmp_path / "nope.yaml")


# Hostile claim files, each about 1 KB or less: through the `aicensus` entry point they give exit
# 1 and one line naming the file and line, before anything large is built (no warehouse needed).
HEAD = "claims:\n  - id: x\n    claim: y\n"
TEST = (
    "    tests:\n      - measure: papers.share\n{extra}        subject: CN\n"
    "        condition: {cond}\n"
)


def bomb(levels: int = 9, width: int = 9) -> str:
    """A flow-style "billion laughs": each list holds `width` aliases of the previous one."""
    items = [f"&l0 [{','.join(['lol'] * width)}]"]
    items += [f"&l{i} [{','.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "[" + ", ".join(items) + "]"


def claim_text(axes: str = "", extra: str = "", cond: str = "share > 0.5") -> str:
    return HEAD + axes + TEST.format(extra=extra, cond=cond)


TEN_BY_TEN = "".join(
    f"      {name}: [{', '.join(str(2000 + i) for i in range(10))}]\n"
    for name in (*("venues", "years", "method", "regions", "source"), *("a", "b", "c", "d", "e"))
)
HOSTILE = {
    "alias bomb in axes": (
        claim_text(axes=f"    axes:\n      venues: {bomb()}\n"),
        5,
        f"expands past {files.MAX_EXPANDED:,} characters",
    ),
    "alias bomb in filters": (
        claim_text(extra=f"        filters: {{venues: {bomb()}}}\n"),
        6,
        f"expands past {files.MAX_EXPANDED:,} characters",
    ),
    "alias bomb in a label": (
        claim_text(extra=f"        label: {bomb()}\n"),
        6,
        f"expands past {files.MAX_EXPANDED:,} characters",
    ),
    "recursive alias": (
        claim_text(extra="        filters: &f {venues: [*f]}\n"),
        6,
        "refers to the collection that contains it",
    ),
    "YAML nested 20,000 deep": (
        claim_text(extra="        label: " + "[" * 20_000 + "]" * 20_000 + "\n"),
        6,
        f"nested deeper than {files.MAX_NESTING} levels",
    ),
    "10 axes x 10 values": (
        claim_text(axes="    axes:\n" + TEN_BY_TEN, cond="share > 0.5 or a+b+c+d+e > 0"),
        5,
        f"10,000,000,000 variants (10 x 10 x 10 x 10 x 10 x 10 x 10 x 10 x 10 x 10); at most "
        f"{MAX_VARIANTS:,}",
    ),
    "200 nested parentheses": (
        claim_text(cond="'" + "(" * 200 + "share > 0.5" + ")" * 200 + "'"),
        7,
        f"parentheses nested deeper than {MAX_PARENS}",
    ),
    "duplicate key in a test": (
        claim_text(extra="        subject: US\n"),
        7,
        "duplicate key 'subject' (first on line 6)",
    ),
    "duplicate key in a claim": (
        claim_text().replace("    claim: y\n", "    claim: y\n    claim: z\n"),
        4,
        "duplicate key 'claim' (first on line 3)",
    ),
    "duplicate axis": (
        claim_text(axes="    axes:\n      years: [2018]\n      years: [2024]\n"),
        6,
        "duplicate key 'years' (first on line 5)",
    ),
    "duplicate top-level key": (
        claim_text() + "claims: []\n",
        8,
        "duplicate key 'claims' (first on line 1)",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_one_line_through_cli(case, tmp_path, capsys, monkeypatch):
    text, line, problem = HOSTILE[case]
    assert len(text.encode()) < 41_000
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    argv = ["aicensus", "--db", str(tmp_path / "none.duckdb"), "check", str(path)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    assert exc.value.code == 1, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert f"{path}:{line}: " in lines[0] and problem in lines[0], lines[0]


def test_aliases_within_the_cap_and_merge_keys_still_load():
    """Anchors, aliases and merge keys (`<<`, overriding a merged key is not a duplicate) are
    ordinary YAML a claim file may use: only expansion past the cap is refused."""
    text = """\
base: &base {venues: [ijcai], years: [2024]}
claims:
  - id: ok
    claim: China leads.
    axes:
      method: &m [full, author-fractional]
    tests:
      - label: [*m, *m]
        measure: papers.share
        filters: {<<: *base, years: [2018]}
        subject: CN
        condition: share > 0.5
"""
    (c,) = files.loads(text, "ok.yaml")
    assert c.tests[0].filters == {"venues": ["ijcai"], "years": [2018]}
    assert list(c.axes["method"]) == ["full", "author-fractional"]


def test_variant_cap_is_exact():
    """A claim with exactly MAX_VARIANTS variants loads; one more axis value is refused. (The
    axes are named numbers the condition reads: filter axes' values are checked now.)"""
    sizes = (10, 10, MAX_VARIANTS // 100)
    names = ("a", "b", "c")
    cond = "share > 0.5 or a + b + c > 0"
    axes = "    axes:\n" + "".join(
        f"      {n}: [{', '.join(f'v{i}' for i in range(k))}]\n"
        for n, k in zip(names, sizes, strict=True)
    )
    (c,) = files.loads(claim_text(axes=axes, cond=cond), "ok.yaml")
    assert sum(1 for _ in grid(c)) == MAX_VARIANTS
    with pytest.raises(ClaimFileError, match=f"at most {MAX_VARIANTS:,} per claim"):
        files.loads(claim_text(axes=axes.replace("v0, ", "v0, extra, ", 1), cond=cond), "big.yaml")
