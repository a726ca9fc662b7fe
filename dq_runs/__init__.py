"""Running one table's checks, without Dagster.

dq_assets turns what these modules return into Dagster events; the CLI prints it. The layer sits
between them and dq_resources, whose sources and engines it drives:

- `inspect`: inspect a table: describe it, scan it once for the profile and every rule's and
  analyzer's metrics, detect anomalies, judge the rules and score them (`inspect_table`).
- `scan_cache`: never the same work twice: an unchanged table is judged on its earlier results.
- `tidy_copy`: the run written to the results store for dashboards, never failing the checks.
- `proposals`: the rule-proposal pipeline: propose, validate, dry-run, store; approve or reject.

What a step learned is `dq_checks.results.inspection.TableInspection`.
"""
