"""The SQL of the paperlists parser (sources/paperlists.py runs it in a private DuckDB).

Each statement builds one temp table over all files of a batch; the rules are SOURCE.md's and
the module docstring of sources/paperlists.py's. Python strips (`str.strip()`) all Unicode
whitespace, so `pl_strip` trims the same characters (`PY_WHITESPACE`, checked by a test).
"""

from __future__ import annotations

# Every character for which str.isspace() is true (tests/test_paperlists_parse.py checks it).
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# The fields read from every record (all as text: JSON numbers become their decimal text).
FIELDS = (
    "id",
    "title",
    "track",
    "status",
    "author",
    "aff",
    "aff_unique_norm",
    "aff_unique_index",
    "aff_unique_url",
    "aff_country_unique",
    "aff_country_unique_index",
    "email",
    "aff_domain",
    "gs_citation",
    "author_num",
)
# Fields whose value may hold a non-text JSON value (list, object, boolean) that the record
# checks in Python must look at (see `CANDIDATES`).
TYPED = (*FIELDS[1:13], "gs_citation")

_STRUCT = "[{" + ", ".join(f'"{f}": "VARCHAR"' for f in FIELDS) + "}]"

MACROS = [
    f"CREATE OR REPLACE MACRO pl_strip(s) AS trim(s, '{PY_WHITESPACE}')",
    # Python's [x.strip() for x in s.split(sep)]; NULL -> [].
    """CREATE OR REPLACE MACRO pl_split(s, sep) AS CASE WHEN s IS NULL THEN []::VARCHAR[]
        ELSE list_transform(string_split(s, sep), lambda x: pl_strip(x)) END""",
    # True when xs is its first p items repeated.
    """CREATE OR REPLACE MACRO pl_periodic(xs, p) AS
        list_transform(range(len(xs)), lambda i: xs[i % p + 1]) = xs""",
    # How many items a byline keeps after halving it while it is two identical halves.
    """CREATE OR REPLACE MACRO pl_halved_len(xs) AS CASE
        WHEN len(xs) % 2 = 0 AND len(xs) > 0 AND xs[1:len(xs) // 2] = xs[len(xs) // 2 + 1:]
        THEN list_min(list_filter(
            list_transform(range(1, 1 + floor(log2(len(xs)))::INTEGER), lambda j:
                CASE WHEN len(xs) % (1 << j) = 0 THEN len(xs) // (1 << j) END),
            lambda p: p IS NOT NULL AND pl_periodic(xs, p)))
        ELSE len(xs) END""",
    # Python's paperlists._repeats: values is its first n items repeated two or more times.
    """CREATE OR REPLACE MACRO pl_repeats(v, n) AS
        0 < n AND n < len(v) AND len(v) % n = 0 AND pl_periodic(v, n)""",
    # The non-empty stripped `+`-parts of one index entry.
    """CREATE OR REPLACE MACRO pl_parts(e) AS
        list_filter(list_transform(string_split(e, '+'), lambda x: pl_strip(x)), lambda x: x <> '')""",
    # '0+1;;2' -> [[0, 1], [], [2]] (an integer too large for BIGINT becomes NULL: out of range).
    """CREATE OR REPLACE MACRO pl_index(s) AS CASE WHEN s IS NULL THEN []::BIGINT[][]
        ELSE list_transform(string_split(s, ';'),
            lambda e: list_transform(pl_parts(e), lambda x: TRY_CAST(x AS BIGINT))) END""",
    # The first entry with a part that is not an integer (NULL when all are).
    """CREATE OR REPLACE MACRO pl_index_bad(s) AS list_filter(string_split(s, ';'),
        lambda e: list_bool_or(list_transform(pl_parts(e),
            lambda x: NOT regexp_full_match(x, '-?[0-9]+'))))[1]""",
    # An integer field: its value, or NULL when empty/not a number; `hi` bounds the range.
    """CREATE OR REPLACE MACRO pl_int(s) AS CASE
        WHEN regexp_full_match(pl_strip(s), '[+-]?[0-9]+') THEN TRY_CAST(pl_strip(s) AS HUGEINT)
        WHEN TRY_CAST(s AS DOUBLE) = floor(TRY_CAST(s AS DOUBLE))
            AND abs(TRY_CAST(s AS DOUBLE)) < 1e38 THEN TRY_CAST(s AS DOUBLE)::HUGEINT END""",
    """CREATE OR REPLACE MACRO pl_odd(v) AS v IN ('true', 'false')
        OR (starts_with(v, '[') AND ends_with(v, ']'))
        OR (starts_with(v, '{') AND ends_with(v, '}'))""",
]

# One row per file: its records as a list of structs (NULL when the JSON is not an array).
ARRAYS = f"""
CREATE OR REPLACE TEMP TABLE pl_arr AS
SELECT file_no, from_json(content, '{_STRUCT}') AS r FROM pl_files
"""

RECORDS = """
CREATE OR REPLACE TEMP TABLE pl_rec AS
SELECT file_no, unnest(range(1, len(r) + 1))::INTEGER AS record_no, unnest(r) AS p
FROM pl_arr WHERE r IS NOT NULL
"""

COUNTRY_NAMES = """
SELECT DISTINCT unnest(pl_split(p.aff_country_unique, ';')) AS name FROM pl_rec
WHERE p.aff_country_unique IS NOT NULL
"""

# Per record: the byline, the lists and flags the rows are built from, and the checks.
_ALL_NULL = " AND ".join(f"p.{f} IS NULL" for f in FIELDS)
_NO_PAPER_FIELDS = " AND ".join(
    f"coalesce(p.{f}, '') = ''" for f in FIELDS if f not in ("id", "aff_unique_url", "author_num")
)
_ODD = " OR ".join(f"coalesce(pl_odd(p.{f}), false)" for f in TYPED)
_SAME_PAPER = " AND ".join(
    f"p.{f} IS NOT DISTINCT FROM first_value(p.{f}) OVER w"
    for f in FIELDS
    if f not in ("id", "aff_unique_url", "author_num")
)

PAPERS = f"""
CREATE OR REPLACE TEMP TABLE pl_p AS
WITH base AS (
    SELECT file_no, record_no, p,
        CASE WHEN p.id <> '' THEN p.id END AS rid,
        p IS NULL OR ({_ALL_NULL}) OR {_ODD} AS candidate,
        {_NO_PAPER_FIELDS} AS empty,
        list_filter(pl_split(p.author, CASE WHEN contains(p.author, ';') THEN ';' ELSE ',' END),
            lambda x: x <> '') AS names,
        p.aff_country_unique IS NOT NULL AND p.aff_country_unique_index IS NOT NULL AS has_table
    FROM pl_rec
), ids AS (
    SELECT *,
        rid IS NOT NULL AND row_number() OVER w > 1 AS id_repeated,
        rid IS NOT NULL AND row_number() OVER w > 1 AND ({_SAME_PAPER}) AS same_paper
    FROM base
    WINDOW w AS (PARTITION BY file_no, rid ORDER BY record_no
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), byline AS (
    SELECT *, pl_halved_len(names) AS n FROM ids
), lists AS (
    SELECT file_no, record_no, p, rid, candidate, empty, id_repeated, same_paper, has_table, n,
        n < len(names) AS halved,
        names[1:n] AS authors,
        pl_split(p.aff, ';') AS aff0,
        pl_split(CASE WHEN coalesce(p.email, '') = '' THEN p.aff_domain ELSE p.email END, ';')
            AS emails0,
        CASE WHEN has_table THEN pl_split(p.aff_country_unique, ';') ELSE []::VARCHAR[] END
            AS cnames,
        CASE WHEN has_table THEN pl_index(p.aff_country_unique_index) ELSE []::BIGINT[][] END
            AS c,
        CASE WHEN has_table THEN pl_index_bad(p.aff_country_unique_index) END AS c_bad,
        pl_split(p.aff_unique_norm, ';') AS inames,
        pl_split(p.aff_unique_url, ';') AS iurls,
        pl_index(p.aff_unique_index) AS i,
        pl_index_bad(p.aff_unique_index) AS i_bad,
        pl_int(p.author_num) AS author_num,
        pl_int(p.gs_citation) AS citations
    FROM byline
), coded AS (
    SELECT *,
        CASE WHEN halved AND pl_repeats(aff0, n) THEN aff0[1:n] ELSE aff0 END AS aff,
        CASE WHEN halved AND pl_repeats(emails0, n) THEN emails0[1:n] ELSE emails0 END AS emails,
        list_transform(cnames, lambda x: cmap[x]) AS codes
    FROM lists, (SELECT map_from_entries(list((name, code))) AS cmap FROM pl_countries)
), known AS (
    SELECT *,
        list_bool_or(list_transform(flatten(c),
            lambda k: k >= 0 AND k < len(codes) AND codes[k + 1] IS NOT NULL)) IS TRUE AS known
    FROM coded
)
SELECT *,
    known AND len(c) = n AS aligned,
    CASE
        WHEN (known AND len(c) = n) OR NOT known THEN NULL
        WHEN halved AND n > 0 AND len(c) % n = 0 AND len(c) > n
            THEN list_concat(range(n), list_transform(range(len(c) - n), lambda x: NULL))
        WHEN len(aff) = n AND len(c) < n AND len(list_filter(aff, lambda a: a <> '')) = len(c)
            THEN list_filter(range(n), lambda x: aff[x + 1] <> '')
    END AS rmap
FROM known
"""

# Record problems, one row each (rank = the order the checks apply in; the lowest wins).
CANDIDATES = "SELECT file_no, record_no FROM pl_p WHERE candidate ORDER BY 1, 2"

PROBLEMS = """
CREATE OR REPLACE TEMP TABLE pl_q AS
SELECT file_no, record_no, arg_min(kind, rank) AS kind, arg_min_null(detail, rank) AS detail
FROM (
    SELECT file_no, record_no, rank, 'type' AS kind, reason AS detail FROM pl_typeerr
    UNION ALL SELECT file_no, record_no, 0.2, 'repeat', rid FROM pl_p WHERE same_paper
    UNION ALL SELECT file_no, record_no, 0.5, 'empty', NULL FROM pl_p WHERE empty
    UNION ALL SELECT file_no, record_no, 6.5, 'index:aff_country_unique_index', c_bad
        FROM pl_p WHERE c_bad IS NOT NULL
    UNION ALL SELECT file_no, record_no, 9.5, 'index:aff_unique_index', i_bad
        FROM pl_p WHERE i_bad IS NOT NULL
    UNION ALL SELECT file_no, record_no, 13, 'range:author_num', NULL FROM pl_p
        WHERE author_num NOT BETWEEN -2147483648 AND 2147483647
    UNION ALL SELECT file_no, record_no, 14.5, 'count:gs_citation', NULL
        FROM pl_p WHERE coalesce(p.gs_citation, '') <> ''
            AND (citations IS NULL OR citations > 9223372036854775807
                 OR (citations < 0 AND citations <> -1))
)
GROUP BY ALL
"""

# The loaded papers (every record without a problem), with their work ids.
LOADED = """
CREATE OR REPLACE TEMP TABLE pl_ok AS
SELECT pp.*, m.base || CASE
        WHEN rid IS NULL THEN '#' || record_no
        WHEN id_repeated THEN rid || '#' || record_no
        ELSE rid END AS work_id
FROM pl_p pp JOIN pl_meta m USING (file_no) ANTI JOIN pl_q q USING (file_no, record_no)
"""

WORKS = """
SELECT file_no, work_id, 'paperlists' AS source, m.venue, m.year, rid AS source_record_id,
    record_no, p.title, p.track, p.status, n AS n_authors,
    author_num::INTEGER AS n_authors_stated, has_table AS has_country_table, aligned,
    rmap IS NOT NULL AS realigned,
    CASE WHEN citations <> -1 THEN citations::BIGINT END AS citations,
    'google-scholar' AS citation_source
FROM pl_ok JOIN pl_meta m USING (file_no)
ORDER BY file_no, record_no
"""

AUTHORSHIPS = """
SELECT file_no, work_id, position::INTEGER AS position, authors[position + 1] AS author_name,
    CASE WHEN len(aff) = n THEN nullif(aff[position + 1], '') END AS raw_affiliation,
    CASE WHEN len(emails) = n THEN nullif(emails[position + 1], '') END AS email_domain
FROM (SELECT file_no, record_no, work_id, n, authors, aff, emails, unnest(range(n)) AS position
      FROM pl_ok)
ORDER BY file_no, record_no, position
"""

# Affiliation rows before region recovery: per record, country-index rows (when the country
# and institution lists do not pair up), then one row per institution index (paired with its
# country index when they do: the 'joint' layout).
ROWS = """
CREATE OR REPLACE TEMP TABLE pl_rows AS
WITH r0 AS (
    SELECT file_no, record_no, work_id, n, aligned, rmap, cnames, codes, inames, iurls, c, i,
        CASE WHEN len(emails) = n THEN emails END AS emails,
        len(c) > 0 AND list_transform(c, lambda e: len(e)) = list_transform(i, lambda e: len(e))
            AS joint,
        len(i) = n AS inst_aligned
    FROM pl_ok
), r1 AS (
    SELECT * EXCLUDE (c, i), list_concat(
        CASE WHEN len(c) > 0 AND NOT joint
            THEN flatten(list_transform(c, lambda e, s: list_transform(e, lambda k, q:
                {'block': 1, 's': s - 1, 'q': q - 1, 'ck': k, 'ik': NULL::BIGINT})))
            ELSE [] END,
        flatten(list_transform(i, lambda e, s: list_transform(e, lambda k, q:
            {'block': 2, 's': s - 1, 'q': q - 1, 'ck': CASE WHEN joint THEN c[s][q] END,
             'ik': k})))
    ) AS xs
    FROM r0
), r AS (
    SELECT * EXCLUDE (xs), unnest(xs) AS x, generate_subscripts(xs, 1) AS ord FROM r1
), placed AS (
    SELECT *,
        x.block = 1 OR joint AS has_country,
        CASE WHEN x.block = 1 OR joint THEN aligned ELSE inst_aligned END AS at_author,
        CASE WHEN x.ik >= 0 AND x.ik < len(inames) AND inames[x.ik + 1] <> ''
            THEN x.ik END AS ik_ok
    FROM r
), rows AS (
    SELECT file_no, record_no, work_id, ord, emails,
        CASE WHEN x.block = 1 THEN 'country-index' WHEN joint THEN 'joint'
            ELSE 'institution-index' END AS layout,
        x.s AS slot, x.q AS seq,
        CASE WHEN at_author THEN x.s END AS pos,
        CASE WHEN at_author THEN x.s
            WHEN has_country AND x.s < len(rmap) THEN rmap[x.s + 1] END AS rpos,
        inames[ik_ok + 1] AS iname,
        CASE WHEN ik_ok < len(iurls) THEN nullif(iurls[ik_ok + 1], '') END AS url,
        CASE WHEN has_country AND x.ck >= 0 AND x.ck < len(codes) THEN x.ck END AS ck_ok
    FROM placed
), coded AS (
    SELECT * EXCLUDE (ck_ok, emails),
        CASE WHEN codes[ck_ok + 1] IS NOT NULL THEN cnames[ck_ok + 1] END AS cname,
        codes[ck_ok + 1] AS code,
        CASE WHEN rpos IS NOT NULL THEN emails[rpos + 1] END AS email
    FROM rows JOIN (SELECT file_no, record_no, cnames, codes FROM pl_ok)
        USING (file_no, record_no)
)
SELECT *,
    CASE WHEN rpos IS NULL THEN 0 ELSE count(*) FILTER (WHERE code = 'CN')
        OVER (PARTITION BY file_no, record_no, rpos) END AS cn_rows
FROM coded
WHERE iname IS NOT NULL OR code IS NOT NULL
"""

CN_ROWS = """
SELECT DISTINCT iname, url, email, cn_rows FROM pl_rows WHERE code = 'CN'
"""

INST_NAMES = "SELECT DISTINCT iname FROM pl_rows WHERE iname IS NOT NULL"

AFFILIATIONS = """
CREATE OR REPLACE TEMP TABLE pl_aff AS
SELECT r.file_no, r.record_no, r.ord, r.work_id, r.layout, r.slot, r.seq,
    r.pos AS author_position, r.rpos AS author_position_realigned,
    i.institution_id, r.iname AS institution_name, r.cname AS country_source_name,
    r.code AS country_source,
    CASE WHEN r.code = 'CN' THEN g.country ELSE r.code END AS country,
    CASE WHEN r.code = 'CN' THEN g.rule WHEN r.code IS NOT NULL THEN 'source' END AS country_rule,
    r.url
FROM pl_rows r
LEFT JOIN pl_inst_ids i ON i.iname = r.iname
LEFT JOIN pl_regions g ON r.code = 'CN' AND g.iname IS NOT DISTINCT FROM r.iname
    AND g.url IS NOT DISTINCT FROM r.url AND g.email IS NOT DISTINCT FROM r.email
    AND g.cn_rows = r.cn_rows
"""

AFFILIATION_ROWS = """
SELECT file_no, work_id, layout, slot::INTEGER AS slot, seq::INTEGER AS seq,
    author_position::INTEGER AS author_position,
    author_position_realigned::INTEGER AS author_position_realigned,
    institution_id, institution_name, country_source_name, country_source, country, country_rule
FROM pl_aff ORDER BY file_no, record_no, ord
"""

# Per file and institution: the name and address first seen, the most frequent recovered
# country (ties: the one seen first) and how many rows had a country.
INSTITUTIONS = """
WITH rows AS (
    SELECT file_no, institution_id, institution_name, url, country,
        (record_no::BIGINT << 32) + ord AS o
    FROM pl_aff WHERE institution_id IS NOT NULL
), firsts AS (
    SELECT file_no, institution_id, arg_min_null(institution_name, o) AS name,
        arg_min_null(url, o) AS url,
        count(country) AS n_rows, min(o) AS o
    FROM rows GROUP BY ALL
), counted AS (
    SELECT file_no, institution_id, country, count(*) AS k, min(o) AS o
    FROM rows WHERE country IS NOT NULL GROUP BY ALL
), countries AS (
    SELECT file_no, institution_id, arg_max(country, [k, -o]) AS country FROM counted GROUP BY ALL
)
SELECT f.file_no, f.institution_id, f.name, f.url, NULL::VARCHAR AS ror, c.country, f.n_rows
FROM firsts f LEFT JOIN countries c USING (file_no, institution_id)
ORDER BY f.file_no, f.o
"""

NOTES = """
SELECT file_no, note, count(*)::BIGINT AS n FROM (
    SELECT file_no, unnest([
        CASE WHEN rid IS NULL THEN 'records without id (numbered by position)' END,
        CASE WHEN id_repeated THEN 'records sharing an id with different content (numbered)'
            END,
        CASE WHEN halved THEN 'repeated bylines halved' END,
        CASE WHEN p.author <> '' AND NOT contains(p.author, ';') AND contains(p.author, ',')
            THEN 'comma-separated bylines' END,
        CASE WHEN rmap IS NOT NULL THEN 'papers realigned (optional ''realigned'' rule)' END,
        CASE WHEN known AND NOT aligned
            THEN 'papers with a country list of the wrong length' END
    ]) AS note FROM pl_ok
    UNION ALL
    SELECT file_no, 'unmapped country name: ' || name FROM
        (SELECT file_no, unnest(cnames) AS name FROM pl_ok) JOIN pl_countries USING (name)
    WHERE unmapped
    UNION ALL
    SELECT file_no, 'region recovered by ' || country_rule FROM pl_aff
    WHERE country_rule NOT IN ('source')
) WHERE note IS NOT NULL
GROUP BY ALL ORDER BY ALL
"""

QUARANTINED = """
SELECT q.file_no, q.record_no, p.rid, q.kind, q.detail
FROM pl_q q JOIN pl_p p USING (file_no, record_no) ORDER BY 1, 2
"""
