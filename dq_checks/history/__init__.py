"""A table's and a metric's history, and the detectors that judge a new value against it.

Pure: values in, verdicts out. `earlier_runs` holds a table's earlier runs as plain values;
`series` a metric's points; `detectors` (with `robust`, which needs numpy) the judgements.
The package imports none of them itself, so reading earlier runs does not load numpy.
"""
