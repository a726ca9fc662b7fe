"""Stream another monitored table into the local engine, for the rules that read it."""

from __future__ import annotations

from dq_resources.engines.local_duckdb import LocalDuckDB
from dq_resources.source_contract import ReferenceRequest, SourceError


def load_reference(engine: LocalDuckDB, request: ReferenceRequest) -> None:
    """Stream a reference in; a failure is recorded for the rules that need it, not raised."""
    if request.columns is not None and not request.columns:
        return  # the description alone answers (SchemaMatch, RowCountMatch)
    stream = getattr(request.table, "arrow_stream", None)
    if stream is None:
        engine.reference_errors[request.name] = f"{request.table.name} cannot be streamed to this engine"
        return
    try:
        columns = None if request.columns is None else sorted(request.columns)
        engine.load_reference(request.name, stream(columns))
    except Exception as error:  # a reference that is down fails its rules, not this table
        # A SourceError already names the source and the cause; so does the one a table records
        # when its own stream failed inside the engine, which wraps it.
        known = error if isinstance(error, SourceError) else getattr(request.table, "stream_failure", None)
        engine.reference_errors[request.name] = (
            str(known) if known else f"cannot read {request.table.name}: {error}"
        )
