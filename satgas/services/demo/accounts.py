"""The demo's people: one crew per kecamatan (one phone account each), a city-wide and a
kecamatan supervisor, and an admin, each with a random password printed once."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select

from models import Crew, User, db
from satgas.services.accounts import create_crew, create_user
from satgas.services.demo.places import areas
from satgas.services.demo.plan import Demo, DemoAccount

SUPERVISED_KECAMATAN = "35.73.02"  # Klojen, the city centre


def _kecamatan() -> dict[str, str]:
    return {a.kecamatan_code: a.kecamatan_name for a in areas().values()}


def crew_name(kecamatan_name: str) -> str:
    return f"Satgas Drainase {kecamatan_name}"


def planned_accounts() -> list[DemoAccount]:
    """Who the demo creates (passwords drawn now, shown once at the end)."""
    def password() -> str:
        return secrets.token_urlsafe(9)

    kecamatan = _kecamatan()
    accounts = [
        DemoAccount("admin.demo", password(), "admin", "admin (crews and users)"),
        DemoAccount("pengawas.kota", password(), "supervisor", "supervisor, city-wide"),
        DemoAccount(f"pengawas.{kecamatan[SUPERVISED_KECAMATAN].lower()}", password(), "supervisor",
                    f"supervisor, Kec. {kecamatan[SUPERVISED_KECAMATAN]} only", kecamatan_code=SUPERVISED_KECAMATAN),
    ]
    for code, name in sorted(kecamatan.items()):
        accounts.append(DemoAccount(f"kru.{name.lower()}", password(), "crew",
                                    f"crew phone, {crew_name(name)}", crew_of=code))
    return accounts


def clashes(accounts: list[DemoAccount]) -> list[str]:
    """Demo usernames and crew names already taken (the demo then changes nothing)."""
    usernames = [a.username.lower() for a in accounts]
    crews = [crew_name(name) for name in _kecamatan().values()]
    taken = list(db.session.scalars(select(User.username).where(func.lower(User.username).in_(usernames))))
    taken += [f"crew {name!r}" for name in db.session.scalars(select(Crew.name).where(Crew.name.in_(crews)))]
    return taken


def create_accounts(demo: Demo) -> None:
    """Step: the crews and the accounts, through the same service as `flask users create`."""
    kecamatan = _kecamatan()
    for code, name in sorted(kecamatan.items()):
        demo.crew_ids[code] = create_crew(crew_name(name), code).id
    for account in demo.accounts:
        crew_id = demo.crew_ids[account.crew_of] if account.crew_of else None
        create_user(account.username, account.password, account.role, crew_id=crew_id,
                    kecamatan_code=account.kecamatan_code)
