"""Settings: where the warehouse and each source live, from aicensus.toml and the environment.

Precedence (highest first): explicit argument (CLI flag), environment variable, `aicensus.toml`
in the current directory (or the file named by AICENSUS_CONFIG), built-in default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from aicensus.errors import AicensusError

EPOCH_URL = "https://epoch.ai/data/notable_ai_models.csv"  # Epoch's public CSV (--online)
PAPERLISTS_UPSTREAM = (
    "https://raw.githubusercontent.com/papercopilot/paperlists/main/{venue}/{venue}{year}.json"
)
# Venue folders of the upstream repository (a URL pattern cannot be listed, so an online load
# without --venues probes these for PAPERLISTS_ONLINE_YEARS; absent venue-years are reported).
PAPERLISTS_VENUES = (
    "3dv",
    "aaai",
    "acl",
    "acml",
    "acmmm",
    "ai4x",
    "aistats",
    "alt",
    "automl",
    "coling",
    "colm",
    "colt",
    "corl",
    "cvpr",
    "eccv",
    "emnlp",
    "iccv",
    "iclr",
    "icml",
    "icra",
    "ijcai",
    "iros",
    "kdd",
    "naacl",
    "nips",
    "rss",
    "siggraph",
    "siggraphasia",
    "uai",
    "wacv",
    "www",
)
# Through next year: upstream publishes a venue's list before its conference (2026 lists late
# 2025); older years are read with --years (e.g. 1987-2012).
PAPERLISTS_ONLINE_YEARS = range(2013, date.today().year + 2)
# Paper Copilot's OpenReview author files (`papercopilot/openreview`, one JSON line per
# submission), joined to the paperlists upstream's accepted-paper lists of the same venue-year.
OPENREVIEW_UPSTREAM = "https://raw.githubusercontent.com/papercopilot/openreview/main/authors/{venue}/{venue}{year}.jsonl"
# Venue folders of its authors/ directory (probed like PAPERLISTS_VENUES).
OPENREVIEW_VENUES = (
    "3dv",
    "acmmm",
    "ai4x",
    "aistats",
    "alt",
    "colm",
    "corl",
    "emnlp",
    "iclr",
    "icml",
    "nips",
    "www",
)

# Online upstreams of the file-based sources (names for Settings.upstream, so tests and mirrors
# can point them elsewhere): raw files of GitHub repositories, the GitHub REST API (commit and
# folder listings) and the Artificial Analysis data API (used only when a key is configured).
GITHUB_RAW = "https://raw.githubusercontent.com"
GITHUB_API = "https://api.github.com"
ARTIFICIAL_ANALYSIS_API = "https://artificialanalysis.ai/api/v2/data/media"
ARTIFICIAL_ANALYSIS_KEY_ENV = "ARTIFICIAL_ANALYSIS_API_KEY"  # sent as the x-api-key header

# Where each source is read from by default: paths under the data root (one place; a
# `[sources] <name> = "..."` entry in aicensus.toml replaces a source's path).
DEFAULT_LOCATIONS: dict[str, tuple[str, ...]] = {
    "paperlists": ("paperlists",),
    "paperlists-affonly": ("paperlists_affonly",),
    "openreview": ("openreview_authors",),
    "epoch": ("epoch_notable_models/notable_ai_models.csv",),
    "arena": ("arena_text_history", "arena_video"),
    "hub": ("hf_models_api", "hf_models_table"),
    "hub-added": ("hf_added_models_2025/added_models_weekly_2025.csv.gz",),
    "openalex": ("openalex_works/works.jsonl.gz",),
    "openalex-institutions": ("openalex_works/institutions.jsonl.gz",),
    "ror": ("ror_records/ror_latest_per_id.jsonl.gz",),
    "github": ("github_rankings/ai_keyword_lists", "github_rankings/all_languages"),
}


# A source whose data end longer ago than this is stale: every verdict using it says so
# (`[freshness] stale_after_days` in aicensus.toml, or AICENSUS_STALE_AFTER_DAYS).
STALE_AFTER_DAYS = 183  # about six months


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one run."""

    db: Path
    data_root: Path
    report: Path
    sources: dict[str, str | list[str]] = field(default_factory=dict)
    claims: Path | None = None  # the claim file the report evaluates (claims/debate.yaml)
    spark: dict = field(default_factory=dict)  # [spark] master, export_dir; [spark.conf] k = v
    stale_after_days: int = STALE_AFTER_DAYS

    def locations(self, source: str) -> list[str]:
        """Where `source` is read from by default: `[sources] <source>` in aicensus.toml (a
        path, or a list of paths), else DEFAULT_LOCATIONS under the data root."""
        if source not in DEFAULT_LOCATIONS:
            raise AicensusError(
                f"unknown source {source!r} (choose from {', '.join(DEFAULT_LOCATIONS)})"
            )
        configured = self.sources.get(source)
        if configured:
            return [configured] if isinstance(configured, str) else [str(c) for c in configured]
        return [str(self.data_root / sub) for sub in DEFAULT_LOCATIONS[source]]

    def upstream(self, name: str, default: str) -> str:
        """The online URL (pattern) of source `name`: env AICENSUS_<NAME>_UPSTREAM, then
        `[sources] <name>_upstream` in aicensus.toml, then the real upstream."""
        env = os.environ.get(f"AICENSUS_{name.upper()}_UPSTREAM")
        return env or str(self.sources.get(f"{name}_upstream") or "") or default


def _find_project_root(start: Path) -> Path:
    """The directory holding pyproject.toml above `start` (for the default data path)."""
    for parent in [start, *start.parents]:
        if (parent / "pyproject.toml").exists():
            return parent
    return start


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise AicensusError(f"{path}: invalid TOML: {exc}") from None


def load_settings(db: str | Path | None = None, data_root: str | Path | None = None) -> Settings:
    """Resolve settings from arguments, environment and aicensus.toml."""
    cfg_path = Path(os.environ.get("AICENSUS_CONFIG", "aicensus.toml"))
    cfg = _read_toml(cfg_path) if cfg_path.exists() else {}
    base = cfg_path.parent.resolve() if cfg_path.exists() else Path.cwd()
    wh = cfg.get("warehouse", {})
    data = cfg.get("data", {})
    rep = cfg.get("report", {})

    def pick(arg, env: str, section: dict, key: str, default: str) -> Path:
        value = arg or os.environ.get(env) or section.get(key)
        if value is None:
            return Path(default)
        path = Path(value).expanduser()
        return path if path.is_absolute() or arg or os.environ.get(env) else base / path

    root = _find_project_root(Path(__file__).resolve().parent)
    default_data = root.parent / "shared" / "data"
    sources = {
        k: [str(x) for x in v] if isinstance(v, list) else str(v)
        for k, v in cfg.get("sources", {}).items()
    }
    return Settings(
        db=pick(db, "AICENSUS_DB", wh, "path", "aicensus.duckdb"),
        data_root=pick(data_root, "AICENSUS_DATA", data, "root", str(default_data)),
        report=pick(None, "AICENSUS_REPORT", rep, "path", "aicensus-report.html"),
        sources=sources,
        claims=pick(None, "AICENSUS_CLAIMS", rep, "claims", str(root / "claims" / "debate.yaml")),
        spark=dict(cfg.get("spark", {})),
        stale_after_days=_stale_after(cfg.get("freshness", {})),
    )


def _stale_after(section: dict) -> int:
    """Days after which a source's data are stale (env, then aicensus.toml, then default)."""
    raw = os.environ.get("AICENSUS_STALE_AFTER_DAYS") or section.get("stale_after_days")
    if raw is None:
        return STALE_AFTER_DAYS
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = -1
    if days < 0:
        raise AicensusError(f"stale_after_days: expected a whole number of days >= 0, got {raw!r}")
    return days
