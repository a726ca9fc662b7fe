"""Arrow types to the column kinds that decide which metrics apply.

Types are named the way Iceberg names them (`long`, `double`, `decimal(12, 2)`,
`timestamptz`), so a file and an Iceberg table holding the same data describe the same
schema, and SchemaMatch can compare them. An Arrow type Iceberg has no name for keeps
Arrow's own name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dq_checks.schema import ColumnInfo, ColumnKind

if TYPE_CHECKING:
    import pyarrow as pa


def arrow_columns(schema: pa.Schema) -> tuple[ColumnInfo, ...]:
    """The top-level columns of an Arrow schema."""
    import pyarrow as pa

    columns = []
    for field in schema:
        data_type = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        columns.append(
            ColumnInfo(
                name=field.name,
                data_type=type_name(data_type),
                kind=column_kind(data_type),
                nullable=field.nullable,
                floating=pa.types.is_floating(data_type),
            )
        )
    return tuple(columns)


def column_kind(data_type: pa.DataType) -> ColumnKind:
    """Classify an Arrow type (dictionaries by their values)."""
    import pyarrow as pa

    types = pa.types
    if types.is_dictionary(data_type):
        return column_kind(data_type.value_type)
    if types.is_integer(data_type) or types.is_floating(data_type) or types.is_decimal(data_type):
        return ColumnKind.NUMERIC
    if types.is_string(data_type) or types.is_large_string(data_type) or types.is_string_view(data_type):
        return ColumnKind.STRING
    if types.is_boolean(data_type):
        return ColumnKind.BOOLEAN
    if types.is_temporal(data_type) and not types.is_duration(data_type) and not types.is_interval(data_type):
        return ColumnKind.TEMPORAL
    return ColumnKind.OTHER


def type_name(data_type: pa.DataType) -> str:
    """Iceberg's name for an Arrow type where it has one (`long`, `timestamptz`), else Arrow's."""
    import pyarrow as pa

    types = pa.types
    if types.is_dictionary(data_type):
        return type_name(data_type.value_type)
    if types.is_boolean(data_type):
        return "boolean"
    if types.is_integer(data_type):
        small = data_type.bit_width < 32 or (data_type.bit_width == 32 and types.is_signed_integer(data_type))
        return "int" if small else "long"
    if types.is_floating(data_type):
        return "double" if data_type.bit_width == 64 else "float"
    if types.is_decimal(data_type):
        return f"decimal({data_type.precision}, {data_type.scale})"
    if types.is_string(data_type) or types.is_large_string(data_type) or types.is_string_view(data_type):
        return "string"
    if types.is_date(data_type):
        return "date"
    if types.is_time(data_type):
        return "time"
    if types.is_timestamp(data_type):
        name = "timestamptz" if data_type.tz is not None else "timestamp"
        return f"{name}_ns" if data_type.unit == "ns" else name
    if types.is_fixed_size_binary(data_type):
        return f"fixed[{data_type.byte_width}]"
    if types.is_binary(data_type) or types.is_large_binary(data_type) or types.is_binary_view(data_type):
        return "binary"
    if types.is_list(data_type) or types.is_large_list(data_type) or types.is_fixed_size_list(data_type):
        return f"list<{type_name(data_type.value_type)}>"
    if types.is_map(data_type):
        return f"map<{type_name(data_type.key_type)}, {type_name(data_type.item_type)}>"
    if types.is_struct(data_type):
        fields = ", ".join(f"{f.name}: {type_name(f.type)}" for f in data_type)
        return f"struct<{fields}>"
    return str(data_type)
