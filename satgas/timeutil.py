"""Kota Malang runs on WIB: every date the service talks about is a WIB date."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

# WIB is UTC+7 by definition (Asia/Jakarta has kept it since 1964): a fixed offset, so even an
# odd historical timestamp is shown as +07:00, valid RFC 3339.
WIB = timezone(timedelta(hours=7), "WIB")


def to_wib(value: datetime) -> datetime:
    return value.astimezone(WIB)


def wib_date(value: datetime) -> date:
    """The local WIB calendar date of an aware timestamp."""
    return value.astimezone(WIB).date()


def wib_today() -> date:
    return datetime.now(WIB).date()


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
