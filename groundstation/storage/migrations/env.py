"""Alembic environment for a profile database.

groundstation runs migrations itself when a profile is opened for the runtime, passing the connection it
already configured (foreign keys, WAL, busy timeout) through ``config.attributes["connection"]``, so the
migration runs in the caller's transaction and no alembic.ini has to ship. A developer who autogenerates a
new revision passes ``-x url=sqlite:///path/to/profile.db`` to the alembic command line instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from groundstation.storage.orm import Base


def _migrate(connection: Connection) -> None:
    # Batch mode: SQLite cannot ALTER most things, so later revisions recreate tables in batch operations.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise RuntimeError("no database: groundstation passes a connection; from the command line use -x url=...")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _migrate(conn)
    finally:
        engine.dispose()


_run()
