"""Distribution drift: what changed in the data itself between a baseline and now (scipy's tests)."""
