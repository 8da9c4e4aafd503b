"""Claim files: YAML read with `yaml.safe_load`-level safety (the composed node tree, so every
error names the file and line), validated into `Claim`s with parsed conditions. Hostile files
are refused, one line each: nesting past MAX_NESTING, aliases expanding past MAX_EXPANDED or
into themselves, duplicate keys, more than `variants.MAX_VARIANTS` variants per claim. Values
are checked against the measures' definitions (claims.checks): every problem of a file is
reported together, one `file:line: problem` line each, before anything runs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aicensus.claims import checks, grammar, registry, sentences
from aicensus.errors import AicensusError
from aicensus.options import parse_years

MAX_BYTES = 2_000_000
MAX_EXPANDED = 2 * MAX_BYTES  # size with every alias written out: scalar characters + 1 a node
MAX_NESTING = 50  # collections inside collections (a claim file needs about 7)
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
SUBJECT_KINDS = ("country", "org", "model")
CLAIM_KEYS = {"id", "claim", "where", "tests", "axes", "tests_are", "notes", "period", "min_sample"}
CLAIM_KEYS |= {"headline", "sentence"}
SCORECARD_KEYS = {"question", "rows"}
ROW_KEYS = {"dimension", "claim", "by", "section", "among"}
QUESTION = "Does China lead AI?"
# The sample a test needs, per unit, unless the claim sets `min_sample` (a number for every
# unit, or a mapping unit -> number). Models are fewer: Epoch lists about 40 frontier models.
MIN_SAMPLE = {"papers": 100, "works": 100, "models": 20, "votes": 1000}
NOW = "now"  # period: the two latest years of each source's data
TEST_KEYS = {"label", "measure", "filters", "subject", "other", "condition"}


class ClaimFileError(AicensusError):
    """An invalid claim file: one line naming the file, the line and the problem."""


@dataclass
class Test:
    """One test: a measure with filters, a subject (and optional `other`), a condition."""

    label: str
    measure: str
    filters: dict[str, Any]
    subject: dict[str, list[str]]
    other: dict[str, list[str]] | None
    condition: grammar.Condition
    line: int


@dataclass
class Claim:
    """A claim in words, where it was made, its tests and the axes it is evaluated along."""

    id: str
    claim: str
    where: str
    tests: list[Test]
    axes: dict[str, dict[str, Any]] = field(default_factory=dict)  # axis -> {label: value}
    tests_are: str = "all"  # all tests must hold, or each test is one variant ("variants")
    notes: str = ""
    file: str = ""
    line: int = 0
    period: str | None = None  # as written: "now" or years ("2024-2025")
    years: tuple[int, int] | None = None  # the period's first and last year ("now": None)
    min_sample: dict[str, int] = field(default_factory=lambda: dict(MIN_SAMPLE))
    # the headline variant: axis -> label ("test" -> a test's label with `tests_are: variants`;
    # axes that test does not read are "-"), and the test whose numbers the sentence reads
    headline: dict[str, str] = field(default_factory=dict)
    headline_test: int = 0
    sentence: str = ""  # the plain-language template (claims.sentences), "" when not given


@dataclass
class ScorecardRow:
    """One dimension of the debate on the front page: the claim whose headline variant decides
    it, the number countries are ranked by, the report section it links to."""

    dimension: str
    claim: str
    by: str
    section: str
    among: tuple[str, ...] = ()  # only these countries are compared (empty: every country)
    line: int = 0


@dataclass
class Scorecard:
    """The front page's question and its dimensions (`scorecard:` of a claim file)."""

    question: str = QUESTION
    rows: list[ScorecardRow] = field(default_factory=list)


@dataclass
class ClaimFile:
    """A claim file read and checked: its claims and its scorecard (empty when not given)."""

    claims: list[Claim]
    scorecard: Scorecard


_MERGE = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses, while composing, what a claim file never needs and a hostile
    one uses: nesting past MAX_NESTING (recursion), aliases whose expansion passes MAX_EXPANDED
    (a few KB expanding to gigabytes when printed or compared) or contains itself, and duplicate
    mapping keys (YAML keeps the last one silently)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> expanded size, once the node is complete

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None and id(target) not in self._sizes:
                raise _refuse(
                    f"alias *{event.anchor} refers to the collection that contains it", event
                )
            return super().compose_node(parent, index)
        if self._depth >= MAX_NESTING:
            raise _refuse(f"nested deeper than {MAX_NESTING} levels", event)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is None:  # PyYAML's composer always returns a node; its stub says Node | None
            return None
        size = self._expanded(node)
        if size > MAX_EXPANDED:
            raise _refuse(
                f"with its aliases written out this value expands past {MAX_EXPANDED:,} characters",
                event,
            )
        self._sizes[id(node)] = size
        return node

    def _expanded(self, node: yaml.Node) -> int:
        """Size of `node` with aliases written out, from its complete children's sizes."""
        if isinstance(node, yaml.ScalarNode):
            return 1 + len(node.value)
        if isinstance(node, yaml.MappingNode):
            kids = [n for pair in node.value for n in pair]
        else:
            kids = node.value
        return 1 + sum(self._sizes[id(k)] for k in kids)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """A mapping, refusing a key given twice (merged `<<` keys may still be overridden)."""
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                seen = key in first
            except TypeError:  # an unhashable key: SafeConstructor reports it
                continue
            if seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first on line {first[key]})",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _refuse(problem: str, event: yaml.Event) -> yaml.MarkedYAMLError:
    # the pure-Python SafeLoader's events carry yaml.error.Mark; the stubs also allow the C one
    return yaml.composer.ComposerError(None, None, problem, event.start_mark)  # type: ignore[arg-type]


class _Ctx:
    """Where a file's values are (line numbers) and the problems found so far."""

    def __init__(self, file: str, root: yaml.Node) -> None:
        self.file, self.root = file, root
        self.problems: list[tuple[int, str]] = []

    def note(self, path: tuple, problem: str) -> None:
        """Record a problem that does not stop reading the rest of the file."""
        line = self.line(path)
        msg = f"{self.file}:{line}: {problem}"
        if (line, msg) not in self.problems:
            self.problems.append((line, msg))

    def line(self, path: tuple) -> int:
        node = self.root
        for key in path:
            if isinstance(node, yaml.MappingNode):
                found = [v for k, v in node.value if k.value == key]
                if not found:
                    break
                node = found[0]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    break
                node = node.value[key]
            else:
                break
        return node.start_mark.line + 1

    def fail(self, path: tuple, problem: str) -> ClaimFileError:
        return ClaimFileError(f"{self.file}:{self.line(path)}: {problem}")


def load(path: str | Path) -> list[Claim]:
    """Read and validate a claim file; ClaimFileError (file:line: problem) when invalid."""
    return read(path).claims


def loads(text: str, file: str = "<claims>") -> list[Claim]:
    """Validate claim-file text (see `load`)."""
    return reads(text, file).claims


def read(path: str | Path) -> ClaimFile:
    """A claim file's claims and scorecard; ClaimFileError (file:line: problem) when invalid."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ClaimFileError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise ClaimFileError(f"{p}: larger than {MAX_BYTES:,} bytes")
    return reads(raw.decode("utf-8", errors="replace"), str(p))


def reads(text: str, file: str = "<claims>") -> ClaimFile:
    """Validate claim-file text (see `read`)."""
    root, data = _parse(text, file)
    if root is None:
        raise ClaimFileError(f"{file}:1: empty claim file")
    ctx = _Ctx(file, root)
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise ctx.fail((), "expected a mapping with a list under 'claims'")
    claims: list[Claim] = []
    seen: set[str] = set()
    for i, c in enumerate(data["claims"]):
        try:
            claim = _claim(ctx, ("claims", i), c)
        except ClaimFileError as exc:  # this claim cannot be read further: go on to the next
            at = re.match(rf"{re.escape(ctx.file)}:(\d+):", str(exc))
            ctx.problems.append((int(at.group(1)) if at else ctx.line(("claims", i)), str(exc)))
            continue
        if claim.id in seen:
            ctx.note(("claims", i, "id"), f"duplicate claim id {claim.id!r}")
        seen.add(claim.id)
        claims.append(claim)
    card = _scorecard(ctx, ("scorecard",), data.get("scorecard"), claims)
    if ctx.problems:
        raise ClaimFileError("\n".join(msg for _, msg in sorted(ctx.problems)))
    if not claims:
        raise ctx.fail(("claims",), "no claims")
    return ClaimFile(claims, card)


def _parse(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data of a claim file, in one pass."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        raise ClaimFileError(f"{file}:{line}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ClaimFileError(f"{file}: invalid YAML: {exc}") from None
    except RecursionError:  # last resort: MAX_NESTING should stop any nesting first
        raise ClaimFileError(f"{file}: invalid YAML: nested too deeply to read") from None
    finally:
        loader.dispose()


def _text(ctx: _Ctx, path: tuple, v: Any, what: str, required: bool = True) -> str:
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        raise ctx.fail(path, f"{what} must be non-empty text")
    return v.strip()


def _claim(ctx: _Ctx, path: tuple, c: Any) -> Claim:
    if not isinstance(c, dict):
        raise ctx.fail(path, "a claim must be a mapping with id, claim, tests")
    unknown = set(c) - CLAIM_KEYS
    if unknown:
        raise ctx.fail((*path, sorted(unknown)[0]), f"unknown claim key {sorted(unknown)[0]!r}")
    cid = c.get("id")
    if not isinstance(cid, str) or not _ID.match(cid):
        raise ctx.fail((*path, "id"), "id must be lower-case letters, digits, '-', '_' or '.'")
    words = _text(ctx, (*path, "claim"), c.get("claim"), "claim")
    where = _text(ctx, (*path, "where"), c.get("where"), "where", required=False)
    notes = _text(ctx, (*path, "notes"), c.get("notes"), "notes", required=False)
    tests_are = c.get("tests_are", "all")
    if tests_are not in ("all", "variants"):
        raise ctx.fail((*path, "tests_are"), "tests_are must be 'all' or 'variants'")
    tests_raw = c.get("tests")
    if not isinstance(tests_raw, list) or not tests_raw:
        raise ctx.fail((*path, "tests"), f"claim {cid}: tests must be a non-empty list")
    tests = [_test(ctx, (*path, "tests", j), t, j) for j, t in enumerate(tests_raw)]
    axes, where_is = _axes(ctx, (*path, "axes"), c.get("axes") or {})
    from aicensus.claims.variants import axis_filter, too_many

    used_names = {n for t in tests for n in t.condition.names}
    for name in axes:
        if name not in used_names and not any(axis_filter(name, t.measure) for t in tests):
            raise ctx.fail(
                (*path, "axes", name),
                f"axis {name!r} is neither a filter of the claim's measures nor a name its "
                "conditions use",
            )
    claim = Claim(
        id=cid,
        claim=words,
        where=where,
        tests=tests,
        axes=axes,
        tests_are=tests_are,
        notes=notes,
        file=ctx.file,
        line=ctx.line(path),
    )
    problem = too_many(claim)  # counted from the axis sizes, before any variant is built
    if problem:
        raise ctx.fail((*path, "axes"), problem)
    claim.period, claim.years = _period(ctx, (*path, "period"), c.get("period"))
    claim.min_sample = _min_sample(ctx, (*path, "min_sample"), c.get("min_sample"))
    claim.headline, claim.headline_test = _headline(ctx, (*path, "headline"), c, claim)
    if c.get("sentence") is not None:
        claim.sentence = str(c["sentence"]).strip()
        for p in sentences.problems(c["sentence"], sentence_fields(claim)):
            ctx.note((*path, "sentence"), p)
    for name, labelled in axes.items():
        for t in tests:
            target = axis_filter(name, t.measure)
            if target is None:
                continue
            for label, value in labelled.items():
                for p in checks.filter_value(t.measure, target, value, t.filters.get("source")):
                    ctx.note(where_is[(name, label)], f"axis {name!r}: {p}")
    for j, t in enumerate(tests):
        params = {a for a in axes if not axis_filter(a, t.measure)}
        at = (*path, "tests", j, "condition")
        for p in checks.condition_names(t.measure, t.condition, t.other is not None, params):
            ctx.note(at, p)
        for p in checks.share_thresholds(t.condition):
            ctx.note(at, p)
    return claim


def _headline(ctx: _Ctx, path: tuple, c: dict, claim: Claim) -> tuple[dict[str, str], int]:
    """The headline variant's choices (as the variant grid writes them) and its test: the
    axis labels given under `headline:`, each other axis at its first value, the first test
    unless `test:` names one."""
    from aicensus.claims.variants import TEST_AXIS, relevant

    given = c.get("headline")
    if given is None:
        given = {}
    if not isinstance(given, dict):
        ctx.note(path, "headline must be a mapping of axis to one of its values")
        given = {}
    labels = [t.label for t in claim.tests]
    j = 0
    if TEST_AXIS in given:
        if str(given[TEST_AXIS]) in labels:
            j = labels.index(str(given[TEST_AXIS]))
        else:
            ctx.note(
                (*path, TEST_AXIS),
                f"headline: no test labelled {given[TEST_AXIS]!r} (tests: {', '.join(labels)})",
            )
    picked: dict[str, str] = {}
    for axis, value in given.items():
        if axis == TEST_AXIS:
            continue
        axis = str(axis)
        if axis not in claim.axes:
            known = ", ".join(claim.axes) or "none"
            ctx.note((*path, axis), f"headline: unknown axis {axis!r} (axes: {known})")
            continue
        label = _label(value)
        if label not in claim.axes[axis]:
            ctx.note(
                (*path, axis),
                f"headline: axis {axis!r} has no value {label!r} "
                f"(choose from {', '.join(claim.axes[axis])})",
            )
            continue
        picked[axis] = label
    choices = {a: picked.get(a, next(iter(vals))) for a, vals in claim.axes.items()}
    if claim.tests_are == "variants":
        read = relevant(claim, claim.tests[j])
        choices = {TEST_AXIS: labels[j], **{a: x if a in read else "-" for a, x in choices.items()}}
    return choices, j


def sentence_fields(claim: Claim) -> dict[str, str]:
    """The fields a claim's sentence may use (claims.sentences) under its headline test."""
    t = claim.tests[claim.headline_test]
    spec = registry.MEASURES[t.measure]
    n = len(claim.tests) if claim.tests_are == "all" else 1
    values = list(spec.values)
    if n > 1:  # every test's numbers as NAME_j
        values = sorted({v for x in claim.tests for v in registry.MEASURES[x.measure].values})
    reads_rest = any(name.startswith("rest.") for name in t.condition.names)
    return sentences.fields(values, claim.axes, t.other is not None, reads_rest, n)


def _scorecard(ctx: _Ctx, path: tuple, v: Any, claims: list[Claim]) -> Scorecard:
    """The `scorecard:` block: a question and one row per dimension naming a claim."""
    if v is None:
        return Scorecard()
    if not isinstance(v, dict):
        ctx.note(path, "scorecard must be a mapping with question and rows")
        return Scorecard()
    for key in set(v) - SCORECARD_KEYS:
        ctx.note((*path, key), f"scorecard: unknown key {key!r} (choose from question, rows)")
    question = v.get("question", QUESTION)
    if not isinstance(question, str) or not question.strip():
        ctx.note((*path, "question"), "scorecard: question must be non-empty text")
        question = QUESTION
    rows_raw = v.get("rows")
    if not isinstance(rows_raw, list) or not rows_raw:
        ctx.note((*path, "rows"), "scorecard: rows must be a non-empty list")
        return Scorecard(question.strip())
    by_id = {c.id: c for c in claims}
    rows = []
    for i, r in enumerate(rows_raw):
        at = (*path, "rows", i)
        if not isinstance(r, dict):
            ctx.note(at, "scorecard row must be a mapping with dimension, claim, by, section")
            continue
        unknown = sorted(set(r) - ROW_KEYS)
        if unknown:
            ctx.note((*at, unknown[0]), f"scorecard row: unknown key {unknown[0]!r}")
        missing = [k for k in ("dimension", "claim", "by", "section") if not r.get(k)]
        if missing:
            ctx.note(at, f"scorecard row: {', '.join(missing)} missing")
            continue
        claim = by_id.get(str(r["claim"]))
        if claim is None:
            ctx.note((*at, "claim"), f"scorecard row: no claim with id {r['claim']!r}")
            continue
        test = claim.tests[claim.headline_test]
        spec = registry.MEASURES[test.measure]
        if r["by"] not in spec.values:
            ctx.note(
                (*at, "by"),
                f"scorecard row: {test.measure} does not produce {r['by']!r} "
                f"(valid names: {', '.join(spec.values)})",
            )
            continue
        if "country" not in spec.kinds:
            ctx.note((*at, "claim"), f"scorecard row: {test.measure} is not by country")
            continue
        among = r.get("among") or []
        among = among if isinstance(among, list) else [among]
        for code in among:
            problem = checks.country(str(code))
            if problem:
                ctx.note((*at, "among"), f"scorecard row: {problem}")
        rows.append(
            ScorecardRow(
                dimension=str(r["dimension"]).strip(),
                claim=claim.id,
                by=str(r["by"]),
                section=str(r["section"]).strip(),
                among=tuple(str(x).upper() for x in among),
                line=ctx.line(at),
            )
        )
    return Scorecard(question.strip(), rows)


def _period(ctx: _Ctx, path: tuple, v: Any) -> tuple[str | None, tuple[int, int] | None]:
    """`period:` as written and its first and last year (`now`: decided per source later)."""
    if v is None:
        return None, None
    if isinstance(v, str) and v.strip().lower() == NOW:
        return NOW, None
    try:
        years = parse_years(v, "period")
    except AicensusError as exc:
        ctx.note(path, f"{exc} (or 'now': the two latest years of each source)")
        return None, None
    if not years:
        ctx.note(path, "period is empty (give YYYY, YYYY-YYYY or 'now')")
        return None, None
    return str(v), (years[0], years[-1])


def _min_sample(ctx: _Ctx, path: tuple, v: Any) -> dict[str, int]:
    """The minimum sample per unit: the defaults, all set by a number or some by a mapping."""
    out = dict(MIN_SAMPLE)
    if v is None:
        return out
    given = v if isinstance(v, dict) else dict.fromkeys(MIN_SAMPLE, v)
    for unit, n in given.items():
        if unit not in MIN_SAMPLE:
            ctx.note(
                (*path, unit),
                f"min_sample: unknown unit {unit!r} (choose from {', '.join(MIN_SAMPLE)})",
            )
        elif isinstance(n, bool) or not isinstance(n, int) or n < 0:
            ctx.note(path, f"min_sample must be a whole number of at least 0, got {n!r}")
        else:
            out[unit] = n
    return out


def _subject(ctx: _Ctx, path: tuple, v: Any, kinds: tuple[str, ...]) -> dict[str, list[str]]:
    if isinstance(v, str):
        v = {"country": v}
    if not isinstance(v, dict) or len(v) != 1:
        raise ctx.fail(path, "subject must be a country code or {country|org|model: value(s)}")
    kind, vals = next(iter(v.items()))
    if kind not in SUBJECT_KINDS:
        raise ctx.fail(path, f"unknown subject kind {kind!r} (choose from country, org, model)")
    if kind not in kinds:
        raise ctx.fail(path, f"this measure takes subjects of kind {', '.join(kinds)}")
    vals = vals if isinstance(vals, list) else [vals]
    if not vals or not all(isinstance(x, str) and x.strip() for x in vals):
        raise ctx.fail(path, "subject values must be non-empty text")
    if kind == "country":
        bad = [x for x in vals if not re.fullmatch(r"[A-Za-z]{2}", x)]
        if bad:
            raise ctx.fail(path, f"country {bad[0]!r} is not an ISO alpha-2 code")
        for x in vals:
            problem = checks.country(x)
            if problem:
                ctx.note(path, problem)
        vals = [x.upper() for x in vals]
    else:
        vals = [x.strip().lower() for x in vals]
    return {kind: vals}


def _test(ctx: _Ctx, path: tuple, t: Any, j: int) -> Test:
    if not isinstance(t, dict):
        raise ctx.fail(path, "a test must be a mapping with measure, subject, condition")
    unknown = set(t) - TEST_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.fail((*path, key), f"unknown test key {key!r}")
    name = t.get("measure")
    if name not in registry.MEASURES:
        raise ctx.fail(
            (*path, "measure"),
            f"unknown measure {name!r} (choose from {', '.join(sorted(registry.MEASURES))})",
        )
    spec = registry.MEASURES[name]
    filters = t.get("filters") or {}
    if not isinstance(filters, dict):
        raise ctx.fail((*path, "filters"), "filters must be a mapping")
    for k in filters:
        if k not in spec.filters:
            raise ctx.fail(
                (*path, "filters", k),
                f"{name} has no filter {k!r} (choose from {', '.join(spec.filters)})",
            )
        for p in checks.filter_value(name, k, filters[k], filters.get("source")):
            ctx.note((*path, "filters", k), p)
    subject = _subject(ctx, (*path, "subject"), t.get("subject"), spec.kinds)
    other = None
    if t.get("other") is not None:
        other = _subject(ctx, (*path, "other"), t.get("other"), spec.kinds)
    try:
        cond = grammar.parse(t.get("condition"))
    except grammar.ConditionError as exc:
        raise ctx.fail((*path, "condition"), str(exc)) from None
    return Test(
        label=str(t.get("label") or f"test {j + 1}"),
        measure=name,
        filters=dict(filters),
        subject=subject,
        other=other,
        condition=cond,
        line=ctx.line(path),
    )


def _axes(
    ctx: _Ctx, path: tuple, axes: Any
) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], tuple]]:
    """The axes ({axis: {label: value}}) and where each value is ((axis, label) -> path)."""
    if not isinstance(axes, dict):
        raise ctx.fail(path, "axes must be a mapping of axis name to its values")
    out: dict[str, dict[str, Any]] = {}
    where: dict[tuple[str, str], tuple] = {}
    for name, values in axes.items():
        if isinstance(values, dict):
            labelled = {str(k): v for k, v in values.items()}
            where.update({(str(name), str(k)): (*path, name, str(k)) for k in values})
        elif isinstance(values, list):
            labelled = {_label(v): v for v in values}
            where.update({(str(name), _label(v)): (*path, name, i) for i, v in enumerate(values)})
        else:
            raise ctx.fail((*path, name), f"axis {name!r}: give a list or a mapping of values")
        if not labelled:
            raise ctx.fail((*path, name), f"axis {name!r} has no values")
        out[str(name)] = labelled
    return out, where


def _label(v: Any) -> str:
    if isinstance(v, list):
        return ",".join(map(str, v))
    return str(v)
