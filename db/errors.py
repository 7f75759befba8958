"""The db package's exception tree.

``DBError`` is the base. Storage functions that receive bad input from a crawler never raise (they
warn and record an ``error`` outcome instead); these exceptions are for structural problems a
person must fix: an unusable database URL, a failed migration.
"""

from __future__ import annotations


class DBError(Exception):
    """Base class of every error raised by ``db``."""


class ConnectError(DBError):
    """The database URL is unusable or the database cannot be opened."""


class MigrationError(DBError):
    """Alembic could not bring the database to the head revision."""
