"""Rules as code: DQDL rules compiled to metrics and queries, evaluated, and scored."""
