"""Apache Spark as a measure engine: a SparkSession from settings, each warehouse table a measure
reads registered in Spark on first use (read in place from Spark-ingest Parquet, or exported from
the DuckDB file once per content, works partitioned by publication year), `works_current`
computed by Spark, and Ibis' pyspark backend on top, so the DuckDB measure expressions run
unchanged.

Master URL and configuration: env AICENSUS_SPARK_MASTER, then `[spark] master` in aicensus.toml,
then `local[*]`; `[spark.conf]` entries are passed to the session as they are.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import ibis

from aicensus.engines import views
from aicensus.errors import AicensusError
from aicensus.warehouse.parquet import has_parquet, parquet_root
from aicensus.warehouse.rows import one_row

# How a table is exported from a DuckDB warehouse when Spark cannot read it in place: works is
# partitioned by publication year (`pub_year`, 0 when unknown) as the Spark ingest writes it;
# every other table is `SELECT * FROM <name>`, unpartitioned.
PARTITIONED = {"works": ("SELECT *, coalesce(year, 0) AS pub_year FROM works", "pub_year")}
# Views Spark computes itself, from base tables, with the one Ibis definition in engines/views.py
# (not exported as DuckDB evaluates them), so the OpenAlex de-duplication runs on the cluster.
VIEWS = {"works_current": (views.works_current, ("works", "loads", "merged_ids"))}

# Defaults for a laptop or CI machine; a cluster sets its own in [spark.conf].
LOCAL_DEFAULTS = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}


def _double_float_literals() -> None:
    """Spark SQL reads a bare `1.0` as DECIMAL(2,1), and Ibis 12's pyspark compiler emits float
    literals bare, so `1.0 / n` became a decimal rounded to 6 places. Cast them to DOUBLE (as
    DuckDB types them) so both engines compute in the same type. Idempotent."""
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    original = PySparkCompiler.visit_NonNullLiteral
    if getattr(original, "_aicensus_double", False):
        return

    def visit(self, op, *, value, dtype):
        result = original(self, op, value=value, dtype=dtype)
        if dtype.is_floating() and result is not None:
            return self.cast(result, dtype)
        return result

    visit.__dict__["_aicensus_double"] = True  # the marker checked above (typed as a dict)
    PySparkCompiler.visit_NonNullLiteral = visit


def master_url(settings: dict) -> str:
    return os.environ.get("AICENSUS_SPARK_MASTER") or settings.get("master") or "local[*]"


def session(settings: dict | None = None) -> Any:
    """The process' SparkSession (created once; `getOrCreate` reuses a running one)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise AicensusError(
            "pyspark is not installed: install the 'spark' extra (uv sync --extra spark)"
        ) from None
    settings = settings or {}
    master = master_url(settings)
    local = master.startswith("local")
    # In local mode the Python workers run this interpreter (which has aicensus installed).
    local_conf = {**LOCAL_DEFAULTS, "spark.pyspark.python": sys.executable} if local else {}
    if local:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    conf = {**local_conf, **settings.get("conf", {})}
    builder = SparkSession.builder.master(master).appName(settings.get("app_name", "aicensus"))
    for key, value in conf.items():
        builder = builder.config(key, str(value))
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Java missing or the master unreachable: one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AicensusError(f"cannot start Spark (master {master}): {first}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Identifies the warehouse content: every load id and content hash (exports are reused
    while it is unchanged)."""
    row = one_row(
        con,
        "SELECT count(*), coalesce(string_agg(load_id || '=' || content_hash || '@' || "
        "CAST(loaded_at AS VARCHAR), ',' ORDER BY load_id), '') FROM loads",
    )
    db = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()")
    path = (db.fetchone() or [""])[0]
    return hashlib.sha256(f"{path}|{row[0]}|{row[1]}".encode()).hexdigest()[:16]


def export_table(con: duckdb.DuckDBPyConnection, directory: Path, name: str) -> Path:
    """Write one warehouse table as Parquet under `directory` (once per warehouse content)."""
    select, part = PARTITIONED.get(name, (f"SELECT * FROM {name}", None))
    target = directory / name
    if not (target / "_DONE").exists():
        opts = "FORMAT parquet, OVERWRITE_OR_IGNORE" + (f", PARTITION_BY ({part})" if part else "")
        target.mkdir(parents=True, exist_ok=True)
        dest = target if part else target / "data.parquet"
        con.execute(f"COPY ({select}) TO ? ({opts})", [str(dest)])
        (target / "_DONE").write_text("")
    return target


def table_source(con: duckdb.DuckDBPyConnection, export_dir: Path, name: str) -> Path:
    """Where Spark reads a table: the Spark ingest's own Parquet when the warehouse is one (no
    copy through DuckDB), otherwise (or for a table it did not write) a DuckDB export."""
    root = parquet_root(con)
    if root is not None and has_parquet(root / name):
        return root / name
    return export_table(con, export_dir, name)


@dataclass
class _Registered:
    """Which warehouse's tables the Spark session holds as temp views. Temp views belong to the
    session, which every SparkEngine in the process shares (getOrCreate), so this is one record
    for all of them: switching warehouse (or engine) re-registers instead of reading another
    warehouse's views."""

    key: tuple[str, str, str] | None = None  # (application id, warehouse fingerprint, export dir)
    tables: set[str] = field(default_factory=set)


_REGISTERED = _Registered()


class SparkEngine:
    """Runs measures on Spark: warehouse tables as Parquet, read by Spark via Ibis."""

    name = "spark"
    _shared: ClassVar[dict[str, SparkEngine]] = {}

    def __init__(self, settings: dict | None = None):
        self.settings = settings or {}
        self._backend: ibis.BaseBackend | None = None

    @classmethod
    def shared(cls, settings: dict) -> SparkEngine:
        key = master_url(settings)
        if key not in cls._shared:
            cls._shared[key] = cls(settings)
        return cls._shared[key]

    @property
    def spark(self) -> Any:
        return session(self.settings)

    def export_root(self) -> Path:
        root = self.settings.get("export_dir") or os.environ.get("AICENSUS_SPARK_EXPORT")
        return Path(root) if root else Path(tempfile.gettempdir()) / "aicensus-spark"

    def _ensure(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        """Register `name` as a Spark temp view (once per warehouse content): a view of VIEWS
        computed by Spark, or a table read from Parquet typed as the warehouse schema says
        (columns a source does not fill are NULL)."""
        if name in _REGISTERED.tables:
            return
        backend, key = self._backend, _REGISTERED.key
        assert backend is not None and key is not None, "backend() connects and keys first"
        spark = self.spark
        if name in VIEWS:
            define, needs = VIEWS[name]
            for dep in needs:
                self._ensure(con, dep)
            df = spark.sql(backend.compile(define(backend)))
        else:
            path = table_source(con, Path(key[2]) / key[1], name)
            df = _as_schema(spark.read.parquet(str(path)), _spark_schema(con, name))
        # Caching every table in memory was measured slower (1M works on local[2]: 180 s for
        # the four bench measures with, 102 s without: caching decodes every column once,
        # scans read only the columns a query needs); a cluster with memory to spare may
        # turn it on with `cache_tables = "true"`.
        cache = str(self.settings.get("cache_tables", "false")).lower() == "true"
        (df.cache() if cache else df).createOrReplaceTempView(name)
        _REGISTERED.tables.add(name)

    def prepare(self, con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> None:
        """Register these tables now (export them if needed) instead of on first use."""
        backend = self.backend(con)
        for name in names:
            backend.table(name)

    def backend(self, con: duckdb.DuckDBPyConnection) -> ibis.BaseBackend:
        if self._backend is None:
            _double_float_literals()
            self._backend = ibis.pyspark.connect(self.spark)
        key = (self.spark.sparkContext.applicationId, fingerprint(con), str(self.export_root()))
        if _REGISTERED.key != key:
            _REGISTERED.key, _REGISTERED.tables = key, set()
        return _LazyTables(self, con, self._backend)


class _LazyTables:
    """The Ibis pyspark backend, registering each warehouse table in Spark on first use, so
    any measure (papers, models, boards, hub) runs without a list of the tables it reads."""

    def __init__(
        self, engine: SparkEngine, con: duckdb.DuckDBPyConnection, backend: ibis.BaseBackend
    ):
        self._engine, self._con, self._backend = engine, con, backend

    def table(self, name: str, **kw: Any) -> ibis.Table:
        self._engine._ensure(self._con, name)
        return self._backend.table(name, **kw)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._backend, attr)


def _spark_schema(con: duckdb.DuckDBPyConnection, table: str) -> Any:
    """The warehouse table's columns as a Spark schema (via its Arrow schema)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    # A cursor: the caller's connection may hold an unfinished result (DuckDB 2 then refuses
    # relation queries on it, and execute().to_arrow_table() warns of a copy).
    empty = con.cursor().sql(f"SELECT * FROM {table} LIMIT 0").to_arrow_table()
    return from_arrow_schema(empty.schema)


def _as_schema(df: Any, schema: Any) -> Any:
    """`df` with exactly the schema's columns, cast; absent ones NULL (ingest Parquet has only
    the OpenAlex columns). Extra columns (the `pub_year` partition) are kept."""
    from pyspark.sql import functions as F

    have = set(df.columns)
    cols = [
        (F.col(f.name) if f.name in have else F.lit(None)).cast(f.dataType).alias(f.name)
        for f in schema.fields
    ]
    extra = [F.col(c) for c in df.columns if c not in {f.name for f in schema.fields}]
    return df.select(*cols, *extra)
