"""The affiliation resolver is built once per process for the same inputs: the main job's three
users of it (the paperlists-affonly and OpenReview loads, the resolver evaluation) share one
build, and doing the same again builds none; a changed input builds anew; the main job reads
back an evaluation stored for the same inputs."""

from __future__ import annotations

import gzip
import shutil

import pandas as pd
import pytest

import aicensus
from aicensus.config import load_settings
from aicensus.geo.affiliations.resolver import Resolver
from aicensus.ingest.affiliations import build
from tests.shared import copy_of

pytestmark = pytest.mark.slow  # three resolver builds and one evaluation


@pytest.fixture()
def builds(monkeypatch) -> list[int]:
    """Resolver.build calls made during the test, with the process's kept resolvers dropped
    first (another test of this worker may have built one)."""
    made: list[int] = []
    original = Resolver.build.__func__  # type: ignore[attr-defined]

    def counted(cls, *args, **kwargs):
        made.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Resolver, "build", classmethod(counted))
    build.forget()
    yield made
    build.forget()


def test_the_main_jobs_resolver_users_share_one_build(data_root, tmp_path, builds):
    wh = aicensus.open(tmp_path / "w.duckdb", data_root)

    def resolver_steps() -> None:
        wh.load("paperlists-affonly", venues="emnlp")
        wh.load("openreview", venues="colm", years="2024")
        assert wh.evaluate_resolver(venues="ijcai", save=True).overall().known > 0

    resolver_steps()
    assert len(builds) == 1
    resolver_steps()
    assert len(builds) == 1


def test_a_changed_input_builds_anew(data_root, tmp_path, builds):
    """The same bytes at another path keep the resolver; an OpenAlex institutions file with
    one record fewer does not (the key is the inputs' content, not their paths)."""
    same = load_settings(data_root=data_root)
    first = build.default_resolver(same)
    assert build.default_resolver(same) is first and len(builds) == 1
    copy = tmp_path / "data"
    copy.mkdir()
    for name in ("paperlists", "ror_records"):
        (copy / name).symlink_to(data_root / name, target_is_directory=True)
    works = copy / "openalex_works"
    works.mkdir()
    institutions = data_root / "openalex_works" / "institutions.jsonl.gz"
    shutil.copyfile(institutions, works / institutions.name)
    changed = load_settings(data_root=copy)
    assert build.default_resolver(changed) is first  # same bytes at another path: kept
    lines = gzip.decompress(institutions.read_bytes()).splitlines(keepends=True)
    (works / institutions.name).write_bytes(gzip.compress(b"".join(lines[:-1])))
    assert build.default_resolver(changed) is not first
    assert len(builds) == 2


def test_the_main_job_reuses_an_evaluation_of_unchanged_inputs(
    paperlists_db, data_root, tmp_path, builds
):
    """The main job's evaluation step (reuse) scores once; on the same inputs it reads the
    stored tallies and files back, building no resolver. A chosen venue is always scored."""
    db = copy_of(paperlists_db, tmp_path)
    wh = aicensus.open(db, data_root)
    first = wh.evaluate_resolver(save=True, reuse=True)
    assert len(builds) == 1 and first.files
    build.forget()
    again = wh.evaluate_resolver(save=True, reuse=True)
    assert len(builds) == 1
    assert again is not first and again.holdout == first.holdout
    assert sorted(again.files) == sorted(first.files)
    pd.testing.assert_frame_equal(again.table(), first.table())
    wh.evaluate_resolver(venues="ijcai", save=True, reuse=True)
    assert len(builds) == 2
