"""The alert store: alerts, their history and their outbox, on SQLAlchemy 2 with alembic migrations.

Import from the modules (`store`, `records`, `resource`): the resource module stays light, so the
code location can name the resource without loading SQLAlchemy and alembic.
"""
