-- aicensus warehouse, schema version 3: OpenAlex works, institutions, references, concepts,
-- group_by aggregates, API fetch cursors (resume state) and snapshot merged ids.
-- OpenAlex ids are stored short ('W123', 'I123', 'S123', 'A123'; subfields '1702', fields '17').

ALTER TABLE works ADD COLUMN topic_id VARCHAR;        -- primary topic 'T123'
ALTER TABLE works ADD COLUMN topic_name VARCHAR;
ALTER TABLE works ADD COLUMN subfield_id VARCHAR;     -- primary topic's subfield, e.g. '1702'
ALTER TABLE works ADD COLUMN subfield_name VARCHAR;
ALTER TABLE works ADD COLUMN field_id VARCHAR;        -- primary topic's field, e.g. '17'
ALTER TABLE works ADD COLUMN field_name VARCHAR;
ALTER TABLE works ADD COLUMN fwci DOUBLE;             -- field-weighted citation impact
ALTER TABLE works ADD COLUMN source_id VARCHAR;       -- OpenAlex source (journal/conference) 'S123'
ALTER TABLE works ADD COLUMN source_name VARCHAR;     -- its display name (host_venue era: venue name)
ALTER TABLE works ADD COLUMN updated_date DATE;       -- the record's updated_date (newest wins)
ALTER TABLE works ADD COLUMN schema_era VARCHAR;      -- 'topics', 'concepts' or 'host_venue'

ALTER TABLE authorships ADD COLUMN author_id VARCHAR;          -- 'A123'
ALTER TABLE authorships ADD COLUMN author_position_tag VARCHAR; -- 'first', 'middle', 'last'
ALTER TABLE authorships ADD COLUMN is_corresponding BOOLEAN;

ALTER TABLE institutions ADD COLUMN institution_type VARCHAR;  -- 'education', 'company', ...
ALTER TABLE institutions ADD COLUMN lineage VARCHAR[];         -- parent chain, short ids

CREATE TABLE work_references (
    work_id             VARCHAR NOT NULL,
    load_id             VARCHAR NOT NULL,
    referenced_work_id  VARCHAR NOT NULL       -- 'W123'
);

-- Legacy concepts of level 0-1 (the levels the concept-based AI definitions use).
CREATE TABLE work_concepts (
    work_id      VARCHAR NOT NULL,
    load_id      VARCHAR NOT NULL,
    concept_id   VARCHAR NOT NULL,             -- 'C154945302'
    concept_name VARCHAR,
    level        INTEGER,
    score        DOUBLE
);

-- OpenAlex group_by aggregates (e.g. authorships.countries per year), with the request made.
CREATE TABLE group_by_counts (
    load_id           VARCHAR NOT NULL,
    entity            VARCHAR NOT NULL,        -- 'works'
    filter            VARCHAR,                 -- the filter expression sent (no secrets)
    group_by          VARCHAR NOT NULL,        -- e.g. 'authorships.countries'
    key               VARCHAR,                 -- short key: 'US', 'article', '2021'
    key_raw           VARCHAR,                 -- as returned, e.g. 'https://openalex.org/types/article'
    key_display_name  VARCHAR,
    count             BIGINT NOT NULL,
    meta_count        BIGINT,                  -- meta.count: works matching the filter
    groups_count      INTEGER
);

-- API pull resume state: one row per committed page, written in the same transaction as the
-- page's rows, so the newest row of a stream always names the next cursor to ask for.
CREATE TABLE fetch_cursors (
    load_id      VARCHAR NOT NULL,
    pull_id      VARCHAR NOT NULL,
    stream       VARCHAR NOT NULL,             -- one cursor sequence (filter chunk)
    page_no      INTEGER NOT NULL,             -- 1-based within the stream
    cursor       VARCHAR NOT NULL,             -- cursor used for this page ('*' first)
    next_cursor  VARCHAR,                      -- NULL: the stream is complete
    records      INTEGER NOT NULL,
    meta_count   BIGINT
);

-- Snapshot merged_ids: records merged into others, removed from works_current.
CREATE TABLE merged_ids (
    load_id        VARCHAR NOT NULL,
    entity         VARCHAR NOT NULL,           -- 'works', 'institutions'
    merged_id      VARCHAR NOT NULL,           -- short id that no longer exists
    merge_into_id  VARCHAR,
    merged_date    DATE
);

-- One row per work: other sources as loaded; OpenAlex works de-duplicated across loads (the
-- newest updated_date wins, then the newest load) and without ids merged away.
CREATE VIEW works_current AS
SELECT w.* FROM works w WHERE w.source <> 'openalex'
UNION ALL BY NAME
SELECT * EXCLUDE (_loaded_at) FROM (
    SELECT w.*, l.loaded_at AS _loaded_at
    FROM works w LEFT JOIN loads l ON l.load_id = w.load_id
    WHERE w.source = 'openalex'
      AND w.work_id NOT IN (SELECT merged_id FROM merged_ids WHERE entity = 'works')
    QUALIFY row_number() OVER (
        PARTITION BY w.work_id
        ORDER BY w.updated_date DESC NULLS LAST, l.loaded_at DESC, w.load_id DESC) = 1
);
