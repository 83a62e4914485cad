"""What differs between the two spatial databases, behind one interface.

Services never ask which database they run on: they call the backend chosen once from
DATABASE_URL (see `satgas.database.backend_for_url`), exactly as `storage/` is chosen from
STORAGE_URL. Everything both databases do alike — GeoAlchemy2 functions, plain SQL — stays in
the services; only statements whose syntax or performance truly differ live here.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Integer, Row, Select, String, Table, TextClause, text
from sqlalchemy.engine import URL, Engine

BBox = tuple[float, float, float, float]


class WorkerBusy(RuntimeError):
    """Another worker already runs where only one may (SQLite)."""


class DatabaseBackend(ABC):
    """One object per dialect; statements are built once and reused (only parameters change)."""

    name: str

    def __init__(self) -> None:
        self._statements: dict[Hashable, Any] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def statement(self, key: Hashable, build) -> Any:
        """`build()` once per backend and key: hot paths reuse compiled statements."""
        if key not in self._statements:
            self._statements[key] = build()
        return self._statements[key]

    @abstractmethod
    def engine_options(self) -> dict[str, Any]:
        """SQLAlchemy engine options (driver, pool, timeouts)."""

    @abstractmethod
    def configure_engine(self, engine: Engine) -> None:
        """Attach connection hooks to the engine."""

    @abstractmethod
    def insert_new(self, table: Table, rows: Sequence[dict], key: str = "id") -> set[Any]:
        """Insert the rows whose `key` is not stored yet; returns the keys this call inserted.

        The primary key settles races: a row inserted concurrently by another transaction is
        skipped, not an error.
        """

    @abstractmethod
    def insert_rows(self, table: Table, rows: Sequence[dict]) -> None:
        """Insert many rows (dicts with the same keys) as fast as the database allows."""

    @abstractmethod
    def upsert_adding(self, table: Table, key_columns: tuple[str, ...], sum_columns: tuple[str, ...],
                      rows: Sequence[dict]) -> None:
        """Insert each row, or add its `sum_columns` to the stored row with the same key."""

    @abstractmethod
    def geometry_rows_sql(self) -> str:
        """SQL selecting rows (idx, wkt) from the parameters made by `geometry_rows_params`."""

    @abstractmethod
    def geometry_rows_params(self, geometries: Sequence[BaseGeometry]) -> dict[str, Any]:
        """All the geometries as one or two parameters: one round trip for any number."""

    def geometry_rows(self) -> TextClause:
        """The input geometries as a selectable of (idx, wkt), for set-based spatial queries."""
        return self.statement("geometry_rows", lambda: text(self.geometry_rows_sql()).columns(
            idx=Integer, wkt=String))

    @abstractmethod
    def claim_one(self, query: Select, table: Table) -> Row | None:
        """The first row of `query` for this worker alone to work on, or None.

        Rows of `table` claimed by one worker are never handed to another until the claim ends
        (its transaction commits or rolls back, or its process dies): a crash loses nothing.
        """

    @abstractmethod
    def exclusive_worker(self, url: URL) -> AbstractContextManager[None]:
        """Held while a background worker runs; raises WorkerBusy where only one may run."""

    @abstractmethod
    def bbox_clause(self, table: Table, column: str, bbox: BBox, srid: int) -> ColumnElement[bool]:
        """Rows of `table` whose geometry `column` intersects the box, through its spatial index."""


def same_keys(rows: Iterable[dict]) -> tuple[str, ...]:
    """The column names shared by every row; bulk statements need rows of one shape."""
    rows = list(rows)
    columns = tuple(rows[0])
    if any(tuple(row) != columns for row in rows):
        raise ValueError("bulk rows must all have the same keys in the same order")
    return columns
