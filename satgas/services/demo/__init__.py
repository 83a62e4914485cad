"""The demo month (`flask --app wsgi demo`): about 30 working days of realistic work in an empty
database, so that anyone can open the console, the public page and the API at once.

It is a list of steps over one shared `Demo` (plan.py): people first, then a plan of the month
made in memory (spots inside the real kelurahan polygons, WIB working hours, photos, reviews),
then a few logs made suspicious on purpose, then the replay of it all through the real
services (ingest, photos, reviews) so that flags, the rollup and the audit trail are exactly
what the service makes of such work. A later feature adds its own step where marked.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from models import Photo, WorkLog, db, utcnow
from satgas.errors import Conflict
from satgas.services.demo.accounts import clashes, create_accounts, planned_accounts
from satgas.services.demo.extras import add_complaint_refs, load_drain_network
from satgas.services.demo.month import plan_month
from satgas.services.demo.plan import Demo, DemoAccount
from satgas.services.demo.replay import replay_month
from satgas.services.demo.suspicious import plant_flags

Step = Callable[[Demo], None]

STEPS: tuple[Step, ...] = (
    create_accounts,  # crews and accounts (random passwords)
    load_drain_network,  # the synthetic network, before the logs: they are planned along its drains
    plan_month,  # every log, photo and review of the month, in memory
    plant_flags,  # a few logs made suspicious on purpose
    add_complaint_refs,  # some jobs answer a SAMBAT Online complaint
    replay_month,  # everything through the real services, in time order
)


@dataclass(frozen=True)
class DemoResult:
    accounts: list[DemoAccount]
    first_day: date
    last_day: date
    statuses: dict[str, int]
    kelurahan: int
    photos: int
    findings: list[str]

    @property
    def logs(self) -> int:
        return sum(self.statuses.values())


def holds_logs() -> bool:
    """Whether any work log is stored (the demo loads only into a database without)."""
    return db.session.scalar(select(WorkLog.id).limit(1)) is not None


def _result(demo: Demo) -> DemoResult:
    statuses = dict(db.session.execute(select(WorkLog.status, func.count()).group_by(WorkLog.status)).all())
    kelurahan = db.session.scalar(select(func.count(func.distinct(WorkLog.kelurahan_code)))) or 0
    photos = db.session.scalar(select(func.count()).select_from(Photo)) or 0
    db.session.commit()
    return DemoResult(demo.accounts, demo.days[0], demo.days[-1], statuses, kelurahan, photos, demo.findings)


def load_demo(working_days: int = 30, seed: int | None = None,
              echo: Callable[[str], None] = lambda _line: None) -> DemoResult:
    """Load the demo month; 409 (nothing changed) when the database already holds logs or the
    demo's usernames are taken."""
    if holds_logs():
        raise Conflict("The database already holds work logs; the demo month loads only into an empty database. "
                       "Nothing was changed.")
    accounts = planned_accounts()
    taken = clashes(accounts)
    db.session.commit()
    if taken:
        raise Conflict(f"The demo's names are taken already ({', '.join(taken)}); nothing was changed.")
    demo = Demo(rng=random.Random(seed), now=utcnow(), working_days=working_days, echo=echo, accounts=accounts)
    for step in STEPS:
        step(demo)
    return _result(demo)
