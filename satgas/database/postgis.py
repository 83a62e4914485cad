"""PostgreSQL + PostGIS: many rows in one short statement, `json_to_recordset` of one parameter.

A multi-row VALUES insert grows with the rows and its SQL is re-parsed for every chunk. The
rows travel instead as one JSON text (`json.dumps` runs in C; psycopg's array adaptation walks
every value in Python), which PostgreSQL turns back into typed columns: the statement stays the
same size for any number of rows, and a chunk costs one parameter.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any

import shapely
from geoalchemy2 import Geometry
from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Row, Select, Table, Uuid, any_, bindparam, cast, event, func, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.types import NullType

from models import db
from satgas.database.base import BBox, DatabaseBackend, Dependent, same_keys

IDLE_PING_SECONDS = 10
_CONNECTED = "satgas.connection_procured"  # Session.info key: this transaction holds a connection


def _recordset_sql(table: Table, columns: tuple[str, ...], param: str = "rows") -> str:
    """SELECT of the table's `columns` from the JSON array of objects in the parameter `:<param>`."""
    declared, selected = [], []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, Geometry):
            declared.append(f"{name} text")
            selected.append(f"ST_GeomFromWKB(decode({name}, 'hex'), {column_type.srid})")
        else:
            declared.append(f"{name} {column_type.compile(dialect=postgresql.dialect())}")
            selected.append(name)
    return (f"SELECT {', '.join(selected)} FROM json_to_recordset(CAST(:{param} AS json)) "
            f"AS input({', '.join(declared)})")


def _wkb_hex(value: WKBElement) -> str:
    return bytes(value.data).hex()


# By exact type first (one dict lookup per value: a chunk has thousands), then by kind.
_JSON_WRITERS: dict[type, Any] = {uuid.UUID: str, datetime: datetime.isoformat, date: date.isoformat,
                                  WKBElement: _wkb_hex}


def _json_value(value: Any) -> Any:
    """What `json.dumps` cannot write itself, as PostgreSQL reads it back from JSON text."""
    writer = _JSON_WRITERS.get(type(value))
    if writer is not None:
        return writer(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):  # datetimes too: ISO 8601 with the offset
        return value.isoformat()
    if isinstance(value, WKBElement):
        return _wkb_hex(value)
    if isinstance(value, BaseGeometry):
        return value.wkb_hex
    raise TypeError(f"{type(value).__name__} is not a column value")


def _rows_json(rows: Sequence[dict]) -> str:
    return json.dumps(list(rows), default=_json_value, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def _connection_procured(session: Session, _transaction: SessionTransaction, _connection: Any) -> None:
    session.info[_CONNECTED] = True


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTED, None)


class PostGISBackend(DatabaseBackend):
    name = "postgis"
    insert_construct = staticmethod(postgresql.insert)

    def engine_options(self) -> dict[str, Any]:
        # No pool_pre_ping: it costs a round trip on every checkout, i.e. on every request that
        # touches the database. `configure_engine` pings only a connection that sat idle.
        return {"pool_pre_ping": False, "pool_size": 5, "max_overflow": 5, "connect_args": {"connect_timeout": 3}}

    def configure_engine(self, engine: Engine) -> None:
        """Ping a pooled connection before use only when it sat idle for over IDLE_PING_SECONDS
        (a database restart or a firewall's idle timeout meanwhile); one that failed in use makes
        SQLAlchemy drop the whole pool anyway. A failed ping hands out a new connection instead.
        Sessions note when their transaction holds a connection (`without_transaction`)."""
        if not event.contains(Session, "after_begin", _connection_procured):
            event.listen(Session, "after_begin", _connection_procured)
            event.listen(Session, "after_transaction_end", _transaction_ended)

        @event.listens_for(engine, "checkin")
        def _idle_from(_dbapi_connection, record) -> None:
            record.info["idle_since"] = time.monotonic()

        @event.listens_for(engine, "checkout")
        def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
            since = record.info.get("idle_since")
            if since is None or time.monotonic() - since <= IDLE_PING_SECONDS:
                return
            try:
                engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as exc:
                raise DisconnectionError("the pooled connection no longer answers") from exc

    def insert_new(self, table: Table, rows: Sequence[dict], key: str = "id") -> set[Any]:
        if not rows:
            return set()
        columns = same_keys(rows)
        sql = self.statement(("insert_new", table.name, columns, key), lambda: text(
            f"INSERT INTO {table.name} ({', '.join(columns)}) {_recordset_sql(table, columns)} "
            f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}"))
        return set(db.session.scalars(sql, {"rows": _rows_json(rows)}))

    def without_transaction(self) -> None:
        # Only while the session holds no connection yet (the auth hook may have written
        # last_seen_at): the one it then checks out runs in autocommit, and goes back to the
        # pool as the pool's default.
        session = db.session()
        if not session.info.get(_CONNECTED):
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    def insert_new_with(self, table: Table, row: dict, dependents: Sequence[Dependent], key: str = "id") -> bool:
        """One statement: the row's insert (ON CONFLICT DO NOTHING RETURNING) and each dependent's
        insert or upsert as data-modifying CTEs that write only when the row was inserted."""
        columns = same_keys([row])
        present = [d for d in dependents if d.rows]
        shapes = tuple((d.table.name, same_keys(d.rows), d.key_columns, d.sum_columns) for d in present)

        def build():
            parts = [f"new_row AS (INSERT INTO {table.name} ({', '.join(columns)}) "
                     f"{_recordset_sql(table, columns, 'new_row')} ON CONFLICT ({key}) DO NOTHING RETURNING {key})"]
            for i, (dependent, (_name, dep_columns, key_columns, sum_columns)) in enumerate(
                    zip(present, shapes, strict=True)):
                select_sql = _recordset_sql(dependent.table, dep_columns, f"d{i}")
                where = " WHERE EXISTS (SELECT 1 FROM new_row)"
                upsert = ""
                if key_columns:
                    sums = ", ".join(f"{n} = {dependent.table.name}.{n} + excluded.{n}" for n in sum_columns)
                    upsert = f" ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {sums}"
                parts.append(f"d{i} AS (INSERT INTO {dependent.table.name} ({', '.join(dep_columns)}) "
                             f"{select_sql}{where}{upsert})")
            return text(f"WITH {', '.join(parts)} SELECT {key} FROM new_row")

        sql = self.statement(("insert_new_with", table.name, columns, key, shapes), build)
        params = {"new_row": _rows_json([row])}
        params.update({f"d{i}": _rows_json(dependent.rows) for i, dependent in enumerate(present)})
        return db.session.execute(sql, params).first() is not None

    def insert_rows(self, table: Table, rows: Sequence[dict]) -> None:
        if not rows:
            return
        columns = same_keys(rows)
        sql = self.statement(("insert_rows", table.name, columns), lambda: text(
            f"INSERT INTO {table.name} ({', '.join(columns)}) {_recordset_sql(table, columns)}"))
        db.session.execute(sql, {"rows": _rows_json(rows)})

    def upsert_adding(self, table: Table, key_columns: tuple[str, ...], sum_columns: tuple[str, ...],
                      rows: Sequence[dict]) -> None:
        """One statement for all the rows (an executemany sends one per row). The rows are taken in
        the order given (the caller sorts them by key, so that concurrent writers lock alike); a
        key must not repeat within one call."""
        if not rows:
            return
        columns = same_keys(rows)
        sums = ", ".join(f"{n} = {table.name}.{n} + excluded.{n}" for n in sum_columns)
        sql = self.statement(("upsert_adding_rows", table.name, columns, key_columns, sum_columns), lambda: text(
            f"INSERT INTO {table.name} ({', '.join(columns)}) {_recordset_sql(table, columns)} "
            f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {sums}"))
        db.session.execute(sql, {"rows": _rows_json(rows)})

    def uuid_in(self, column: ColumnElement, ids: Sequence[Any]) -> ColumnElement[bool]:
        # One parameter, an array literal, instead of a parameter per id (each adapted in Python and
        # a new SQL text for every count): `{…}` of UUIDs' canonical text needs no quoting.
        literal = "{" + ",".join(str(i if isinstance(i, uuid.UUID) else uuid.UUID(str(i))) for i in ids) + "}"
        # Untyped, so that PostgreSQL reads it as uuid[] once when planning (a cast from varchar would
        # be evaluated for every row a sequential scan visits).
        return column == any_(cast(bindparam("uuid_ids", literal, type_=NullType()), postgresql.ARRAY(Uuid)))

    def geometry_rows_sql(self) -> str:
        # One JSON array of WKT (psycopg adapts a list parameter element by element, in Python).
        return ("SELECT CAST(t.ordinality - 1 AS integer) AS idx, t.value AS wkt "
                "FROM json_array_elements_text(CAST(:wkt AS json)) WITH ORDINALITY AS t")

    def geometry_rows_params(self, geometries: Sequence[BaseGeometry]) -> dict[str, Any]:
        # One vectorised call for all the geometries, the same text as each one's `.wkt`.
        return {"wkt": json.dumps(shapely.to_wkt(list(geometries), rounding_precision=-1).tolist())}

    def claim_one(self, query: Select, table: Table) -> Row | None:
        """Row-locked until this transaction ends; other workers skip it (SKIP LOCKED) and take the next.

        The claim lasts as long as the transaction, so the caller keeps it open while it works on
        the row and commits the outcome; a worker that dies drops its connection, which releases
        the lock, and the row is due again at once.
        """
        return db.session.execute(query.with_for_update(skip_locked=True, of=table)).first()

    def exclusive_worker(self, url: URL) -> AbstractContextManager[None]:
        """Any number of workers may run: SKIP LOCKED keeps them apart."""
        return nullcontext()

    def bbox_clause(self, table: Table, column: str, bbox: BBox, srid: int) -> ColumnElement[bool]:
        # PostgreSQL's planner uses the GiST index for ST_Intersects on its own.
        return func.ST_Intersects(table.c[column], from_shape(box(*bbox), srid=srid))

    def near_sql(self, table: str, alias: str, column: str, other: str, distance: float) -> str:
        return f"ST_DWithin({alias}.{column}, {other}, {distance})"

    def flat_buffer_sql(self, geometry: str, radius: float) -> str:
        # Simplified by 1 m and bevelled: a GPS track's many vertices cost intersections, not accuracy.
        return f"ST_Buffer(ST_Simplify({geometry}, 1, true), {radius}, 'endcap=flat join=bevel')"

    def parts_sql(self, source: str, geometry: str, max_parts: int) -> tuple[str, str]:
        # ST_Dump reads each collection once; a join on ST_NumGeometries evaluated it for every
        # (row, number) pair, i.e. max_parts times per row. A single geometry's path is empty.
        return (f"{source} AS p JOIN LATERAL ST_Dump(p.{geometry}) AS d "
                f"ON coalesce(d.path[1], 1) <= {max_parts}", "d.geom")

    def locate_sql(self, line: str, point: str) -> str:
        return f"ST_LineLocatePoint({line}, {point})"

    def expand_bins_sql(self, ranges: str) -> str:
        return (f"SELECT r.segment_id, generate_series(r.first_bin, r.last_bin) AS bin, r.work_date "
                f"FROM ({ranges}) AS r")

    def lock_coverage(self) -> None:
        # One transaction at a time recounts coverage: each reads the timelines it rewrites.
        db.session.execute(text("SELECT pg_advisory_xact_lock(15015)"))

    def update_rows(self, table: Table, key: str, rows: Sequence[dict]) -> None:
        if not rows:
            return
        columns = same_keys(rows)
        assignments = ", ".join(f"{n} = input.{n}" for n in columns if n != key)
        sql = self.statement(("update_rows", table.name, columns, key), lambda: text(
            f"UPDATE {table.name} SET {assignments} FROM ({_recordset_sql(table, columns)}) AS input "
            f"WHERE {table.name}.{key} = input.{key}"))
        db.session.execute(sql, {"rows": _rows_json(rows)})
