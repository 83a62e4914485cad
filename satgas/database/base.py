"""What differs between the two spatial databases, behind one interface.

Services never ask which database they run on: they call the backend chosen once from
DATABASE_URL (see `satgas.database.backend_for_url`), exactly as `storage/` is chosen from
STORAGE_URL. Everything both databases do alike — GeoAlchemy2 functions, plain SQL — stays in
the services; only statements whose syntax or performance truly differ live here.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Integer, Row, Select, String, Table, TextClause, text
from sqlalchemy.engine import URL, Engine

from models import db

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Dependent:
    """Rows written with a new row (`insert_new_with`): plain inserts, or, with `key_columns`,
    upserts adding their `sum_columns` to a stored row with the same key (as `upsert_adding`)."""

    table: Table
    rows: Sequence[dict]
    key_columns: tuple[str, ...] = ()
    sum_columns: tuple[str, ...] = ()


class WorkerBusy(RuntimeError):
    """Another worker already runs where only one may (SQLite)."""


class DatabaseBackend(ABC):
    """One object per dialect; statements are built once and reused (only parameters change)."""

    name: str
    # The dialect's INSERT construct that knows ON CONFLICT (sqlalchemy.dialects.<name>.insert).
    insert_construct: Callable[[Table], Any]

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

    def without_transaction(self) -> None:
        """Run what the session does next without a transaction, when the caller will only read
        and then write in ONE statement (`insert_new_with` here must be a single statement for
        that). Saves the BEGIN and COMMIT round trips. Here it does nothing: SQLite's
        `insert_new_with` is several statements, which need their transaction."""
        return

    @abstractmethod
    def insert_new(self, table: Table, rows: Sequence[dict], key: str = "id") -> set[Any]:
        """Insert the rows whose `key` is not stored yet; returns the keys this call inserted.

        The primary key settles races: a row inserted concurrently by another transaction is
        skipped, not an error.
        """

    @abstractmethod
    def insert_rows(self, table: Table, rows: Sequence[dict]) -> None:
        """Insert many rows (dicts with the same keys) as fast as the database allows."""

    def insert_new_with(self, table: Table, row: dict, dependents: Sequence[Dependent], key: str = "id") -> bool:
        """Insert `row` unless its `key` is stored (as `insert_new`) and, only when it was inserted,
        the `dependents` (audit, coverage, rollup rows of a new log) in the same transaction.
        Returns whether the row was inserted. Here: one statement after another; PostGIS does it
        all in one statement (one round trip)."""
        if row[key] not in self.insert_new(table, [row], key):
            return False
        for dependent in dependents:
            if not dependent.rows:
                continue
            if dependent.key_columns:
                self.upsert_adding(dependent.table, dependent.key_columns, dependent.sum_columns, dependent.rows)
            else:
                self.insert_rows(dependent.table, dependent.rows)
        return True

    def upsert_adding(self, table: Table, key_columns: tuple[str, ...], sum_columns: tuple[str, ...],
                      rows: Sequence[dict]) -> None:
        """Insert each row, or add its `sum_columns` to the stored row with the same key (one
        executemany). Both databases spell it INSERT … ON CONFLICT DO UPDATE, each with its own
        construct (`insert_construct`)."""
        if not rows:
            return

        def build():
            stmt = self.insert_construct(table)
            return stmt.on_conflict_do_update(index_elements=list(key_columns),
                                              set_={n: table.c[n] + stmt.excluded[n] for n in sum_columns})

        db.session.execute(self.statement(("upsert_adding", table.name, key_columns, sum_columns), build),
                           list(rows))

    def uuid_in(self, column: ColumnElement, ids: Sequence[Any]) -> ColumnElement[bool]:
        """`column IN ids` for many UUIDs (a batch's log ids)."""
        return column.in_(ids)

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


    # Coverage of the drain network (satgas.services.coverage): fragments of raw SQL, because the
    # two databases name these functions differently or need different help to use an index.

    @abstractmethod
    def near_sql(self, table: str, alias: str, column: str, other: str, distance: float) -> str:
        """Condition: `alias.column` (of `table`) lies within `distance` of the geometry SQL `other`
        (same planar SRID), found through the column's spatial index."""

    @abstractmethod
    def flat_buffer_sql(self, geometry: str, radius: float) -> str:
        """The area within `radius` of a line, with flat ends: nothing beyond its first and last point
        (the line may be simplified by a metre and the joins bevelled: cheaper, as accurate for bins)."""

    @contextmanager
    def flat_buffers(self) -> Iterator[None]:
        """Around statements that use `flat_buffer_sql` (SpatiaLite sets the end caps per connection)."""
        yield

    def parts_sql(self, source: str, geometry: str, max_parts: int) -> tuple[str, str]:
        """(FROM clause, part expression): a row per part (1..max_parts) of each row's collection
        `geometry` in the relation `source` (aliased `p`)."""
        numbers = ", ".join(f"({n})" for n in range(1, max_parts + 1))
        return (f"{source} AS p JOIN (VALUES {numbers}) AS n ON n.column1 <= ST_NumGeometries(p.{geometry})",
                f"ST_GeometryN(p.{geometry}, n.column1)")

    @abstractmethod
    def locate_sql(self, line: str, point: str) -> str:
        """Fraction (0..1) of the line's length at which the point nearest to `point` lies."""

    @abstractmethod
    def expand_bins_sql(self, ranges: str) -> str:
        """SELECT (segment_id, bin, work_date), one row per bin, from the SQL `ranges` with columns
        segment_id, first_bin, last_bin, work_date."""

    @abstractmethod
    def lock_coverage(self) -> None:
        """Serialise changes to the coverage counts until the transaction ends."""

    @abstractmethod
    def update_rows(self, table: Table, key: str, rows: Sequence[dict]) -> None:
        """Update many rows by `key` (dicts with the same keys) in as few statements as possible."""


def same_keys(rows: Iterable[dict]) -> tuple[str, ...]:
    """The column names shared by every row; bulk statements need rows of one shape."""
    rows = list(rows)
    columns = tuple(rows[0])
    if any(tuple(row) != columns for row in rows):
        raise ValueError("bulk rows must all have the same keys in the same order")
    return columns
