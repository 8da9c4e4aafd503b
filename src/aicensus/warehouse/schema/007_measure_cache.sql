-- aicensus warehouse, schema version 7: measure results cached by query and inputs
-- (aicensus.measures.cache), so a repeated `check` or `--explain` reads its figures instead of
-- recomputing them. `key` = sha256 of the cache format, the measure, its canonical query, the
-- engine, the code and the `loads` rows (content hashes, parser versions); every load that
-- writes deletes all rows, so the table never holds a figure of older data.

CREATE TABLE measure_cache (
    key         VARCHAR PRIMARY KEY,
    measure     VARCHAR NOT NULL,      -- the result's name, e.g. papers.share (for people)
    created_at  TIMESTAMPTZ NOT NULL,
    table_ipc   BLOB NOT NULL,         -- the result table as an Arrow IPC stream (zstd)
    meta        VARCHAR NOT NULL       -- the result's metadata as JSON
);
