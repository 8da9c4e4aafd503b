-- aicensus warehouse, schema version 11: models created on the Hugging Face Hub week by week
-- (source 'hf_added_models_2025', ../shared/data/hf_added_models_2025): every listing of the
-- weekly files, each model's base-model links (a merge's parents split, one row each), and its
-- resolved root family with the attribution rule (aicensus.hub.attribution). No download counts:
-- these tables measure derivatives, not usage.

-- One row per valid CSV row (a listing). A model listed in several weekly files has one row per
-- listing; `first_listing` marks the one that counts (its earliest week; later weeks are kept
-- here, flagged, never counted as new models).
CREATE TABLE hub_added_models (
    load_id        VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    record_no      INTEGER NOT NULL,     -- line of the CSV file (header = line 1)
    week_end       DATE NOT NULL,        -- last day of the weekly file's week (2025-MM-DD)
    model_id       VARCHAR NOT NULL,
    namespace      VARCHAR NOT NULL,     -- the uploader: text before the first '/'
    relation       VARCHAR,              -- finetune | adapter | quantized | merge; NULL = no base
    base_model     VARCHAR,              -- the upstream field as written (comma-separated merges)
    n_parents      INTEGER NOT NULL,     -- distinct parents named (0 = no base model)
    first_listing  BOOLEAN NOT NULL      -- FALSE: the id (case-insensitive) was listed in an earlier row
);

-- One row per (model, parent) of the counted listings; position 0 = first parent named.
CREATE TABLE hub_added_links (
    load_id         VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    model_id        VARCHAR NOT NULL,
    parent_id       VARCHAR NOT NULL,
    position        INTEGER NOT NULL,
    parent_in_file  BOOLEAN NOT NULL     -- the parent is itself a model of the file
);

-- The root family of every counted model (same columns and rules as hub_lineage).
CREATE TABLE hub_added_lineage (
    load_id          VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    model_id         VARCHAR NOT NULL,
    week_end         DATE NOT NULL,
    relation         VARCHAR,
    namespace        VARCHAR NOT NULL,
    root_id          VARCHAR NOT NULL,   -- last model reached following first parents in the file
    depth            INTEGER NOT NULL,
    ref_id           VARCHAR NOT NULL,   -- root by reference: the absent parent id, else root_id
    ref_namespace    VARCHAR,
    parent_absent    BOOLEAN NOT NULL,
    uploader_org     VARCHAR,
    uploader_country VARCHAR,
    root_org         VARCHAR,
    root_country     VARCHAR,
    rule             VARCHAR NOT NULL    -- as hub_lineage.rule, plus `name` (aicensus.hub.attribution)
);
