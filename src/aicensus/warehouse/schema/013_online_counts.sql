-- aicensus warehouse, schema version 14: OpenAlex at full scale without a snapshot, and the Hub
-- top-N snapshot.
-- group_by counts fetched per "what counts as AI" definition and publication year (NULL for a
-- plain `openalex group-by` request).
ALTER TABLE group_by_counts ADD COLUMN definition VARCHAR;
ALTER TABLE group_by_counts ADD COLUMN year INTEGER;

-- A stated random sample of works (`/works?sample=N&seed=S`, basic paging): which works it
-- drew, in order. The works themselves are stored through the works parser (works,
-- authorships, affiliations) in the same transaction.
CREATE TABLE openalex_samples (
    load_id      VARCHAR NOT NULL,
    definition   VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    filter       VARCHAR NOT NULL,          -- the filter expression sent
    sample_size  INTEGER NOT NULL,          -- N asked for
    seed         INTEGER NOT NULL,
    position     INTEGER NOT NULL,          -- 1-based order in the sample
    work_id      VARCHAR NOT NULL,
    meta_count   BIGINT                     -- works matching the filter (meta.count)
);

-- Hub listings with `expand`: all-time downloads and the trending score (NULL in dumps).
ALTER TABLE model_stats ADD COLUMN downloads_all_time BIGINT;
ALTER TABLE model_stats ADD COLUMN trending_score DOUBLE;
