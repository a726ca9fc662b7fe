"""The `sql` source: any SQLAlchemy database, every metric pushed down."""
