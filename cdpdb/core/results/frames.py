"""Arrow → pandas and Polars with exact types: nothing lost, no integer turned into a float."""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def _pandas_dtype(arrow_type: pa.DataType) -> Any:
    import pandas as pd

    if pa.types.is_integer(arrow_type):
        return {8: pd.Int8Dtype(), 16: pd.Int16Dtype(), 32: pd.Int32Dtype(), 64: pd.Int64Dtype()}[arrow_type.bit_width]
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype() if arrow_type.bit_width == 64 else pd.Float32Dtype()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    if pa.types.is_decimal(arrow_type) or pa.types.is_date(arrow_type) or pa.types.is_time(arrow_type):
        return pd.ArrowDtype(arrow_type)  # exact decimals and dates, without Python objects
    return None  # timestamps: pandas' own datetime64[us, UTC]


def to_pandas(table: pa.Table) -> Any:
    """A DataFrame: Int64/boolean/Float64/string dtypes with NA, decimal128 and date32 as Arrow
    dtypes (exact), timestamps as datetime64[us, UTC]."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise ImportError("fetch_pandas_* needs pandas: pip install 'cdpdb[pandas]'") from None
    return table.to_pandas(types_mapper=_pandas_dtype, coerce_temporal_nanoseconds=False)


def to_polars(table: pa.Table) -> Any:
    try:
        import polars as pl
    except ImportError:
        raise ImportError("fetch_polars() needs polars: pip install polars") from None
    return pl.from_arrow(table)
