"""dq as a Dagster Component: `type: dq.DataQualityComponent` in a `defs.yaml` of the user's own project."""

from dq_assets.component.component import DataQualityComponent

__all__ = ["DataQualityComponent"]
