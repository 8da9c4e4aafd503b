-- aicensus warehouse, schema version 6: loads.rows_loaded counts every source's records.
-- Before, only `works` rows were counted, so Epoch, the boards, the Hub and the registry showed
-- 0 loaded. Fill those from row_counts (rows per table, stored by every load) with the rule
-- LocationRows.rows_loaded now applies: the records table (works, models, board_entries,
-- hub_models, institutions, first present), else the location's one other table.
UPDATE loads SET rows_loaded = coalesce(
    CAST(row_counts ->> 'works' AS BIGINT),
    CAST(row_counts ->> 'models' AS BIGINT),
    CAST(row_counts ->> 'board_entries' AS BIGINT),
    CAST(row_counts ->> 'hub_models' AS BIGINT),
    CAST(row_counts ->> 'institutions' AS BIGINT),
    (SELECT sum(CAST(j.value AS BIGINT)) FROM json_each(loads.row_counts) j
     WHERE j.key <> 'quarantine'),
    0)
WHERE rows_loaded = 0;
