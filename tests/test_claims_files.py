"""Claim files: the shipped debate file is valid; invalid files give one line naming the file,
the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicensus.claims import files
from aicensus.claims.files import ClaimFileError
from aicensus.claims.variants import grid

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
