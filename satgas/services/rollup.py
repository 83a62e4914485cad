"""Keeps `daily_progress` equal to an aggregate over the logs, delta by delta.

Every change to a log (insert, review, a photo) removes the log's old contribution and adds
its new one in the same transaction, with an atomic upsert, so concurrent writers never lose
an increment and the rollup never disagrees with the logs it sums.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import DailyProgress, WorkLog
from satgas.database import backend

# The rollup row's key and the sums a log adds to it (also written by the single-log insert).
KEY = ("kelurahan_code", "work_date", "status")
SUMS = ("logs", "length_m", "sediment_m3", "waste_kg", "photos", "complete")
_KEY, _SUMS = KEY, SUMS


@dataclass(frozen=True)
class Contribution:
    kelurahan_code: str
    work_date: date
    status: str
    length_m: float
    sediment_m3: float
    waste_kg: float
    photos: int
    complete: int

    def values(self, sign: int) -> dict:
        return {
            "kelurahan_code": self.kelurahan_code, "work_date": self.work_date, "status": self.status,
            "logs": sign, "length_m": sign * self.length_m, "sediment_m3": sign * self.sediment_m3,
            "waste_kg": sign * self.waste_kg, "photos": sign * self.photos, "complete": sign * self.complete,
        }


def contribution(log: WorkLog, photo_kinds: list[str] | None = None) -> Contribution:
    """What one log adds to its kelurahan's day, given the kinds of its photos."""
    kinds = photo_kinds if photo_kinds is not None else [p.kind for p in log.photos]
    return Contribution(
        kelurahan_code=log.kelurahan_code,
        work_date=log.work_date,
        status=log.status,
        length_m=log.counted_length_m,
        sediment_m3=log.sediment_m3 or 0.0,
        waste_kg=log.waste_kg or 0.0,
        photos=len(kinds),
        complete=int("before" in kinds and "after" in kinds),
    )


def apply(old: Contribution | None, new: Contribution | None) -> None:
    """Replace a log's old contribution with its new one (either may be None)."""
    apply_many([(old, new)])


def apply_many(changes: list[tuple[Contribution | None, Contribution | None]]) -> None:
    """Apply many (old, new) changes as one upsert per touched row.

    Rows are written in key order, so concurrent transactions lock them in the same order
    and cannot deadlock each other.
    """
    totals: dict[tuple, dict] = {}
    for old, new in changes:
        if old == new:
            continue
        for part, sign in ((old, -1), (new, +1)):
            if part is None:
                continue
            values = part.values(sign)
            key = tuple(values[name] for name in _KEY)
            if key in totals:
                for name in _SUMS:
                    totals[key][name] += values[name]
            else:
                totals[key] = values
    if totals:
        # Add to the stored sums (insert where missing), in one executemany.
        backend().upsert_adding(DailyProgress.__table__, _KEY, _SUMS, [totals[key] for key in sorted(totals)])
