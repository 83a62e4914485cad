"""What the demo month is made of, before anything is stored: accounts, planned logs, photos, reviews.

Steps (see `satgas.services.demo.STEPS`) fill and adjust a `Demo`; the replay step then sends
every planned log, photo and review through the real services.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from satgas.services.demo.places import Area, to_wgs84


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    what: str  # who this is, in the printed table
    kecamatan_code: str | None = None
    crew_of: str | None = None  # kecamatan code of the crew a crew user belongs to


@dataclass
class PlannedPhoto:
    kind: str
    taken_at: datetime
    where: Point  # metres (UTM 49S): the EXIF GPS position
    id: uuid.UUID
    reuse_of: tuple[int, str] | None = None  # (log index, kind): send those very bytes again


@dataclass
class PlannedReview:
    at: datetime
    decision: str
    note: str | None
    by: str  # username of the supervisor


@dataclass
class PlannedLog:
    """One log as the crew's phone will send it, with its photos and its review (None: pending)."""

    index: int
    id: uuid.UUID
    crew: str  # kecamatan code of the crew (one crew per kecamatan)
    area: Area
    activity: str
    started_at: datetime
    finished_at: datetime
    geometry: BaseGeometry  # metres (UTM 49S)
    sent_at: datetime
    length_m: float | None
    sediment_m3: float
    waste_kg: float
    workers: int
    gps_accuracy_m: float
    notes: str | None
    claimed_kelurahan_code: str
    spot_seed: int
    photos: list[PlannedPhoto] = field(default_factory=list)
    review: PlannedReview | None = None
    # More fields exactly as a phone sends them (later steps may add, e.g. complaint_ref).
    extra: dict[str, Any] = field(default_factory=dict)
    planted: str | None = None  # the suspicious thing planted on purpose, for the summary

    def payload(self) -> dict[str, Any]:
        """The log as the API's schema loads what a phone sends."""
        return {
            "id": self.id, "activity": self.activity, "started_at": self.started_at,
            "finished_at": self.finished_at, "geometry": to_wgs84(self.geometry),
            "gps_accuracy_m": self.gps_accuracy_m, "kelurahan_code": self.claimed_kelurahan_code,
            "length_m": self.length_m, "sediment_m3": self.sediment_m3, "waste_kg": self.waste_kg,
            "workers": self.workers, "notes": self.notes, "crew_id": None, "complaint_ref": None, **self.extra,
        }

    def photo(self, kind: str) -> PlannedPhoto | None:
        return next((p for p in self.photos if p.kind == kind), None)


@dataclass
class Demo:
    """The state the steps share."""

    rng: random.Random
    now: datetime
    working_days: int
    echo: Callable[[str], None]
    days: list[date] = field(default_factory=list)  # the working days, oldest first
    accounts: list[DemoAccount] = field(default_factory=list)
    crew_ids: dict[str, int] = field(default_factory=dict)  # kecamatan code → crew id
    logs: list[PlannedLog] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # lines for the summary

    def uuid(self) -> uuid.UUID:
        """A random id from the demo's own generator (a seed gives the same month again)."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def account(self, *, role: str, kecamatan_code: str | None = None, crew_of: str | None = None) -> DemoAccount:
        return next(a for a in self.accounts if a.role == role and a.kecamatan_code == kecamatan_code
                    and a.crew_of == crew_of)

    def crew_user(self, kecamatan_code: str) -> str:
        return self.account(role="crew", crew_of=kecamatan_code).username

    def reviewer(self, kecamatan_code: str) -> str:
        """The kecamatan's own supervisor where there is one, else the city-wide supervisor."""
        scoped = [a for a in self.accounts if a.role == "supervisor" and a.kecamatan_code == kecamatan_code]
        return (scoped or [self.account(role="supervisor")])[0].username
