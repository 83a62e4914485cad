"""SQLite + SpatiaLite: the embedded default, loaded into sqlean's sqlite3 (extension loading on)."""
from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlean
from flask import has_request_context, request
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Row, Select, Table, bindparam, event, func, insert, literal_column, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL, Engine

from models import db
from satgas.database.base import BBox, DatabaseBackend, WorkerBusy

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


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


class SpatiaLiteBackend(DatabaseBackend):
    name = "spatialite"
    insert_construct = staticmethod(sqlite.insert)

    def engine_options(self) -> dict[str, Any]:
        # Python's own sqlite3 may be built without extension loading; sqlean's can load it.
        return {"module": sqlean.dbapi2, "connect_args": {"timeout": 30, "check_same_thread": False}}

    def configure_engine(self, engine: Engine) -> None:
        event.listen(engine, "connect", _load_spatialite)
        event.listen(engine, "begin", _begin)

    def insert_new(self, table: Table, rows: Sequence[dict], key: str = "id") -> set[Any]:
        if not rows:
            return set()
        stmt = self.statement(("insert_new", table.name, key), lambda: sqlite.insert(table)
                              .on_conflict_do_nothing(index_elements=[key]).returning(table.c[key]))
        return set(db.session.scalars(stmt, list(rows), execution_options={"sort_by_parameter_order": True}))

    def insert_rows(self, table: Table, rows: Sequence[dict]) -> None:
        if rows:
            db.session.execute(insert(table), list(rows))

    def geometry_rows_sql(self) -> str:
        return "SELECT CAST(key AS INTEGER) AS idx, value AS wkt FROM json_each(:wkt)"

    def geometry_rows_params(self, geometries: Sequence[BaseGeometry]) -> dict[str, Any]:
        return {"wkt": json.dumps([g.wkt for g in geometries])}

    def claim_one(self, query: Select, table: Table) -> Row | None:
        """Read, then release the database at once: a write transaction held while the caller
        works (an HTTP call) would lock out every writer of the file. No lock is needed, as at
        most one worker runs (`exclusive_worker`); a worker that dies leaves the row as it was."""
        row = db.session.execute(query).first()
        db.session.rollback()
        return row

    @contextmanager
    def exclusive_worker(self, url: URL) -> Iterator[None]:
        """One worker per database file, held by an advisory lock beside it (released when the process ends)."""
        database = Path(url.database or "satgas.db").resolve()
        with database.with_name(database.name + ".worker-lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WorkerBusy(f"Another webhook worker already runs for {database}: SQLite allows one "
                                 "(use PostgreSQL to run several).") from None
            yield

    def bbox_clause(self, table: Table, column: str, bbox: BBox, srid: int) -> ColumnElement[bool]:
        # SpatiaLite only uses its R*Tree when asked to, through the SpatialIndex table.
        candidates = text(
            "SELECT rowid FROM SpatialIndex WHERE f_table_name = :table AND f_geometry_column = :column "
            "AND search_frame = BuildMbr(:minlon, :minlat, :maxlon, :maxlat, :srid)"
        ).bindparams(table=table.name, column=column, minlon=bbox[0], minlat=bbox[1], maxlon=bbox[2],
                     maxlat=bbox[3], srid=srid)
        exact = func.ST_Intersects(table.c[column], from_shape(box(*bbox), srid=srid))
        return exact & literal_column(f"{table.name}.rowid").in_(candidates)

    def near_sql(self, table: str, alias: str, column: str, other: str, distance: float) -> str:
        # The R*Tree of the column answers the box around `other`; ST_Distance keeps the near ones.
        box = (f"xmin <= MbrMaxX({other}) + {distance} AND xmax >= MbrMinX({other}) - {distance} AND "
               f"ymin <= MbrMaxY({other}) + {distance} AND ymax >= MbrMinY({other}) - {distance}")
        return (f"{alias}.rowid IN (SELECT pkid FROM idx_{table}_{column} WHERE {box}) "
                f"AND ST_Distance({alias}.{column}, {other}) <= {distance}")

    def flat_buffer_sql(self, geometry: str, radius: float) -> str:
        return f"ST_Buffer(ST_Simplify({geometry}, 1), {radius})"

    @contextmanager
    def flat_buffers(self) -> Iterator[None]:
        # SpatiaLite takes the end-cap style from a per-connection setting: flat for these
        # statements only, then back to its default so no other buffer is affected.
        db.session.execute(text("SELECT BufferOptions_SetEndCapStyle('FLAT'), BufferOptions_SetJoinStyle('BEVEL')"))
        try:
            yield
        finally:
            db.session.execute(text(
                "SELECT BufferOptions_SetEndCapStyle('ROUND'), BufferOptions_SetJoinStyle('ROUND')"))

    def locate_sql(self, line: str, point: str) -> str:
        return f"ST_Line_Locate_Point({line}, {point})"

    def expand_bins_sql(self, ranges: str) -> str:
        return ("WITH RECURSIVE expanded(segment_id, bin, last_bin, work_date) AS ("
                f"SELECT segment_id, first_bin, last_bin, work_date FROM ({ranges}) "
                "UNION ALL SELECT segment_id, bin + 1, last_bin, work_date FROM expanded WHERE bin < last_bin) "
                "SELECT segment_id, bin, work_date FROM expanded")

    def lock_coverage(self) -> None:
        """Nothing to do: SQLite writers are serialised by BEGIN IMMEDIATE."""

    def update_rows(self, table: Table, key: str, rows: Sequence[dict]) -> None:
        if not rows:
            return
        columns = [n for n in rows[0] if n != key]
        stmt = self.statement(("update_rows", table.name, tuple(columns), key), lambda: update(table).where(
            table.c[key] == bindparam(f"b_{key}")).values({n: bindparam(f"b_{n}") for n in columns}))
        db.session.connection().execute(stmt, [{f"b_{n}": v for n, v in row.items()} for row in rows])
