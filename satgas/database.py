"""Engine set-up for the two spatial backends: PostGIS and SpatiaLite."""
from __future__ import annotations

from typing import Any

import sqlean
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def engine_options(url: str) -> dict[str, Any]:
    """Driver options per backend."""
    if url.startswith("sqlite"):
        # Python's own sqlite3 may be built without extension loading; sqlean's can load it.
        return {"module": sqlean.dbapi2, "connect_args": {"timeout": 30, "check_same_thread": False}}
    return {
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 5,
        "connect_args": {"connect_timeout": 3},
    }


def _load_spatialite(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _begin)
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension("mod_spatialite")
    dbapi_conn.enable_load_extension(False)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'spatial_ref_sys'")
    if cur.fetchone()[0] == 0:
        cur.execute("SELECT InitSpatialMetadata(1)")
    cur.close()


def _begin(conn) -> None:
    """Writers take the lock up front on SQLite.

    A deferred transaction that reads, then writes, fails at once with SQLITE_BUSY when
    another writer committed in between; BEGIN IMMEDIATE waits its turn instead.
    """
    read_only = has_request_context() and request.method in READ_ONLY_METHODS
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def configure_engine(engine: Engine) -> None:
    """Attach backend-specific connection hooks."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _load_spatialite)
    event.listen(engine, "begin", _begin)
