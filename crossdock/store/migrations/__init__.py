"""Alembic migrations of crossdock's store, applied by ``crossdock db upgrade``."""
