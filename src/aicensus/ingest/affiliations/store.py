"""Write an evaluation to the warehouse (table `resolver_evaluation`) through the one loader, and
read back one made from the same inputs (the main job does not score unchanged inputs again)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from aicensus.geo.affiliations.resolver import RESOLVER_VERSION
from aicensus.ingest.affiliations.evaluate import Evaluation, Tally
from aicensus.warehouse import LocationRows, load

SOURCE = "resolver-evaluation"


def save(
    con: duckdb.DuckDBPyConnection, ev: Evaluation, location: str, inputs: str | None = None
) -> bool:
    """Store the per-venue tallies (replacing the previous run with the same hold-out); the
    content hash is `inputs` (build.evaluation_inputs) when given, else the tallies' own."""
    df = ev.table()
    df.insert(0, "holdout", ev.holdout)
    df.insert(0, "resolver_version", RESOLVER_VERSION)
    table = pa.Table.from_pandas(df, preserve_index=False)
    digest = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    rows = LocationRows(
        key=f"holdout-{ev.holdout}",
        location=location,
        content_hash=inputs or digest,
        retrieved_at=datetime.now(UTC),
        tables={"resolver_evaluation": table},
        notes={"files": len(ev.files)},
    )
    with load(con, SOURCE, RESOLVER_VERSION) as loader:
        loader.add(rows)
    return bool(loader.result.written)


def stored(con: duckdb.DuckDBPyConnection, holdout: str, inputs: str) -> Evaluation | None:
    """The evaluation of every paperlists file stored for these `inputs` (its tallies, and its
    files: the warehouse's paperlists files with country indexes, when as many as were scored),
    or None (then it is computed)."""
    row = con.execute(
        "SELECT load_id, notes FROM loads WHERE source = ? AND key = ? AND content_hash = ? "
        "AND parser_version = ?",
        [SOURCE, f"holdout-{holdout}", inputs, RESOLVER_VERSION],
    ).fetchone()
    if row is None:
        return None
    files = [
        r[0]
        for r in con.execute(
            "SELECT l.key FROM loads l WHERE l.source = 'paperlists' AND EXISTS "
            "(SELECT 1 FROM works w WHERE w.load_id = l.load_id AND w.has_country_table) "
            "ORDER BY l.key"
        ).fetchall()
    ]
    if len(files) != json.loads(row[1]).get("files"):
        return None
    ev = Evaluation(holdout, files=files)
    tallies = con.execute(
        "SELECT frame, level, venue, known, covered, agree FROM resolver_evaluation "
        "WHERE load_id = ?",
        [row[0]],
    ).fetchall()
    for frame, level, venue, known, covered, agree in tallies:
        ev.tallies[(frame, level, venue)] = Tally(known, covered, agree)
    return ev
