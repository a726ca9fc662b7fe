"""The base of every definition model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Rejects unknown keys, so a typo in YAML is an error rather than a silently ignored setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)
