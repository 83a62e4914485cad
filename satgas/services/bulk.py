"""Many rows in one short statement: INSERT … SELECT FROM unnest(one array per column).

A multi-row VALUES insert grows with the rows, and its SQL is re-parsed for every chunk;
with one array parameter per column the statement stays the same size for any row count.
This is PostgreSQL's; other databases take SQLAlchemy's ordinary executemany.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.dialects import postgresql

from models import db


@cache
def _sql(table: Table, columns: tuple[str, ...], suffix: str) -> str:
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
            f"FROM unnest({', '.join(arrays)}) AS input({names}) {suffix}")


def _array(table: Table, name: str, values: list[Any]) -> list[Any]:
    column_type = table.c[name].type
    if isinstance(column_type, Geometry):
        return [None if v is None else bytes(v.data) for v in values]
    if isinstance(column_type, JSON):
        return [None if v is None else json.dumps(v) for v in values]
    return values


def insert_rows(table: Table, rows: list[dict], suffix: str = "") -> Any:
    """Insert `rows` (dicts with the same keys); `suffix` e.g. 'ON CONFLICT (id) DO NOTHING RETURNING id'.

    Returns the result, so a RETURNING clause can be read.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return db.session.execute(insert(table), rows)
    columns = tuple(rows[0])
    params = {name: _array(table, name, [row[name] for row in rows]) for name in columns}
    return db.session.execute(text(_sql(table, columns, suffix)), params)
