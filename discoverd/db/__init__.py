"""discoverd's own state: SQLAlchemy models, engine and alembic migrations."""
