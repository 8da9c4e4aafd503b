-- aicensus warehouse, schema version 12: GitHub star rankings (source 'github').
-- Two list families, one load each: 'keyword' (daily top-100 per AI search keyword) and
-- 'language' (monthly top-100 per language, top-100-stars, top-100-forks). repo_key is
-- lower(owner/repo): GitHub names are case-insensitive.

-- One row per (list family, day, repository), however many lists of the family name it.
CREATE TABLE github_snapshots (
    load_id     VARCHAR NOT NULL,
    lists       VARCHAR NOT NULL,     -- 'keyword' | 'language'
    date        DATE NOT NULL,
    repo_key    VARCHAR NOT NULL,
    full_name   VARCHAR NOT NULL,     -- owner/repo as listed that day
    owner       VARCHAR NOT NULL,     -- GitHub account: an organization or a person
    repo        VARCHAR NOT NULL,
    rank        INTEGER NOT NULL,     -- best rank among the lists naming it that day
    stars       BIGINT NOT NULL,      -- highest count of the day (lists are fetched at different times)
    forks       BIGINT,
    n_lists     INTEGER NOT NULL,
    list_names  VARCHAR[] NOT NULL   -- the keywords / languages listing it that day
);

-- Which lists exist on each day and their rows (the keyword set in force on a date).
CREATE TABLE github_list_days (
    load_id  VARCHAR NOT NULL,
    lists    VARCHAR NOT NULL,
    date     DATE NOT NULL,
    list     VARCHAR NOT NULL,
    n_rows   INTEGER NOT NULL
);

-- One row per repository of a list family, with the owner's registry organization.
CREATE TABLE github_repos (
    load_id      VARCHAR NOT NULL,
    lists        VARCHAR NOT NULL,
    repo_key     VARCHAR NOT NULL,
    full_name    VARCHAR NOT NULL,    -- latest spelling
    owner        VARCHAR NOT NULL,
    repo         VARCHAR NOT NULL,
    language     VARCHAR,
    description  VARCHAR,
    first_seen   DATE NOT NULL,
    last_seen    DATE NOT NULL,
    spellings    INTEGER NOT NULL,    -- names differing only in case, merged
    org_id       VARCHAR,             -- registry organization owning the account (NULL: a person or unlisted)
    org_root     VARCHAR,             -- top of its parent chain
    country      VARCHAR              -- headquarters of org_root (NULL = unknown)
);
