"""Schema migrations: ``upgrade`` runs Alembic to head with a programmatic configuration.

The script location is found from this package's path, so upgrading works from any working
directory and from an installed wheel; no ``alembic.ini`` is needed. Upgrading an up-to-date
database is a no-op.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from db.engine import connect
from db.errors import DBError, MigrationError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` pointing at ``db/migrations`` (and at ``url`` when given)."""
    # Alembic is imported here, not with ``db``: the crawl's storage process and most CLI
    # commands never migrate, and it costs them ~0.1 s of start-up.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest).

    Args:
        engine_or_url: An engine from ``connect`` or a database URL.
        revision: Alembic revision to upgrade to.

    Raises:
        MigrationError: a migration failed; the database is left at the last good revision.
    """
    engine = connect(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    from alembic import command

    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DBError:
        raise
    except Exception as exc:
        raise MigrationError(
            f"migrating {engine.url.render_as_string(hide_password=True)} to {revision} "
            f"failed: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
