"""Alembic environment for regwatch.

``db.upgrade`` hands over an open connection through ``config.attributes["connection"]``; the
``alembic`` command line (``alembic -c db/alembic.ini …``) uses ``sqlalchemy.url`` instead.
Logging is left alone: configuring it here would silence the application's loggers.
SQLite cannot ALTER most things, so migrations run in batch mode there.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from db.engine import connect
from db.schema import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url (alembic -x or alembic.ini) or call db.upgrade()")
    engine = connect(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
