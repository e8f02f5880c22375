"""Alembic migration scripts of the fleet history, run programmatically by `fnaudit.fleet.history.migrate`."""
