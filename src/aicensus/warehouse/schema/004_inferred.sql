-- schema 4: countries inferred from raw affiliation text and email domains (issue 13).
-- Sources without country fields (paperlists_affonly) fill the inferred columns of
-- `affiliations`; country_source/country stay NULL there. One row per (entry, part, country).
ALTER TABLE affiliations ADD COLUMN raw_affiliation VARCHAR;       -- the text part resolved
ALTER TABLE affiliations ADD COLUMN email_domain VARCHAR;          -- the author's email domain
ALTER TABLE affiliations ADD COLUMN country_inferred VARCHAR;      -- ISO alpha-2, HK/MO/TW kept
ALTER TABLE affiliations ADD COLUMN inferred_institution VARCHAR;  -- matched institution name
ALTER TABLE affiliations ADD COLUMN inferred_rule VARCHAR;         -- e.g. 'text-country', 'name-exact:ror'
ALTER TABLE affiliations ADD COLUMN inferred_confidence DOUBLE;
ALTER TABLE affiliations ADD COLUMN inferred_headquarters BOOLEAN; -- company resolved to its HQ
ALTER TABLE affiliations ADD COLUMN resolver_version VARCHAR;

-- Accuracy of the resolver measured on paperlists files with country indexes
-- (`aicensus resolve evaluate --save`); measures on inferred countries quote it.
CREATE TABLE resolver_evaluation (
    load_id          VARCHAR NOT NULL,
    resolver_version VARCHAR NOT NULL,
    holdout          VARCHAR NOT NULL,   -- 'file' or 'venue' (learned pairs held out)
    frame            VARCHAR NOT NULL,   -- 'source' (HK/MO/TW folded) or 'recovered'
    level            VARCHAR NOT NULL,   -- 'paper' or 'author'
    venue            VARCHAR NOT NULL,   -- venue code, or 'all'
    known            BIGINT NOT NULL,    -- papers/authors with a source country
    covered          BIGINT NOT NULL,    -- of those, with an inferred country
    agree            BIGINT NOT NULL,    -- of those, with the same country set
    coverage         DOUBLE,
    agreement        DOUBLE
);
