"""Analyzers: statistics a ruleset asks for beside its rules, computed in the same scan and never judged."""
