"""`dq doctor`: check a deployment's configuration and say, for each problem, how to fix it.

It covers the definitions, the Dagster instance, the stores, each source, the LLM and the alert
channels.

One module per job: `model` (findings and the report), `context` (what checks share, loaded once),
`runner` (isolation: a check that raises is one error, the others still run), one module per
area of checks, `checks` (their order) and `render` (the table and the fix lines).
"""
