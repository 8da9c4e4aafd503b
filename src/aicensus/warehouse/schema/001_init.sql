-- aicensus warehouse, schema version 1: papers, affiliations, provenance, quarantine.
-- Every data table carries load_id = '<source>:<key>' so one load replaces exactly its own rows.

CREATE TABLE loads (
    load_id         VARCHAR PRIMARY KEY,   -- '<source>:<key>'
    source          VARCHAR NOT NULL,      -- e.g. 'paperlists'
    key             VARCHAR NOT NULL,      -- logical location, e.g. 'nips/nips2018'
    location        VARCHAR NOT NULL,      -- where it was read: path or URL
    content_hash    VARCHAR NOT NULL,      -- sha256 of the decompressed content
    retrieved_at    TIMESTAMPTZ NOT NULL,
    parser_version  VARCHAR NOT NULL,
    rows_loaded     BIGINT NOT NULL,       -- records loaded (works for paper sources)
    rows_quarantined BIGINT NOT NULL,
    row_counts      VARCHAR NOT NULL,      -- JSON: rows per table
    notes           VARCHAR NOT NULL,      -- JSON: counters (quirks handled, unmapped names)
    loaded_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE works (
    work_id           VARCHAR NOT NULL,    -- e.g. 'paperlists:nips2018:abc123'
    load_id           VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    venue             VARCHAR,             -- lower-case venue code, e.g. 'nips'
    year              INTEGER,
    source_record_id  VARCHAR,             -- the id the source gives (may be absent)
    record_no         INTEGER,             -- 1-based position in the source file
    title             VARCHAR,
    track             VARCHAR,
    status            VARCHAR,
    doi               VARCHAR,
    work_type         VARCHAR,
    n_authors         INTEGER NOT NULL,    -- after de-duplication of repeated bylines
    n_authors_stated  INTEGER,             -- as the source states it
    has_country_table BOOLEAN NOT NULL,    -- the source gives a country table at all
    aligned           BOOLEAN NOT NULL,    -- country index list has one entry per author
    realigned         BOOLEAN NOT NULL,    -- not aligned, but the 'realigned' rule maps it
    citations         BIGINT,              -- citation count (NULL = unknown)
    citation_source   VARCHAR              -- 'google-scholar', 'openalex', ...
);

CREATE TABLE authorships (
    work_id          VARCHAR NOT NULL,
    load_id          VARCHAR NOT NULL,
    position         INTEGER NOT NULL,     -- 0-based byline position
    author_name      VARCHAR,
    raw_affiliation  VARCHAR,
    email_domain     VARCHAR
);

-- One row per (index-list entry x affiliation part). layout says which index lists produced it:
-- 'joint' (country and institution index lists have the same shape), 'country-index' or
-- 'institution-index' (shapes differ: each list gives its own rows).
CREATE TABLE affiliations (
    work_id              VARCHAR NOT NULL,
    load_id              VARCHAR NOT NULL,
    layout               VARCHAR NOT NULL,
    slot                 INTEGER NOT NULL, -- index-list entry (0-based)
    seq                  INTEGER NOT NULL, -- part within the entry (0-based)
    author_position      INTEGER,          -- strict rule: slot when the list is aligned, else NULL
    author_position_realigned INTEGER,     -- 'realigned' rule, NULL where it cannot map
    institution_id       VARCHAR,
    institution_name     VARCHAR,
    country_source_name  VARCHAR,          -- the country name exactly as the source gives it
    country_source       VARCHAR,          -- ISO 3166-1 alpha-2 of that name
    country              VARCHAR,          -- after HK/MO/TW recovery
    country_rule         VARCHAR           -- 'source', 'inst-name', 'inst-url', 'email'
);

CREATE TABLE institutions (
    institution_id  VARCHAR NOT NULL,
    load_id         VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    url             VARCHAR,
    ror             VARCHAR,
    country         VARCHAR,
    n_rows          BIGINT NOT NULL          -- affiliation rows naming it in this load
);

CREATE TABLE quarantine (
    load_id    VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    location   VARCHAR NOT NULL,
    record_id  VARCHAR,
    record_no  INTEGER,
    reason     VARCHAR NOT NULL,
    raw        VARCHAR                    -- the record, truncated to 2,000 characters
);
