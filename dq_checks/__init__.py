"""Pure data-quality logic: config models, metric plans, profiles, anomaly detectors.

Nothing in this package imports dagster or talks to the network, so every piece can be
tested on plain values.
"""
