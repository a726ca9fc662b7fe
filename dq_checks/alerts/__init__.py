"""Alerts: what a failing check becomes, how it lives, and what is said about it.

An alert is open, acknowledged, snoozed or resolved. Pure logic: the store, the notifiers and
the sensors live in the layers above.

- `model.py`: the vocabulary (types, statuses, severities) and the `Signal` an event becomes;
- `classify.py`: events as signals;
- `dedup.py`: the dedup key, and where an alert is deduplicated, step by step;
- `lifecycle.py`: what a signal does to its alert (`decide`);
- `routing.py`: which channels hear of it; `messages.py`: what they are told;
- `durations.py`: `2h`, `1d` for `dq alerts snooze`.
"""
