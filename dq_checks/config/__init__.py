"""Check definitions: one YAML file per monitored table, parsed into pydantic models.

The package imports nothing itself: the loader validates rules with the rule engine, which reads
the models, so an eager import here would close a cycle. Import from `loader`, `models`, `paths`.
"""
