"""Kota Malang runs on WIB: every date the service talks about is a WIB date."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def to_wib(value: datetime) -> datetime:
    return value.astimezone(WIB)


def wib_date(value: datetime) -> date:
    """The local WIB calendar date of an aware timestamp."""
    return value.astimezone(WIB).date()


def wib_today() -> date:
    return datetime.now(WIB).date()


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
