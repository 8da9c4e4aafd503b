-- aicensus warehouse, schema version 5: Hugging Face Hub models, per-snapshot stats, lineage links,
-- resolved root families with the attribution rule, and the pages of resumable live pulls.
-- A snapshot is (source, snapshot): source 'hf_models_api' / 'hf_models_table' (dumps) or
-- 'hub_pull' (live); snapshot = the date of the data ('YYYY-MM-DD').

CREATE TABLE hub_models (
    load_id        VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    snapshot       VARCHAR NOT NULL,
    model_id       VARCHAR NOT NULL,     -- as the Hub spells it
    namespace      VARCHAR,              -- text before the first '/', NULL for legacy ids
    pipeline_tag   VARCHAR,
    library_name   VARCHAR,
    model_type     VARCHAR,              -- config.model_type or the first known architecture tag
    last_modified  VARCHAR,
    created_at     VARCHAR,
    n_parents      INTEGER NOT NULL      -- distinct lineage parents (0 = no base_model link)
);

-- Downloads and likes per snapshot: trends come from successive snapshots.
CREATE TABLE model_stats (
    load_id    VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    snapshot   VARCHAR NOT NULL,
    model_id   VARCHAR NOT NULL,
    downloads  BIGINT,                   -- the Hub's rolling ~30-day count (NULL = absent)
    likes      BIGINT
);

-- One row per (model, parent): relation finetune | adapter | quantized | merge | unspecified
-- (plain base_model tag or card field); position = order of the parent in the tags (0 = primary).
CREATE TABLE hub_links (
    load_id    VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    snapshot   VARCHAR NOT NULL,
    model_id   VARCHAR NOT NULL,
    parent_id  VARCHAR NOT NULL,
    relation   VARCHAR NOT NULL,
    position   INTEGER NOT NULL,
    origin     VARCHAR NOT NULL          -- 'relation-tag' | 'plain-tag' | 'card'
);

-- The resolved lineage of every model (see aicensus.hub.attribution for the rules).
CREATE TABLE hub_lineage (
    load_id          VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    snapshot         VARCHAR NOT NULL,
    model_id         VARCHAR NOT NULL,
    root_id          VARCHAR NOT NULL,   -- last model reached following primary parents in the data
    root_namespace   VARCHAR,
    depth            INTEGER NOT NULL,   -- primary-parent steps to the root
    ref_id           VARCHAR NOT NULL,   -- root by reference: the absent parent id, else root_id
    ref_namespace    VARCHAR,
    parent_absent    BOOLEAN NOT NULL,   -- the walk ended at a parent missing from the data
    uploader_org     VARCHAR,            -- registry org of the model's own namespace (rolled up)
    uploader_country VARCHAR,
    root_org         VARCHAR,            -- registry org of the root family (rolled up)
    root_country     VARCHAR,
    rule             VARCHAR NOT NULL    -- namespace | lineage | parent-namespace | architecture | packager-architecture | unknown
);

CREATE TABLE hub_snapshots (
    load_id     VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    snapshot    VARCHAR NOT NULL,
    location    VARCHAR NOT NULL,
    n_models    BIGINT NOT NULL,
    complete    BOOLEAN NOT NULL         -- FALSE while a live pull is still paging
);

-- Pages of a live pull: written in the same transaction as the page's models, with the URL of
-- the next page, so a killed pull resumes from the last committed page.
CREATE TABLE hub_pull_pages (
    load_id    VARCHAR NOT NULL,
    pull_id    VARCHAR NOT NULL,
    page_no    INTEGER NOT NULL,
    url        VARCHAR NOT NULL,
    next_url   VARCHAR,                  -- NULL on the last page
    n_models   INTEGER NOT NULL
);
