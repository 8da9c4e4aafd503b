-- aicensus warehouse, schema version 9: data dates with every load (issue 19). What the loaded
-- rows describe (period_start .. period_end: conference years, model publication dates, board
-- and Hub snapshot dates; NULL for data without a period, e.g. the organization registry), the
-- date upstream's copy was made (copied: the commit or export date of a bundled copy, the fetch
-- date of an online load; NULL when not stated) and the publisher (from upstream.yaml).
ALTER TABLE loads ADD COLUMN period_start DATE;
ALTER TABLE loads ADD COLUMN period_end DATE;
ALTER TABLE loads ADD COLUMN copied DATE;
ALTER TABLE loads ADD COLUMN publisher VARCHAR;

-- Loads made before this version: the period from the rows they hold (the rule
-- warehouse/loading.py applies to new loads); copy date and publisher are read from
-- upstream.yaml when the loads row has none (measures/provenance.py).
UPDATE loads SET period_start = p.s, period_end = p.e FROM (
    SELECT load_id, make_date(min(year), 1, 1) AS s, make_date(max(year), 12, 31) AS e
    FROM works WHERE year IS NOT NULL GROUP BY load_id
    UNION ALL
    SELECT load_id, min(publication_date), max(publication_date)
    FROM models WHERE publication_date IS NOT NULL GROUP BY load_id
    UNION ALL
    SELECT load_id, min(snapshot_date), max(snapshot_date) FROM board_snapshots GROUP BY load_id
    UNION ALL
    SELECT load_id, min(TRY_CAST(snapshot AS DATE)), max(TRY_CAST(snapshot AS DATE))
    FROM hub_snapshots GROUP BY load_id
) p WHERE loads.load_id = p.load_id;
