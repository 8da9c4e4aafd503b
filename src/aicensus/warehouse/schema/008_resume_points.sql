-- One resume table for every incremental fetch (OpenAlex API pulls, live Hub pulls): one row per
-- committed page, written in the same transaction as the page's rows, so the newest row of a
-- stream always names where to continue. Replaces fetch_cursors and hub_pull_pages.
CREATE TABLE resume_points (
    load_id    VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,           -- 'openalex-api' | 'hub-pull'
    pull_id    VARCHAR NOT NULL,           -- one pull (same filters resume the same pull)
    stream     VARCHAR NOT NULL,           -- one page sequence within the pull ('' if one)
    page_no    INTEGER NOT NULL,           -- 1-based within the stream
    position   VARCHAR NOT NULL,           -- what this page was asked with (cursor or URL)
    next       VARCHAR,                    -- where to continue; NULL: the stream is complete
    records    INTEGER NOT NULL,
    total      BIGINT                      -- the upstream's own count for the stream, if given
);
INSERT INTO resume_points
    SELECT load_id, 'openalex-api', pull_id, stream, page_no, cursor, next_cursor, records,
           meta_count
    FROM fetch_cursors;
INSERT INTO resume_points
    SELECT load_id, 'hub-pull', pull_id, '', page_no, url, next_url, n_models, NULL
    FROM hub_pull_pages;
DROP TABLE fetch_cursors;
DROP TABLE hub_pull_pages;
