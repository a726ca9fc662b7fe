"""The shop: dbt models and a Python asset, with dq's checks on them."""
