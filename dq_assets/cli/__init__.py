"""The `dq` command line."""
