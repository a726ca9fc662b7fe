"""Alert sensors: the Dagster instance's event log in, alerts with a lifecycle and notifications out.

`sensors.py` defines the two sensors, `tick.py` is what each tick does (also `dq alerts sync`),
`feed.py` reads the event log, `settings.py` loads `alerts.yaml` and opens the store, `crash.py`
injects crashes for the tests. Where an alert is deduplicated: `dq_checks/alerts/dedup.py`.
"""
