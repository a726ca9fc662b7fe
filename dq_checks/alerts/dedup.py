"""Where an alert is deduplicated: the dedup key, and the path every signal takes to it.

An alert is deduplicated twice over, and both happen in one transaction per sensor tick:

- **The same failure again** repeats the alert, it does not open another. Every signal names
  its alert by `dedup_key` (below): the asset and the check, so one alert is active per key.
- **The same event read again** (a sensor restarted after a crash) changes nothing. Each signal
  carries the event-log storage id of its evaluation, and the store refuses an id it has seen.

The path, one step per module, each pointing to the next:

1. `dq_assets/alerting/tick.py` runs a tick: it reads the event log (`feed.py`) and hands the
   signals to the store.
2. `dq_checks/alerts/classify.py` turns each event into a `Signal`: its asset and check (a run
   is the pseudo-check `run` of its table, or of `job:<name>` when it has none; Dagster's
   freshness policy is the pseudo-check `freshness_policy`).
3. `dedup_key`, here, names the alert the signal belongs to.
4. `dq_checks/alerts/lifecycle.py` (`decide`) says what the signal does to the active alert of
   its key: open, repeat, escalate, remind, resolve or nothing.
5. `dq_resources/alerts/ledger.py` (`AlertLedger.record`) skips evaluations recorded before,
   loads the active alert of each key, applies the decision and writes it; the database holds
   both rules as constraints (`dq_resources/alerts/schema.py`: a unique `evaluation_id`, and a
   partial unique index of one unresolved alert per `dedup_key`).
"""

from __future__ import annotations


def dedup_key(asset: str, check: str) -> str:
    """`asset::check`: one active alert per asset and check, so a check failing again repeats its alert.

    The next step, what a signal does to the alert of its key, is `lifecycle.decide`.
    """
    return f"{asset}::{check}"
