"""Exact full-table profiles: what each column holds, computed in the engine.

The package imports nothing itself, so that reading a profile's model (`profile.model`) does not
load the profiler and, through it, the table configuration.
"""
