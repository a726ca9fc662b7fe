"""The alert store: alerts, their history and their outbox, on SQLAlchemy 2 with alembic migrations.

`store.AlertStore` is what callers hold: a facade over five parts on one session factory
(`sessions.py`), each a module of its own:

- `ledger.py`: signals in, alerts opened, repeated, escalated, resolved: where alerts are
  deduplicated and persisted;
- `outbox.py`: the deliveries owed to channels, claimed, sent or retried;
- `manual_transitions.py`: a person's acknowledge, snooze, resolve;
- `queries.py`: alerts, their history and deliveries, for the CLI;
- `cursors.py`: how far each consumer has read the event log.

`schema.py` holds the tables, `records.py` the plain snapshots the parts return, `migrate.py` and
`migrations/` the schema's history, `resource.py` the Dagster resource. Import from the modules:
the resource module stays light, so the code location can name the resource without loading
SQLAlchemy and alembic.
"""
