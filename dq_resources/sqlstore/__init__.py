"""What dq's own SQL stores (alerts, results) share: aware UTC times, engines, alembic upgrades."""
