"""The results store: tidy tables of every table run for dashboards, on SQLAlchemy 2 with alembic.

Import from the modules (`store`, `resource`): the resource module stays light, so the code
location can name the resource without loading SQLAlchemy and alembic.
"""
