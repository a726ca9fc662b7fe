"""One module per family of rule types: how each becomes metrics and queries, and how it is judged."""
