"""`dg scaffold defs dq.DataQualityComponent quality`: a commented defs.yaml and a tables/ folder.

The folder holds one example table definition, `orders.yaml.example`, commented line by line. dq
reads only `*.yaml` and `*.yml` files, so the example changes nothing until it is renamed: a freshly
scaffolded project still passes `dg check defs`, and an empty or commented-out `.yaml` (which dq
rejects, as it rejects every file that defines no table) is never written.
"""

from __future__ import annotations

from dagster.components.component_scaffolding import scaffold_component
from dagster.components.scaffold.scaffold import Scaffolder, ScaffoldRequest

TABLES_FOLDER = "tables"
EXAMPLE_FILE = "orders.yaml.example"

DEFS_YAML = """\
type: {type_name}

attributes:
  # One YAML file per table, in this folder (relative to this file; "{{{{ project_root }}}}/..." works too).
  tables: {tables}

  # Switched off unless set here:
  # alerts: alerts.yaml        # the alert sensors, with the store and channels this file names
  # proposals: true            # a <table>_rule_proposals asset per table and a propose-rules job
  # reports: true              # a <table>_profile_report asset per table and a reports job

  # Switched on unless set here:
  # schedules: false           # a job and a schedule per cron, for tables with `schedule:`
  # freshness_sensor: false    # re-checks a table when its freshness SLA comes due
  # name: quality              # the first word of dq's job, schedule and sensor names (default:
  #                            # this folder's name)
"""

EXAMPLE_TABLE = """\
# An example table definition. dq reads only the *.yaml and *.yml files of this folder, so this one
# does nothing until it is renamed: mv orders.yaml.example orders.yaml
# `dg check defs` then validates it, and every problem is reported as path:line: message.

# The key of an asset this project already defines: a dbt model, a Sling stream, a Python asset
# ("analytics/orders" or [analytics, orders] for a longer key). dq's checks sit on that asset, run
# after it in the same run, and a failing blocking rule stops the assets downstream of it.
# Without `asset:`, dq watches a table produced outside Dagster and gives it an asset of its own,
# named by `table:`.
asset: orders

# Where dq reads the data: type file (Parquet, CSV, JSON, Excel; a local path or s3://), sql (any
# SQLAlchemy URL, or a sql source whose table the asset's dagster/table_name names), iceberg,
# athena or redshift.
source:
  type: file
  path: data/orders.parquet

# Rules are DQDL, the rule language of AWS Glue Data Quality; each one becomes an asset check,
# named by `name:` (or by a slug of the rule).
rules:
  - name: order_id_is_primary_key
    rule: IsPrimaryKey "order_id"
    blocking: true              # failing, it stops the assets downstream of orders
  - name: amount_in_range
    rule: ColumnValues "amount" between 0 and 100000
    severity: warn              # error (the default) or warn
  - name: has_rows
    rule: RowCount > 0

# Also check it on a cron (UTC), without rematerializing the asset:
# schedule: "0 6 * * *"
# The data's own age against an SLA:
# freshness: {max_age_hours: 24, warn_after_hours: 12}
"""


class DataQualityScaffolder(Scaffolder):
    """Writes defs.yaml with every option explained, and tables/ with one example definition."""

    def scaffold(self, request: ScaffoldRequest) -> None:
        """The yaml format gets the commented defs.yaml; others (python, append) Dagster's default."""
        if request.scaffold_format == "yaml" and not request.append:
            text = DEFS_YAML.format(type_name=request.type_name, tables=TABLES_FOLDER)
            (request.target_path / "defs.yaml").write_text(text, encoding="utf-8")
        else:
            scaffold_component(request, {"tables": TABLES_FOLDER})
        tables = request.target_path / TABLES_FOLDER
        tables.mkdir(parents=True, exist_ok=True)
        example = tables / EXAMPLE_FILE
        if not example.exists():
            example.write_text(EXAMPLE_TABLE, encoding="utf-8")
