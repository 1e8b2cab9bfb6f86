"""Persistence: the ORM models, the engine, repositories and the Alembic migrations."""
