"""`dq demo`: the embedded demo warehouse."""

from __future__ import annotations

import sys

import click


@click.group()
def demo() -> None:
    """The embedded demo warehouse."""


@demo.command()
@click.option("--catalog", default="demo", show_default=True, help="pyiceberg catalog name to seed.")
@click.option("--force", is_flag=True, help="Drop and recreate the demo tables.")
def seed(catalog: str, force: bool) -> None:
    """Create the demo shop tables, with their planted defects, unless they exist."""
    from dq_resources.demo import seed_demo_warehouse
    from dq_resources.iceberg.catalogs import CatalogNotConfigured

    try:
        report = seed_demo_warehouse(catalog, force=force)
    except CatalogNotConfigured as error:  # expected: say where it was looked for, no exception name
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    for identifier in report.created:
        click.echo(f"created {catalog}:{identifier} ({report.rows[identifier]:,} rows)")
    for identifier in report.skipped:
        click.echo(f"exists  {catalog}:{identifier} (use --force to recreate)")
