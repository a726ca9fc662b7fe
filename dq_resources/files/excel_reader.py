"""Excel workbooks through openpyxl's read-only mode: one sheet, a batch of rows at a time.

Cells carry no column type, so the sheet is read twice: once to find each column's type
from its values (and count the rows), once to stream them. Neither pass holds more than
one batch of rows. The first row names the columns (unless `header` is off); rows with
no value at all are skipped, as a spreadsheet's formatted but empty rows are not data.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_resources.files.streams import BATCH_ROWS, guarded_reader, project
from dq_resources.source_contract.errors import SourceError, source_error

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class SheetLayout:
    """What the first pass learned: the columns' names and types, and the number of data rows."""

    schema: pa.Schema
    rows: int


class ExcelReader:
    """One sheet of an .xlsx workbook (the first one unless `sheet` names another)."""

    def __init__(
        self,
        path: Path,
        source: str,
        sheet: str | None = None,
        header: bool = True,
        on_failure: Callable[[SourceError], None] | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.sheet = sheet
        self.header = header
        self._on_failure = on_failure
        self._layout: SheetLayout | None = None

    def schema(self) -> pa.Schema:
        """The columns, typed from every value in them."""
        return self._scan_layout().schema

    def row_count(self) -> int:
        """The data rows the first pass counted."""
        return self._scan_layout().rows

    def stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The rows (or some columns) as Arrow batches, in the sheet's order."""
        import pyarrow as pa

        schema = self.schema()
        names = project(schema, columns, self.source)
        picked = [schema.get_field_index(n) for n in names]
        target = pa.schema([schema.field(i) for i in picked])

        def batches() -> Iterator[pa.RecordBatch]:
            pending: list[tuple[Any, ...]] = []
            for row in self._data_rows():
                pending.append(row)
                if len(pending) == BATCH_ROWS:
                    yield _batch(pending, picked, target)
                    pending = []
            if pending:
                yield _batch(pending, picked, target)

        return guarded_reader(target, batches(), self._error, self._on_failure)

    def _scan_layout(self) -> SheetLayout:
        if self._layout is None:
            self._layout = self._infer()
        return self._layout

    def _infer(self) -> SheetLayout:
        import pyarrow as pa

        headings: tuple[Any, ...] = ()
        families: list[set[str]] = []
        rows = 0
        width = 0
        for index, row in enumerate(self._rows()):
            if index == 0 and self.header:
                headings = row
                width = _last_value(row)
                continue
            if not any(value is not None for value in row):
                continue
            rows += 1
            width = max(width, _last_value(row))
            families.extend(set() for _ in range(len(row) - len(families)))
            for position, value in enumerate(row):
                if value is not None:
                    families[position].add(_family(value))
        if width == 0:
            raise source_error(self.source, "cannot read data", f"sheet {self._sheet_label()} is empty")
        families.extend(set() for _ in range(width - len(families)))
        names = _column_names(headings, width)
        schema = pa.schema([pa.field(name, _arrow_type(families[i])) for i, name in enumerate(names)])
        return SheetLayout(schema, rows)

    def _data_rows(self) -> Iterator[tuple[Any, ...]]:
        rows = self._rows()
        if self.header:
            next(rows, None)
        for row in rows:
            if any(value is not None for value in row):
                yield row

    def _rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row's cell values, the workbook open only while they are read."""
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # not a workbook, a truncated or encrypted file
            raise self._error(error) from error
        try:
            if self.sheet is not None and self.sheet not in workbook.sheetnames:
                known = ", ".join(repr(s) for s in workbook.sheetnames)
                raise source_error(
                    self.source, "cannot read data", f"no sheet {self.sheet!r} (sheets: {known})"
                )
            sheet = workbook[self.sheet] if self.sheet is not None else workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers record a wrong size; read every cell there is
            yield from sheet.iter_rows(values_only=True)
        finally:
            workbook.close()

    def _sheet_label(self) -> str:
        return repr(self.sheet) if self.sheet is not None else "1"

    def _error(self, error: Exception) -> SourceError:
        cause = str(error).replace(str(self.path), self.path.name) or type(error).__name__
        return source_error(self.source, "cannot read data", f"not a readable Excel workbook: {cause}")


def _last_value(row: tuple[Any, ...]) -> int:
    """One past the last cell holding a value."""
    return next((i + 1 for i in range(len(row) - 1, -1, -1) if row[i] is not None), 0)


def _column_names(headings: tuple[Any, ...], width: int) -> list[str]:
    """Header texts (`column<i>` where empty), made unique the way DuckDB does: `a`, `a_1`."""
    names: list[str] = []
    seen: set[str] = set()
    for position in range(width):
        value = headings[position] if position < len(headings) else None
        base = str(value).strip() if value is not None and str(value).strip() else f"column{position}"
        name, suffix = base, 0
        while name in seen:
            suffix += 1
            name = f"{base}_{suffix}"
        seen.add(name)
        names.append(name)
    return names


def _family(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    if isinstance(value, timedelta):
        return "duration"
    return "text"


def _arrow_type(families: set[str]) -> pa.DataType:
    """The narrowest type that holds every value: ints and floats widen to double, else text."""
    import pyarrow as pa

    if families == {"bool"}:
        return pa.bool_()
    if families == {"int"}:
        return pa.int64()
    if families and families <= {"int", "float"}:
        return pa.float64()
    if families == {"date"}:
        return pa.date32()
    if families and families <= {"date", "datetime"}:
        return pa.timestamp("us")
    if families == {"time"}:
        return pa.time64("us")
    if families == {"duration"}:
        return pa.duration("us")
    return pa.string()


def _batch(rows: list[tuple[Any, ...]], picked: list[int], schema: pa.Schema) -> pa.RecordBatch:
    import pyarrow as pa

    arrays = []
    for position, field in zip(picked, schema, strict=True):
        values = [_cell(row[position] if position < len(row) else None, field.type) for row in rows]
        arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _cell(value: Any, data_type: pa.DataType) -> Any:
    """A value in the column's type: dates widen to midnight, anything in a text column to text."""
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_string(data_type) and not isinstance(value, str):
        return _text(value)
    if pa.types.is_timestamp(data_type) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if pa.types.is_floating(data_type):
        return float(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
