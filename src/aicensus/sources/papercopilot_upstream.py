"""Paper Copilot's upstream files online: which parser a downloaded venue-year list goes to.

The bundled copies come in two folders (../shared/data/paperlists: upstream's files as they
are; ../shared/data/paperlists_affonly: files with affiliation text and no country fields).
Online there is one repository, so each downloaded list is classified by its content:

- `countries`: some record has a non-empty `aff_country_unique` -> paperlists;
- `affiliation-only`: no record has one, some has affiliation text (`aff`, not the string
  'None') -> paperlists (papers, country unknown, as the bundled paperlists load reads such
  files) and the affiliation-only parser (countries inferred by the resolver);
- `no-geography`: neither -> paperlists only.

DuckDB reads the file from disk (`read_json`, only the two fields), so a large list is never
held as Python objects; a file DuckDB cannot read as an array of objects is classed
`countries`, and the paperlists parser names its problem as the bundled load does.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

COUNTRIES = "countries"
AFFILIATION_ONLY = "affiliation-only"
NO_GEOGRAPHY = "no-geography"
CLASSES = (COUNTRIES, AFFILIATION_ONLY, NO_GEOGRAPHY)

_CLASSIFY = """
SELECT count(*) FILTER (WHERE coalesce(trim(aff_country_unique), '') NOT IN ('', ';')),
       count(*) FILTER (WHERE coalesce(trim(aff), '') NOT IN ('', 'None'))
FROM read_json(?, format = 'array', records = true, maximum_object_size = 1073741824,
               columns = {aff_country_unique: 'VARCHAR', aff: 'VARCHAR'})
"""


def classify(path: Path) -> str:
    """The class of one downloaded Paper Copilot list (see the module docstring)."""
    con = duckdb.connect(config={"threads": 1})
    try:
        row = con.execute(_CLASSIFY, [str(path)]).fetchone()
    except duckdb.Error:
        return COUNTRIES
    finally:
        con.close()
    countries, affiliations = row if row else (0, 0)
    if countries:
        return COUNTRIES
    return AFFILIATION_ONLY if affiliations else NO_GEOGRAPHY
