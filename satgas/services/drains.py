"""Reading the drain network: segments with what approved work covered, and the overdue list."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from models import WGS84, DrainSegment, Kecamatan, Kelurahan, db
from satgas import geojson
from satgas.auth import drain_scope
from satgas.database import backend
from satgas.errors import Invalid
from satgas.principal import Actor
from satgas.timeutil import wib_today


def _known(model: type, code: str, field: str) -> Any:
    found = db.session.get(model, code)
    if found is None:
        raise Invalid(f"Unknown {field} {code!r}; see GET /api/v1/{model.__tablename__}.", {field: ["Unknown code."]})
    return found


def _filtered(user: Actor, filters: dict[str, Any]) -> Select:
    """Segments the user may list that match the filters (kecamatan, kelurahan, bbox)."""
    kelurahan_code = filters.get("kelurahan_code")
    asked = _known(Kelurahan, kelurahan_code, "kelurahan_code").kecamatan_code if kelurahan_code else None
    scope = drain_scope(user, asked or filters.get("kecamatan_code"))
    query = select(DrainSegment)
    if scope:
        _known(Kecamatan, scope, "kecamatan_code")
        query = query.where(DrainSegment.kecamatan_code == scope)
    if kelurahan_code:
        query = query.where(DrainSegment.kelurahan_code == kelurahan_code)
    if filters.get("bbox"):
        query = query.where(backend().bbox_clause(DrainSegment.__table__, "geometry", tuple(filters["bbox"]), WGS84))
    return query


_COLUMNS = (DrainSegment.id, DrainSegment.kelurahan_code, DrainSegment.kecamatan_code, DrainSegment.name,
            DrainSegment.kind, DrainSegment.length_m, DrainSegment.covered_m, DrainSegment.last_cleaned_on,
            DrainSegment.cleanings,
            # GeoJSON written by the database: a long list costs no geometry parsing in Python.
            func.ST_AsGeoJSON(DrainSegment.geometry, geojson.COORD_DECIMALS).label("geojson"))


def _feature(row: Any) -> str:
    properties = {
        "id": row.id, "kelurahan_code": row.kelurahan_code, "kecamatan_code": row.kecamatan_code,
        "name": row.name, "kind": row.kind, "length_m": round(row.length_m, 2), "covered_m": round(row.covered_m, 2),
        "last_cleaned_on": row.last_cleaned_on.isoformat() if row.last_cleaned_on else None,
        "cleanings": row.cleanings,
    }
    return geojson.feature_json(row.geojson, properties, row.id)


def _stream(query: Select) -> Iterator[str]:
    for row in db.session.execute(query.with_only_columns(*_COLUMNS).execution_options(yield_per=1000)):
        yield _feature(row)


def segments(user: Actor, filters: dict[str, Any]) -> Iterator[str]:
    """GeoJSON Features (JSON text) of the segments in scope, by kelurahan; checked before the first is read."""
    return _stream(_filtered(user, filters).order_by(DrainSegment.kelurahan_code, DrainSegment.id))


def overdue_since(days: int) -> date:
    """Cleaned before this WIB date (or never) is overdue."""
    return wib_today() - timedelta(days=days)


def overdue(user: Actor, filters: dict[str, Any], days: int) -> Iterator[str]:
    """Segments not cleaned by an approved log in the last `days` days (or never), longest first."""
    since = overdue_since(days)
    query = _filtered(user, filters).where(or_(DrainSegment.last_cleaned_on.is_(None),
                                              DrainSegment.last_cleaned_on < since))
    return _stream(query.order_by(DrainSegment.length_m.desc(), DrainSegment.id))
