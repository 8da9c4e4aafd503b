"""The SQL of the paperlists parser (sources/paperlists.py runs it in a private DuckDB).

Statements build temp tables over all files of a batch; the rules are SOURCE.md's and
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
# The fields that define a paper: a record repeating these under the same id is a repeated
# listing (siggraph2025 lists a paper once per presentation session, differing only in session
# fields such as psid/url_paper) and is quarantined as such; a record with none is not a paper.
PAPER_FIELDS = (
    "title",
    "author",
    "aff",
    "aff_unique_norm",
    "aff_unique_index",
    "aff_country_unique",
    "aff_country_unique_index",
    "email",
    "aff_domain",
    "track",
    "status",
    "gs_citation",
)
# Fields whose value may hold a non-text JSON value (list, object, boolean) that the record
# checks in Python must look at (see `CANDIDATES`).
TYPED = (*FIELDS[1:13], "gs_citation")

_STRUCT = "[{" + ", ".join(f'"{f}": "VARCHAR"' for f in FIELDS) + "}]"

_WS = f"[{PY_WHITESPACE}]*"  # a regex: any run of Python whitespace
_NUMBERS = f"{_WS}[0-9]*{_WS}([;+]{_WS}[0-9]*{_WS})*"  # index lists of plain integers only

MACROS = [
    # Python's s.strip(): plain trim() (spaces) unless an end is another whitespace character.
    f"""CREATE OR REPLACE MACRO pl_strip(s) AS CASE
        WHEN contains('{PY_WHITESPACE}', left(trim(s), 1))
            OR contains('{PY_WHITESPACE}', right(trim(s), 1))
        THEN trim(s, '{PY_WHITESPACE}') ELSE trim(s) END""",
    # True when xs is its first p items repeated (p divides len(xs)): xs[i] = xs[i + p].
    """CREATE OR REPLACE MACRO pl_periodic(xs, p) AS xs[1:len(xs) - p] = xs[p + 1:]""",
    # Python's paperlists._repeats: values is its first n items repeated two or more times.
    """CREATE OR REPLACE MACRO pl_repeats(v, n) AS
        0 < n AND n < len(v) AND len(v) % n = 0 AND pl_periodic(v, n)""",
    # The non-empty stripped `+`-parts of one index entry.
    """CREATE OR REPLACE MACRO pl_parts(e) AS list_filter(
        list_transform(string_split(e, '+'), lambda x: pl_strip(x)), lambda x: x <> '')""",
    # '0+1;;2' -> [[0, 1], [], [2]] from the raw list and its split, stripped entries (an
    # integer too large for BIGINT becomes NULL: out of range). Lists of plain integers take
    # the short way; others the exact one (Python's int(part.strip()) for every part).
    f"""CREATE OR REPLACE MACRO pl_index(s, entries) AS CASE
        WHEN s IS NULL THEN []::BIGINT[][]
        WHEN regexp_full_match(s, '{_NUMBERS}')
        THEN list_transform(entries, lambda e: CASE
            WHEN e = '' THEN []::BIGINT[]
            WHEN contains(e, '+')
            THEN list_transform(regexp_extract_all(e, '[0-9]+'), lambda x: TRY_CAST(x AS BIGINT))
            ELSE [TRY_CAST(e AS BIGINT)] END)
        ELSE list_transform(string_split(s, ';'),
            lambda e: list_transform(pl_parts(e), lambda x: TRY_CAST(x AS BIGINT)))
        END""",
    # The first entry with a part that is not an integer (NULL when all are).
    f"""CREATE OR REPLACE MACRO pl_index_bad(s) AS CASE
        WHEN NOT regexp_full_match(s, '{_NUMBERS}')
        THEN list_filter(string_split(s, ';'), lambda e: list_bool_or(
            list_transform(pl_parts(e), lambda x: NOT regexp_full_match(x, '-?[0-9]+'))))[1]
        END""",
    # An integer field: its value, or NULL when empty/not a number (callers check the range).
    """CREATE OR REPLACE MACRO pl_int(s) AS CASE
        WHEN regexp_full_match(s, '-?[0-9]{1,18}') THEN s::HUGEINT
        WHEN regexp_full_match(pl_strip(s), '[+-]?[0-9]+') THEN TRY_CAST(pl_strip(s) AS HUGEINT)
        WHEN TRY_CAST(s AS DOUBLE) = floor(TRY_CAST(s AS DOUBLE))
            AND abs(TRY_CAST(s AS DOUBLE)) < 1e38 THEN TRY_CAST(s AS DOUBLE)::HUGEINT END""",
]


def halved_len_macro(depth: int) -> str:
    """`pl_halved_len(xs)`: how many items a byline keeps after halving it while it is two
    identical halves, for lists shorter than 2**depth (which halve at most depth - 1 times)."""
    levels = " ".join(
        f"WHEN NOT (len(xs) % {2**j} = 0 AND pl_periodic(xs, len(xs) // {2**j})) "
        f"THEN len(xs) // {2 ** (j - 1)}"
        for j in range(1, depth + 1)
    )
    return f"CREATE OR REPLACE MACRO pl_halved_len(xs) AS CASE {levels} ELSE 0 END"


# One row per record of every file (a file that is not a JSON array gives none).
_COLUMNS = ", ".join(f"p.{f} AS {f}" for f in FIELDS)
RECORDS = f"""
SELECT file_no, record_no, {_COLUMNS}
FROM (SELECT file_no, unnest(range(1, len(r) + 1))::INTEGER AS record_no, unnest(r) AS p
      FROM (SELECT file_no, from_json(content, '{_STRUCT}') AS r FROM pl_files))
"""
# pl_rec (registered from Arrow) is RECORDS plus `odd` (a TYPED field may hold a JSON list,
# object or boolean: the Python check looks closer) and each `;`-list field split and stripped
# (sources/paperlists.py `_split_lists`: Arrow's trim, not DuckDB's, which decodes whole strings):
# author_l (split on ',' when there is no ';'), aff_l, emails_l (email, else aff_domain),
# cnames_l, inames_l, iurls_l, cidx_l, iidx_l (NULL for a NULL field).

# Per record: the byline, the lists and flags the rows are built from, and the checks.
_ALL_NULL = " AND ".join(f"{f} IS NULL" for f in FIELDS)
_NO_PAPER_FIELDS = " AND ".join(f"coalesce({f}, '') = ''" for f in PAPER_FIELDS)

# The files of a prepared batch (pl_prep: RECORDS plus `odd`) with a record that the parse
# may read again from its JSON (CANDIDATES' type checks, PROBLEMS' quarantine rows): a
# superset of those records, from the text alone (an index list of plain integers, an
# author_num of at most 9 digits, a gs_citation of at most 18 digits or -1 pass every check).
# A load drops the JSON of every other file as soon as its batch is prepared.
NEEDS_JSON = f"""
SELECT DISTINCT file_no FROM pl_prep
WHERE odd OR ({_ALL_NULL}) OR ({_NO_PAPER_FIELDS})
    OR NOT regexp_full_match(coalesce(aff_country_unique_index, ''), '{_NUMBERS}')
    OR NOT regexp_full_match(coalesce(aff_unique_index, ''), '{_NUMBERS}')
    OR NOT regexp_full_match(coalesce(author_num, ''), '(-?[0-9]{{1,9}})?')
    OR NOT regexp_full_match(coalesce(gs_citation, ''), '([0-9]{{1,18}}|-1)?')
UNION
SELECT file_no FROM pl_prep WHERE id <> '' GROUP BY file_no, id HAVING count(*) > 1
"""
# Records whose id an earlier record of the file has, and whether all their paper fields equal
# that first record's (a repeated listing). Narrow: a window over whole records is slow.
_SAME = " AND ".join(f"a.{f} IS NOT DISTINCT FROM b.{f}" for f in PAPER_FIELDS)
REPEATS = f"""
CREATE OR REPLACE TEMP TABLE pl_repeats AS
WITH ids AS (
    SELECT file_no, record_no, id AS rid FROM pl_rec WHERE id <> ''
), firsts AS (
    SELECT file_no, rid, min(record_no) AS first_no FROM ids GROUP BY ALL HAVING count(*) > 1
), repeats AS (
    SELECT file_no, record_no, first_no FROM ids JOIN firsts USING (file_no, rid)
    WHERE record_no > first_no
)
SELECT r.file_no, r.record_no, {_SAME} AS same_paper
FROM repeats r
JOIN pl_rec a ON a.file_no = r.file_no AND a.record_no = r.record_no
JOIN pl_rec b ON b.file_no = r.file_no AND b.record_no = r.first_no
"""

PAPERS = f"""
CREATE OR REPLACE TEMP TABLE pl_p AS
WITH base AS (
    SELECT file_no, record_no, title, track, status, author, gs_citation,
        aff_country_unique_index, aff_unique_index,
        CASE WHEN id <> '' THEN id END AS rid,
        r.record_no IS NOT NULL AS id_repeated, coalesce(r.same_paper, false) AS same_paper,
        ({_ALL_NULL}) OR odd AS candidate,
        {_NO_PAPER_FIELDS} AS empty,
        list_filter(coalesce(author_l, []), lambda x: x <> '') AS names,
        aff_country_unique IS NOT NULL AND aff_country_unique_index IS NOT NULL AS has_table,
        coalesce(aff_l, []) AS aff0, coalesce(emails_l, []) AS emails0,
        coalesce(cnames_l, []) AS cnames0, coalesce(inames_l, []) AS inames,
        coalesce(iurls_l, []) AS iurls, cidx_l, iidx_l,
        pl_int(author_num) AS author_num, pl_int(gs_citation) AS citations
    FROM pl_rec LEFT JOIN pl_repeats r USING (file_no, record_no)
), ids AS (
    SELECT * EXCLUDE (cidx_l, iidx_l, cnames0, aff_country_unique_index, aff_unique_index),
        pl_halved_len(names) AS n,
        CASE WHEN has_table THEN cnames0 ELSE []::VARCHAR[] END AS cnames,
        CASE WHEN has_table THEN pl_index(aff_country_unique_index, cidx_l)
            ELSE []::BIGINT[][] END AS c,
        CASE WHEN has_table THEN pl_index_bad(aff_country_unique_index) END AS c_bad,
        pl_index(aff_unique_index, iidx_l) AS i,
        pl_index_bad(aff_unique_index) AS i_bad
    FROM base
), coded AS (
    SELECT * EXCLUDE (names, aff0, emails0),
        n < len(names) AS halved,
        names[1:n] AS authors,
        CASE WHEN n < len(names) AND pl_repeats(aff0, n) THEN aff0[1:n] ELSE aff0 END AS aff,
        CASE WHEN n < len(names) AND pl_repeats(emails0, n) THEN emails0[1:n] ELSE emails0 END
            AS emails,
        list_transform(cnames, lambda x: cmap[x]) AS codes
    FROM ids, (SELECT map_from_entries(list((name, code))) AS cmap FROM pl_countries)
), known AS (
    SELECT * EXCLUDE (cmap),
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
        FROM pl_p WHERE coalesce(gs_citation, '') <> ''
            AND (citations IS NULL OR citations > 9223372036854775807
                 OR (citations < 0 AND citations <> -1))
)
GROUP BY ALL
"""

# The loaded papers (every record without a problem), with their work ids.
LOADED = """
CREATE OR REPLACE TEMP VIEW pl_ok AS
SELECT pp.*, m.base || CASE
        WHEN rid IS NULL THEN '#' || record_no
        WHEN id_repeated THEN rid || '#' || record_no
        ELSE rid END AS work_id
FROM pl_p pp JOIN pl_meta m USING (file_no) ANTI JOIN pl_q q USING (file_no, record_no)
"""

WORKS = """
SELECT file_no, work_id, 'paperlists' AS source, m.venue, m.year, rid AS source_record_id,
    record_no, title, track, status, n AS n_authors,
    author_num::INTEGER AS n_authors_stated, has_table AS has_country_table, aligned,
    rmap IS NOT NULL AS realigned,
    CASE WHEN citations <> -1 THEN citations::BIGINT END AS citations,
    'google-scholar' AS citation_source
FROM pl_ok JOIN pl_meta m USING (file_no)
"""

AUTHORSHIPS = """
SELECT file_no, work_id, position::INTEGER AS position, authors[position + 1] AS author_name,
    CASE WHEN len(aff) = n THEN nullif(aff[position + 1], '') END AS raw_affiliation,
    CASE WHEN len(emails) = n THEN nullif(emails[position + 1], '') END AS email_domain
FROM (SELECT file_no, record_no, work_id, n, authors, aff, emails, unnest(range(n)) AS position
      FROM pl_ok)
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
    -- Block 1: the country list's own rows (when it does not pair up with the institutions').
    SELECT * EXCLUDE (c, i), CASE WHEN joint THEN []::BIGINT[][] ELSE c END AS c1, i,
        CASE WHEN joint THEN flatten(c) ELSE []::BIGINT[] END AS paired
    FROM r0
), r2 AS (
    -- Parallel flat lists over block 1 then block 2 (entry s, part q, indexes ck and ik);
    -- unnest zips them (a shorter list pads with NULL).
    SELECT * EXCLUDE (c1, i, paired),
        list_concat(list_resize([]::INTEGER[], len(flatten(c1)), 1),
            list_resize([]::INTEGER[], len(flatten(i)), 2)) AS block,
        list_concat(
            flatten(list_transform(c1, lambda e, s: list_resize([]::BIGINT[], len(e), s - 1))),
            flatten(list_transform(i, lambda e, s: list_resize([]::BIGINT[], len(e), s - 1))))
            AS s,
        list_concat(flatten(list_transform(c1, lambda e: range(len(e)))),
            flatten(list_transform(i, lambda e: range(len(e))))) AS q,
        list_concat(flatten(c1), paired) AS ck,
        list_concat(list_resize([]::BIGINT[], len(flatten(c1)), NULL), flatten(i)) AS ik
    FROM r1
), r AS (
    SELECT * EXCLUDE (block, s, q, ck, ik),
        {'block': unnest(block), 's': unnest(s), 'q': unnest(q), 'ck': unnest(ck),
         'ik': unnest(ik)} AS x,
        generate_subscripts(block, 1) AS ord
    FROM r2
), placed AS (
    SELECT *,
        x.block = 1 OR joint AS has_country,
        CASE WHEN x.block = 1 OR joint THEN aligned ELSE inst_aligned END AS at_author,
        CASE WHEN x.ik >= 0 AND x.ik < len(inames) AND inames[x.ik + 1] <> ''
            THEN x.ik END AS ik_ok
    FROM r
), rows AS (
    SELECT file_no, record_no, work_id, ord, emails, cnames, codes,
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
)
SELECT file_no, record_no, work_id, ord, layout, slot, seq, pos, rpos, iname, url,
    CASE WHEN codes[ck_ok + 1] IS NOT NULL THEN cnames[ck_ok + 1] END AS cname,
    codes[ck_ok + 1] AS code,
    CASE WHEN rpos IS NOT NULL THEN emails[rpos + 1] END AS email
FROM rows
WHERE iname IS NOT NULL OR codes[ck_ok + 1] IS NOT NULL
"""

# China-coded rows, with how many China-coded rows their author has (for the email rule).
CN_ROWS = """
CREATE OR REPLACE TEMP TABLE pl_cn AS
SELECT file_no, record_no, ord, iname, url, email,
    CASE WHEN rpos IS NULL THEN 0
        ELSE count(*) OVER (PARTITION BY file_no, record_no, rpos) END AS cn_rows
FROM pl_rows WHERE code = 'CN'
"""

CN_DISTINCT = "SELECT DISTINCT iname, url, email, cn_rows FROM pl_cn"

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
LEFT JOIN (
    SELECT c.file_no, c.record_no, c.ord, g.country, g.rule FROM pl_cn c JOIN pl_regions g
    ON g.iname IS NOT DISTINCT FROM c.iname AND g.url IS NOT DISTINCT FROM c.url
        AND g.email IS NOT DISTINCT FROM c.email AND g.cn_rows = c.cn_rows
) g ON r.code = 'CN' AND g.file_no = r.file_no AND g.record_no = r.record_no AND g.ord = r.ord
"""

AFFILIATION_ROWS = """
SELECT file_no, work_id, layout, slot::INTEGER AS slot, seq::INTEGER AS seq,
    author_position::INTEGER AS author_position,
    author_position_realigned::INTEGER AS author_position_realigned,
    institution_id, institution_name, country_source_name, country_source, country, country_rule
FROM pl_aff
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
ORDER BY f.file_no
"""

NOTES = """
SELECT file_no, note, count(*)::BIGINT AS n FROM (
    SELECT file_no, unnest([
        CASE WHEN rid IS NULL THEN 'records without id (numbered by position)' END,
        CASE WHEN id_repeated THEN 'records sharing an id with different content (numbered)'
            END,
        CASE WHEN halved THEN 'repeated bylines halved' END,
        CASE WHEN author <> '' AND NOT contains(author, ';') AND contains(author, ',')
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
