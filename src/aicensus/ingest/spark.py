"""OpenAlex snapshot ingest on Spark: the gzipped JSON Lines partitions are read by Spark, each
partition file is normalized by the same `WorkNormalizer`/`InstitutionNormalizer` the DuckDB
reader uses (so the rules cannot drift), and every table is written as Parquet under `out/`
(works partitioned by publication year, `pub_year` = year or 0) that Spark and DuckDB both read.

Incremental like the DuckDB reader: `out/loads` records every partition written; a later run reads
only the `updated_date` partitions not in it (`full=True` rewrites everything). merged_ids files
are read with the DuckDB reader's own function (small CSVs, on the driver) into `out/merged_ids`.
A gzip file is not splittable, so each partition file is read by one task; parallelism comes
from the number of files (the full snapshot has hundreds per updated_date).

A run writes into `out/_runs/<run id>/` and moves its files into place only when every table is
written, `loads` last: an interrupted run leaves the tables as they were (its staging directory
is removed by the next run), never half a partition. `out` is a local or mounted path.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from aicensus.sources.openalex import normalize as nz
from aicensus.sources.openalex import snapshot
from aicensus.warehouse import tables
from aicensus.warehouse.loading import records_loaded

TABLES: tuple[str, ...] = ("works", "authorships", "affiliations", "institutions")
TABLES += ("work_references", "work_concepts", "quarantine")
# merged_ids rows as the DuckDB reader parses them, with the load they belong to.
MERGED_SCHEMA = tables.extend(snapshot.MERGED_IDS, ("load_id", pa.string()))
_CHUNK = 50_000  # rows per Arrow IPC payload between the normalize and write stages
_PAYLOAD = pa.schema([("table", pa.string()), ("payload", pa.binary())])
LOADS_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("source", pa.string()),
        ("key", pa.string()),
        ("location", pa.string()),
        ("content_hash", pa.string()),
        ("retrieved_at", pa.timestamp("us", tz="UTC")),
        ("parser_version", pa.string()),
        ("rows_loaded", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("row_counts", pa.string()),
        ("notes", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
        ("records", pa.int64()),
        ("manifest_count", pa.int64()),
    ]
)


@dataclass
class SparkIngestSummary:
    """What a Spark snapshot ingest did."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    records: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _ipc(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue()


def _load_row(key: str, location: str, loaded_at: datetime, **fields: Any) -> dict:
    """One `loads` row (LOADS_SCHEMA) for a partition or merged_ids file of this run."""
    return {
        "load_id": f"{nz.SOURCE}:{key}",
        "source": nz.SOURCE,
        "key": key,
        "location": location,
        "parser_version": nz.PARSER_VERSION,
        "loaded_at": loaded_at,
        "manifest_count": None,
        **fields,
    }


def _normalize_file(info: dict, lines: list[str]) -> Iterator[tuple[str, bytes]]:
    """One partition file's lines through the DuckDB reader's normalizer -> IPC payloads."""
    import hashlib

    entity, location, key = info["entity"], info["location"], info["key"]
    norm = (nz.WorkNormalizer if entity == "works" else nz.InstitutionNormalizer)(location)
    h = hashlib.sha256()
    for no, line in enumerate(lines, start=1):
        raw = line.encode()
        h.update(raw + b"\n")
        norm.add_line(raw, no)
    load_id = f"{nz.SOURCE}:{key}"
    tables = norm.tables()
    counts = {}
    for name, t in tables.items():
        t = t.append_column("load_id", pa.array([load_id] * t.num_rows, pa.string()))
        if name == "works":
            year = pc.fill_null(t["year"], 0)
            t = t.append_column("pub_year", year)
        counts[name] = t.num_rows
        for off in range(0, max(t.num_rows, 1), _CHUNK):
            yield name, _ipc(t.slice(off, _CHUNK))
    now = info["loaded_at"]  # one time per ingest run (ties between its partitions: load_id)
    loads = _load_row(
        key,
        location,
        now,
        content_hash=h.hexdigest(),
        retrieved_at=now,
        rows_loaded=records_loaded(counts),  # as LocationRows.rows_loaded counts
        rows_quarantined=counts.get("quarantine", 0),
        row_counts=json.dumps({k: v for k, v in counts.items() if k != "quarantine"}),
        notes=json.dumps(norm.summary_notes()),
        records=norm.records,
        manifest_count=info["record_count"],
    )
    yield "loads", _ipc(pa.Table.from_pylist([loads], LOADS_SCHEMA))


def _file_key(name: str) -> str:
    """The same file however Spark spells it (file:/x, file:///x, percent-escapes)."""
    from urllib.parse import unquote

    name = unquote(name)
    if name.startswith("file:"):
        name = "/" + name[5:].lstrip("/")
    return name


def _normalize_batches(files: dict[str, dict]):
    """mapInArrow function: rows (location, line) arrive in file order; group them by file."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        current: str | None = None
        lines: list[str] = []
        for batch in batches:
            locs = batch.column("file").to_pylist()
            vals = batch.column("value").to_pylist()
            for loc, val in zip(locs, vals, strict=True):
                if loc != current:
                    if current is not None:
                        yield from _emit(files[_file_key(current)], lines)
                    current, lines = loc, []
                lines.append(val)
        if current is not None:
            yield from _emit(files[_file_key(current)], lines)

    def _emit(info: dict, lines: list[str]) -> Iterator[pa.RecordBatch]:
        names, payloads = [], []
        for name, payload in _normalize_file(info, lines):
            names.append(name)
            payloads.append(payload)
        yield pa.RecordBatch.from_arrays(
            [pa.array(names, pa.string()), pa.array(payloads, pa.binary())], schema=_PAYLOAD
        )

    return run


def _decode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for payload in batch.column("payload").to_pylist():
            yield from pa.ipc.open_stream(payload).read_all().to_batches()


def _output_schema(name: str) -> pa.Schema:
    if name == "loads":
        return LOADS_SCHEMA
    schema = nz.SCHEMAS[name].append(pa.field("load_id", pa.string()))
    return schema.append(pa.field("pub_year", pa.int32())) if name == "works" else schema


def done_keys(spark: Any, out: Path) -> set[str]:
    """Partition keys already written under `out` (from `out/loads`)."""
    if not (out / "loads").is_dir():
        return set()
    return {r.key for r in spark.read.parquet(str(out / "loads")).select("key").collect()}


def ingest_snapshot(
    spark: Any,
    root: str,
    out: str | Path,
    entities: tuple[str, ...] = ("works",),
    full: bool = False,
) -> SparkIngestSummary:
    """Read the snapshot partitions and merged_ids files under `root` not yet in `out` with
    Spark; write Parquet (staged, then moved into place)."""
    out = Path(out)
    if full and out.exists():
        shutil.rmtree(out)
    shutil.rmtree(out / "_runs", ignore_errors=True)  # what an interrupted run left
    done = done_keys(spark, out)
    summary = SparkIngestSummary()
    todo, merged = [], []
    for entity in entities:
        for p in snapshot.discover(root, entity):
            if p.key in done:
                summary.skipped.append(p.key)
            else:
                snapshot.check_partition(p)  # Spark would fail on it with a JVM stack trace
                todo.append(p)
        for m in snapshot.discover_merged(root, entity):
            if m.key in done:
                summary.skipped.append(m.key)
            else:
                merged.append(m)
    if not todo and not merged:
        return summary
    loaded_at = datetime.now(UTC)
    stage = out / "_runs" / loaded_at.strftime("%Y%m%dT%H%M%S%f")
    load_rows = _write_partitions(spark, todo, stage, loaded_at) if todo else []
    load_rows += _write_merged(spark, merged, stage, loaded_at)
    _write_arrow(spark, pa.Table.from_pylist(load_rows, LOADS_SCHEMA), stage / "loads")
    _publish(stage, out)
    summary.written = sorted(r["key"] for r in load_rows)
    summary.records = sum(r["records"] for r in load_rows)
    for r in load_rows:
        for k, v in json.loads(r["row_counts"]).items():
            summary.rows[k] = summary.rows.get(k, 0) + v
    return summary


def _write_partitions(spark: Any, todo: list, stage: Path, loaded_at: datetime) -> list[dict]:
    """Normalize the partition files on the executors; write each table under `stage`;
    their `loads` rows."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    files, paths = {}, []
    for p in todo:
        path = str(Path(p.location).resolve()) if "://" not in p.location else p.location
        paths.append(path)
        info = {"entity": p.entity, "location": p.location, "key": p.key}
        files[_file_key(path)] = {**info, "record_count": p.record_count, "loaded_at": loaded_at}
    lines = spark.read.text(paths).select(F.input_file_name().alias("file"), F.col("value"))
    payloads = lines.mapInArrow(_normalize_batches(files), from_arrow_schema(_PAYLOAD)).persist()
    try:
        loads = payloads.filter(F.col("table") == "loads").mapInArrow(
            _decode, from_arrow_schema(LOADS_SCHEMA)
        )
        load_rows = [r.asDict() for r in loads.collect()]
        for r in load_rows:
            snapshot.check_count(r["location"], r["records"], r["manifest_count"])
        for name in TABLES:
            schema = _output_schema(name)
            df = payloads.filter(F.col("table") == name).mapInArrow(
                _decode, from_arrow_schema(schema)
            )
            writer = df.write.mode("append")
            if name == "works":
                writer = writer.partitionBy("pub_year")
            writer.parquet(str(stage / name))
    finally:
        payloads.unpersist()
    return load_rows


def _write_merged(spark: Any, merged: list, stage: Path, loaded_at: datetime) -> list[dict]:
    """merged_ids files through `snapshot.read_merged` (the DuckDB reader's) into `stage`;
    their `loads` rows."""
    tables, bad, load_rows = [], [], []
    for m in merged:
        rows = snapshot.read_merged(m)
        t, q = rows.tables["merged_ids"], rows.tables["quarantine"]
        row = _load_row(
            m.key,
            m.location,
            loaded_at,
            content_hash=rows.content_hash,
            retrieved_at=rows.retrieved_at,
            rows_loaded=rows.rows_loaded,
            rows_quarantined=rows.rows_quarantined,
            row_counts=json.dumps({"merged_ids": t.num_rows}),
            notes=json.dumps(rows.notes),
            records=t.num_rows,
        )
        ids = pa.repeat(pa.scalar(row["load_id"], pa.string()), t.num_rows)
        tables.append(t.append_column("load_id", ids))
        bad.append(q.append_column("load_id", pa.repeat(row["load_id"], q.num_rows)))
        load_rows.append(row)
    if tables:
        _write_arrow(spark, pa.concat_tables(tables).cast(MERGED_SCHEMA), stage / "merged_ids")
    if any(q.num_rows for q in bad):  # rows quarantined by the reader, kept like the partitions'
        quarantine = pa.concat_tables(bad).cast(_output_schema("quarantine"))
        _write_arrow(spark, quarantine, stage / "quarantine")
    return load_rows


def _write_arrow(spark: Any, table: pa.Table, path: Path) -> None:
    """A small driver-side Arrow table as Parquet through Spark (so cluster paths work)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    df = spark.createDataFrame(table.to_pandas(), schema=from_arrow_schema(table.schema))
    df.coalesce(1).write.mode("append").parquet(str(path))


def _publish(stage: Path, out: Path) -> None:
    """Move the staged Parquet files into `out/<table>/` (same sub-directories), `loads` last,
    so `out/loads` names a partition only once all its rows are in place."""
    tables = sorted((p.name for p in stage.iterdir() if p.is_dir()), key=lambda t: t == "loads")
    for name in tables:
        for f in sorted((stage / name).glob("**/*.parquet")):
            target = out / name / f.relative_to(stage / name)
            target.parent.mkdir(parents=True, exist_ok=True)
            f.rename(target)
    shutil.rmtree(stage.parent, ignore_errors=True)
