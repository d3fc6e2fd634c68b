"""Storage: one SQLite database, numbered migrations, small typed repositories."""

from bot.storage.database import Database, Transaction
from bot.storage.migrations import MigrationError, apply_migrations, schema_status

__all__ = ["Database", "MigrationError", "Transaction", "apply_migrations", "schema_status"]
