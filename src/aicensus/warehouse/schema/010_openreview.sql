-- aicensus warehouse, schema version 10: Paper Copilot's OpenReview author files
-- (source openreview_authors, ../shared/data/openreview_authors/SOURCE.md). Accepted papers of
-- the lists go to works/authorships/affiliations like paperlists_affonly; these tables keep
-- every author record (rejected submissions included) and how each listed paper was joined.

-- One row per author slot of an author record (byline order).
CREATE TABLE openreview_authors (
    load_id          VARCHAR NOT NULL,
    venue            VARCHAR NOT NULL,
    year             INTEGER NOT NULL,
    record_id        VARCHAR NOT NULL,   -- OpenReview forum id
    record_no        INTEGER NOT NULL,   -- 1-based line in the author file
    position         INTEGER NOT NULL,   -- 0-based byline position
    author_name      VARCHAR,
    raw_affiliation  VARCHAR,            -- the whole `aff` slot (NULL = empty slot)
    email_domain     VARCHAR,            -- the whole `aff_domain` slot
    author_title     VARCHAR             -- self-declared `position` ('PhD student', ...)
);

-- Countries inferred per author record, as `affiliations` holds them for works: one row per
-- (affiliation slot, '+'-part, country); author_position NULL when the slots do not line up.
CREATE TABLE openreview_affiliations (
    load_id               VARCHAR NOT NULL,
    venue                 VARCHAR NOT NULL,
    year                  INTEGER NOT NULL,
    record_id             VARCHAR NOT NULL,
    layout                VARCHAR NOT NULL,
    slot                  INTEGER NOT NULL,
    seq                   INTEGER NOT NULL,
    author_position       INTEGER,
    raw_affiliation       VARCHAR,
    email_domain          VARCHAR,
    country_inferred      VARCHAR,
    inferred_institution  VARCHAR,
    inferred_rule         VARCHAR,
    inferred_confidence   DOUBLE,
    inferred_headquarters BOOLEAN,
    resolver_version      VARCHAR
);

-- One row per accepted paper of a list: the author record it was joined to and the rule.
-- join_rule: 'id', 'byline-exact', 'byline-fuzzy', 'unjoined', 'no-author-file'.
-- byline_record_id/byline_rule: what the byline rules alone pick (ids ignored), so lists with
-- OpenReview ids measure the byline rules' wrong joins.
CREATE TABLE openreview_joins (
    load_id          VARCHAR NOT NULL,
    work_id          VARCHAR NOT NULL,
    venue            VARCHAR NOT NULL,
    year             INTEGER NOT NULL,
    list_record_id   VARCHAR,
    record_id        VARCHAR,
    join_rule        VARCHAR NOT NULL,
    join_score       DOUBLE,
    byline_record_id VARCHAR,
    byline_rule      VARCHAR
);
