"""Reports people open: the per-table report asset and the files `dq profile` writes."""
