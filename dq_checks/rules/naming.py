"""Stable check names for rules that do not name themselves."""

from __future__ import annotations

import hashlib
import re

MAX_NAME = 64
RESERVED_CHECK_NAMES = frozenset(
    {"profile", "anomalies", "quality_score", "freshness", "volume", "schema", "drift"}
)


def slug(rule_text: str) -> str:
    """`IsPrimaryKey "order_id"` -> `isprimarykey_order_id`.

    Long texts are cut and get a short hash of the whole text, so two long rules that
    share a prefix still get different names, and the same text always gets the same name.
    """
    base = re.sub(r"[^a-z0-9]+", "_", rule_text.lower()).strip("_") or "rule"
    if base[0].isdigit():
        base = f"rule_{base}"
    if len(base) <= MAX_NAME:
        return base
    digest = hashlib.sha1(rule_text.encode("utf-8")).hexdigest()[:8]
    return f"{base[: MAX_NAME - 9].rstrip('_')}_{digest}"
