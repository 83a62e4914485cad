"""PostgreSQL + PostGIS: many rows in one short statement, `unnest` of one array per column.

A multi-row VALUES insert grows with the rows and its SQL is re-parsed for every chunk; with
one array parameter per column the statement stays the same size for any number of rows.
"""
from __future__ import annotations

import json
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from geoalchemy2 import Geometry
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import JSON, ColumnElement, Row, Select, Table, event, func, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DisconnectionError

from models import db
from satgas.database.base import BBox, DatabaseBackend, Dependent, same_keys

IDLE_PING_SECONDS = 10


def _unnest_insert_sql(table: Table, columns: tuple[str, ...], suffix: str = "") -> str:
    arrays, selected = [], []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, Geometry):
            arrays.append(f"CAST(:{name} AS bytea[])")
            selected.append(f"ST_GeomFromWKB({name}, {column_type.srid})")
        else:
            arrays.append(f"CAST(:{name} AS {column_type.compile(dialect=postgresql.dialect())}[])")
            selected.append(name)
    names = ", ".join(columns)
    return (f"INSERT INTO {table.name} ({names}) SELECT {', '.join(selected)} "
            f"FROM unnest({', '.join(arrays)}) AS input({names}) {suffix}").strip()


def _sql_type(table: Table, name: str) -> str:
    return table.c[name].type.compile(dialect=postgresql.dialect())


def _rows_select_sql(table: Table, columns: tuple[str, ...], count: int, prefix: str) -> str:
    """SELECT of the rows' values from parameters named `prefix` + column: scalars for one row,
    one array per column (`unnest`) for more."""
    selected = []
    for name in columns:
        column_type = table.c[name].type
        if count == 1:
            value = f"CAST(:{prefix}{name} AS bytea)" if isinstance(column_type, Geometry) else \
                f"CAST(:{prefix}{name} AS {_sql_type(table, name)})"
        else:
            value = f"input.{name}"
        selected.append(f"ST_GeomFromWKB({value}, {column_type.srid})" if isinstance(column_type, Geometry) else value)
    if count == 1:
        return f"SELECT {', '.join(selected)}"
    arrays = ", ".join(f"CAST(:{prefix}{name} AS bytea[])" if isinstance(table.c[name].type, Geometry)
                       else f"CAST(:{prefix}{name} AS {_sql_type(table, name)}[])" for name in columns)
    return f"SELECT {', '.join(selected)} FROM unnest({arrays}) AS input({', '.join(columns)})"


def _rows_params(table: Table, columns: tuple[str, ...], rows: Sequence[dict], prefix: str) -> dict[str, Any]:
    if len(rows) == 1:
        return {prefix + name: _array(table, name, [rows[0][name]])[0] for name in columns}
    return {prefix + name: _array(table, name, [row[name] for row in rows]) for name in columns}


def _array(table: Table, name: str, values: list[Any]) -> list[Any]:
    column_type = table.c[name].type
    if isinstance(column_type, Geometry):
        return [None if v is None else bytes(v.data) for v in values]
    if isinstance(column_type, JSON):
        return [None if v is None else json.dumps(v) for v in values]
    return values


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
        SQLAlchemy drop the whole pool anyway. A failed ping hands out a new connection instead."""

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

    def _arrays(self, table: Table, columns: tuple[str, ...], rows: Sequence[dict]) -> dict[str, list]:
        return {name: _array(table, name, [row[name] for row in rows]) for name in columns}

    def insert_new(self, table: Table, rows: Sequence[dict], key: str = "id") -> set[Any]:
        if not rows:
            return set()
        columns = same_keys(rows)
        sql = self.statement(("insert_new", table.name, columns, key), lambda: text(_unnest_insert_sql(
            table, columns, f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}")))
        return set(db.session.scalars(sql, self._arrays(table, columns, rows)))

    def insert_new_with(self, table: Table, row: dict, dependents: Sequence[Dependent], key: str = "id") -> bool:
        """One statement: the row's insert (ON CONFLICT DO NOTHING RETURNING) and each dependent's
        insert or upsert as data-modifying CTEs that write only when the row was inserted."""
        columns = same_keys([row])
        present = [d for d in dependents if d.rows]
        shapes = tuple((d.table.name, same_keys(d.rows), len(d.rows) == 1, d.key_columns, d.sum_columns)
                       for d in present)

        def build():
            parts = [f"new_row AS (INSERT INTO {table.name} ({', '.join(columns)}) "
                     f"{_rows_select_sql(table, columns, 1, 'r_')} ON CONFLICT ({key}) DO NOTHING RETURNING {key})"]
            for i, (dependent, (_name, dep_columns, single, key_columns, sum_columns)) in enumerate(
                    zip(present, shapes, strict=True)):
                select_sql = _rows_select_sql(dependent.table, dep_columns, 1 if single else 2, f"d{i}_")
                where = " WHERE EXISTS (SELECT 1 FROM new_row)"
                upsert = ""
                if key_columns:
                    sums = ", ".join(f"{n} = {dependent.table.name}.{n} + excluded.{n}" for n in sum_columns)
                    upsert = f" ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {sums}"
                parts.append(f"d{i} AS (INSERT INTO {dependent.table.name} ({', '.join(dep_columns)}) "
                             f"{select_sql}{where}{upsert})")
            return text(f"WITH {', '.join(parts)} SELECT {key} FROM new_row")

        sql = self.statement(("insert_new_with", table.name, columns, key, shapes), build)
        params = _rows_params(table, columns, [row], "r_")
        for i, (dependent, shape) in enumerate(zip(present, shapes, strict=True)):
            params.update(_rows_params(dependent.table, shape[1], dependent.rows, f"d{i}_"))
        return db.session.execute(sql, params).first() is not None

    def insert_rows(self, table: Table, rows: Sequence[dict]) -> None:
        if not rows:
            return
        columns = same_keys(rows)
        sql = self.statement(("insert_rows", table.name, columns),
                             lambda: text(_unnest_insert_sql(table, columns)))
        db.session.execute(sql, self._arrays(table, columns, rows))

    def geometry_rows_sql(self) -> str:
        return "SELECT * FROM unnest(CAST(:idx AS integer[]), CAST(:wkt AS text[])) AS t(idx, wkt)"

    def geometry_rows_params(self, geometries: Sequence[BaseGeometry]) -> dict[str, Any]:
        return {"idx": list(range(len(geometries))), "wkt": [g.wkt for g in geometries]}

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
        names = ", ".join(columns)
        arrays = ", ".join(f"CAST(:{n} AS {table.c[n].type.compile(dialect=postgresql.dialect())}[])"
                           for n in columns)
        assignments = ", ".join(f"{n} = input.{n}" for n in columns if n != key)
        sql = self.statement(("update_rows", table.name, columns, key), lambda: text(
            f"UPDATE {table.name} SET {assignments} FROM unnest({arrays}) AS input({names}) "
            f"WHERE {table.name}.{key} = input.{key}"))
        db.session.execute(sql, self._arrays(table, columns, rows))
