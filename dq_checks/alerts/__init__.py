"""Alerts: what a failing check becomes, how it lives, and what is said about it.

An alert is open, acknowledged, snoozed or resolved. Pure logic: the store, the notifiers and
the sensors live in the layers above.
"""
