-- aicensus warehouse, schema version 2: organizations, models (Epoch AI), leaderboards (arenas).
-- Every data table carries load_id = '<source>:<key>' so one load replaces exactly its own rows.

-- The organization registry as loaded (source 'orgs', key 'registry'), so measures can join
-- headquarters countries and parent roll-ups. Reloaded whenever registry.yaml changes.
CREATE TABLE orgs (
    org_id        VARCHAR NOT NULL,
    load_id       VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,        -- company | university | research-lab | government | nonprofit
    country       VARCHAR NOT NULL,        -- headquarters, ISO 3166-1 alpha-2
    parent_id     VARCHAR,
    root_id       VARCHAR NOT NULL,        -- top of the parent chain (itself if no parent)
    root_country  VARCHAR NOT NULL,        -- headquarters of root_id
    ror           VARCHAR
);

-- One row per model record (Epoch AI notable models).
CREATE TABLE models (
    model_id           VARCHAR NOT NULL,   -- 'epoch:<model name>'
    load_id            VARCHAR NOT NULL,
    source             VARCHAR NOT NULL,
    record_no          INTEGER NOT NULL,   -- 1-based data row in the file
    name               VARCHAR NOT NULL,
    publication_date   DATE,               -- NULL when the source gives none
    year               INTEGER,
    domain             VARCHAR,
    task               VARCHAR,
    parameters         DOUBLE,
    training_compute   DOUBLE,             -- FLOP
    compute_confidence VARCHAR,
    accessibility      VARCHAR,            -- as the source writes it
    open_weights       BOOLEAN,            -- NULL when accessibility is unknown
    frontier           BOOLEAN NOT NULL,
    notability         VARCHAR,            -- comma-separated criteria, as given
    organization_raw   VARCHAR,
    country_raw        VARCHAR,
    n_orgs             INTEGER NOT NULL,
    n_countries_listed INTEGER NOT NULL,   -- entries in the country list (repeats kept)
    orgs_aligned       BOOLEAN NOT NULL,   -- one country entry per organization
    base_model         VARCHAR
);

-- One row per (model, organization) in the source's order.
CREATE TABLE model_orgs (
    model_id             VARCHAR NOT NULL,
    load_id              VARCHAR NOT NULL,
    position             INTEGER NOT NULL, -- 0-based
    org_name             VARCHAR NOT NULL, -- as the source writes it
    org_id               VARCHAR,          -- registry id (NULL = unmatched)
    org_rule             VARCHAR,          -- exact | normalized | fuzzy
    org_score            DOUBLE,
    sector               VARCHAR,          -- Epoch's categorization at the same position
    country_source_name  VARCHAR,          -- paired by position; NULL when lists are misaligned
    country_source       VARCHAR           -- ISO alpha-2 of that name
);

-- Distinct countries the source states for a model (independent of organization pairing).
CREATE TABLE model_countries (
    model_id             VARCHAR NOT NULL,
    load_id              VARCHAR NOT NULL,
    country_source_name  VARCHAR NOT NULL,
    country_source       VARCHAR           -- ISO alpha-2; NULL for 'Multinational' and unmapped
);

-- One row per leaderboard snapshot: a board on a date from a publisher.
CREATE TABLE board_snapshots (
    snapshot_id    VARCHAR NOT NULL,       -- '<preset>:<board>:<date>'
    load_id        VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,       -- 'arena'
    preset         VARCHAR NOT NULL,       -- column mapping used, e.g. 'lmarena-csv'
    board          VARCHAR NOT NULL,       -- text | text-to-video | image-to-video | text-lab-flagships
    publisher      VARCHAR NOT NULL,       -- e.g. 'LMArena', 'Artificial Analysis'
    snapshot_date  DATE NOT NULL,
    location       VARCHAR NOT NULL,
    n_entries      INTEGER NOT NULL,
    has_ci         BOOLEAN NOT NULL
);

-- Ranks are not stored: measures/boards.py derives strict and CI-aware ranks from ratings
-- and intervals, so the same definition serves all rows and filtered views (e.g. current only).
CREATE TABLE board_entries (
    snapshot_id     VARCHAR NOT NULL,
    load_id         VARCHAR NOT NULL,
    record_no       INTEGER NOT NULL,      -- row in the source file (1-based)
    model           VARCHAR NOT NULL,
    org_name        VARCHAR,               -- as the source writes it
    org_id          VARCHAR,               -- registry id (NULL = unmatched)
    org_rule        VARCHAR,
    country_source  VARCHAR,               -- country the source states (ISO alpha-2), if any
    rating          DOUBLE NOT NULL,
    ci_plus         DOUBLE,                -- upper half-width of the 95% interval
    ci_minus        DOUBLE,                -- lower half-width
    votes           BIGINT,
    rank_source     INTEGER,               -- the rank the file states (NULL if none)
    model_key       VARCHAR,               -- the source's stable key where it has one
    license         VARCHAR,
    open_weights    BOOLEAN,               -- from license / open-weights field; NULL if unknown
    is_current      BOOLEAN                -- Artificial Analysis flag; NULL elsewhere
);
