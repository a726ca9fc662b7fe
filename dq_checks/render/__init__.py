"""Human-readable renderings: numbers, markdown tables."""
