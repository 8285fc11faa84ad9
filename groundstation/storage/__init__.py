"""Persistence of a profile: SQLite through SQLAlchemy 2, migrated by Alembic, one database per profile.

The only package that imports SQLAlchemy or Alembic. Services see it through ``domain.ports`` alone
(``ProfileCatalog``, ``ProfileStore``, ``UnitOfWork``), so that bootstrap can swap it for a fake in tests or,
later, point profiles at PostgreSQL without touching a service.
"""

from groundstation.storage.catalog import FileProfileCatalog, default_root
from groundstation.storage.locking import ProfileLock
from groundstation.storage.repositories import (
    SqlAuditRepository,
    SqlEventRepository,
    SqlSessionRepository,
    SqlSettingsRepository,
    SqlStreamRepository,
    SqlTelemetryRepository,
    SqlUnitOfWork,
)
from groundstation.storage.store import SqliteProfileStore

__all__ = [
    "FileProfileCatalog",
    "ProfileLock",
    "SqlAuditRepository",
    "SqlEventRepository",
    "SqlSessionRepository",
    "SqlSettingsRepository",
    "SqlStreamRepository",
    "SqlTelemetryRepository",
    "SqlUnitOfWork",
    "SqliteProfileStore",
    "default_root",
]
