"""The engine-comparison helper itself: two empty tables are not "the same result"."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.compare import same


def test_two_empty_tables_fail():
    empty = pd.DataFrame(
        {"country": pd.Series([], dtype=str), "papers": pd.Series([], dtype=float)}
    )
    with pytest.raises(AssertionError, match="no rows on either engine"):
        same(empty, empty.copy(), "share")


def test_equal_tables_up_to_order_and_rounding_pass():
    a = pd.DataFrame({"country": ["US", "CN"], "papers": [1 / 3, 2.0]})
    b = pd.DataFrame({"country": ["CN", "US"], "papers": [2.0, 0.1 + 1 / 3 - 0.1]})
    same(a, b, "share")
