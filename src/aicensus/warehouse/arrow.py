"""Arrow arrays from Python values, and NumPy views of Arrow integers, without pandas.

pyarrow imports pandas (about 1 CPU s, 60 MB) the first time it converts a Python list, a NumPy
array or a scalar (`pa.array`, `pa.scalar`, `to_numpy`), to check whether the value is a pandas
object. A load needs neither, so its hot path builds arrays from buffers instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

_NUMPY = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.float64(): np.float64,
}


def array(values: Sequence[object], type: pa.DataType) -> pa.Array:
    """`values` (Python scalars, None for null) as an Arrow array of `type` (a string, integer,
    float64 or boolean type): what `pa.array(values, type)` gives."""
    n = len(values)
    valid = np.fromiter((v is not None for v in values), bool, n)
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    if pa.types.is_string(type) or pa.types.is_large_string(type):
        encoded = [b"" if v is None else str(v).encode() for v in values]
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(np.fromiter(map(len, encoded), np.int64, n), out=offsets[1:])
        buffers = [bitmap, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
        return pa.Array.from_buffers(pa.large_string(), n, buffers).cast(type)
    if pa.types.is_boolean(type):
        as_int = array([None if v is None else int(bool(v)) for v in values], pa.int8())
        return as_int.cast(type)
    dtype = _NUMPY[type]
    data = np.fromiter((0 if v is None else v for v in values), dtype, n)
    return pa.Array.from_buffers(type, n, [bitmap, pa.py_buffer(data)])


def string_scalar(value: str) -> pa.Scalar:
    """`pa.scalar(value, pa.string())`, without pandas."""
    return array([value], pa.string())[0]


def integers(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer column without nulls as a NumPy array (what `to_numpy()` gives)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if arr.null_count:
        raise ValueError("integers(): the column has nulls")
    dtype = np.dtype(_NUMPY[arr.type])
    if len(arr) == 0:
        return np.empty(0, dtype)
    return np.frombuffer(
        arr.buffers()[1], dtype=dtype, count=len(arr), offset=arr.offset * dtype.itemsize
    )
