"""Users' own data as engine tables: anything tabular → Arrow, Arrow types → engine column types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa


def as_arrow(data: Any) -> pa.Table:
    """A pyarrow Table, a pandas or Polars DataFrame, or a CSV, Parquet, Arrow or Feather file, as a Table."""
    if isinstance(data, pa.Table):
        return data
    if hasattr(data, "to_arrow"):  # polars
        return data.to_arrow()
    if type(data).__module__.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    path = Path(data)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import pyarrow.csv as csv

        return csv.read_csv(path)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if suffix in (".arrow", ".arrows", ".feather", ".ipc"):
        import pyarrow.feather as feather

        try:
            return feather.read_table(path)
        except pa.ArrowInvalid:
            with pa.memory_map(str(path)) as source:
                return pa.ipc.open_stream(source).read_all()
    raise ValueError(f"cannot load {path}: use a .csv, .parquet, .arrow or .feather file, a DataFrame or a Table")


def sql_type_of(arrow_type: pa.DataType) -> str:
    """The engine column type that holds values of ``arrow_type``."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "text"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return f"numeric({min(arrow_type.precision, 38)},{arrow_type.scale})"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    raise ValueError(f"columns of Arrow type {arrow_type} cannot be loaded; convert them to text first")


def arrow_for_load(table: pa.Table) -> pa.Table:
    """Cast loadable columns to the exact Arrow types Hyper's COPY expects."""
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_integer(t):
            t = pa.int64()
        elif pa.types.is_floating(t):
            t = pa.float64()
        elif pa.types.is_large_string(t) or pa.types.is_dictionary(t):
            t = pa.string()
        elif pa.types.is_date(t):
            t = pa.date32()
        elif pa.types.is_timestamp(t):
            t = pa.timestamp("us", tz="UTC" if t.tz else None)
        fields.append(pa.field(f.name, t))
    return table.cast(pa.schema(fields))
