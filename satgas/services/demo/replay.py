"""Replaying the planned month through the real services, in time order, on a replayed clock.

Logs go in through the ingest flow (`logs.submit_batch`), photos through `photos.add_photo`,
decisions through `reviews.review_log`: placement, flags, the rollup and the audit trail are
exactly what the services make of them. Under `clock_at`, every timestamp the services write
(created_at, audit times, reviewed_at, last seen) reads as the moment it would have happened.
"""
from __future__ import annotations

import hashlib
import itertools
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from models import User, clock_at, db
from satgas.services import logs, photos, reviews
from satgas.services.demo import places
from satgas.services.demo.pictures import drain_photo
from satgas.services.demo.plan import Demo, PlannedLog
from satgas.services.logs import IncomingLog
from satgas.services.photo_checks import Spooled
from satgas.services.tokens import touch_last_seen
from satgas.timeutil import wib_date

# A spot's photos stay this many bits (of 64) from every other spot's, so that only the
# planted reuse looks like one (the service flags 6 bits or fewer).
MIN_PHASH_DISTANCE = 12
SEND, REVIEW = 0, 1


class Photographer:
    """Takes each log's photos: spots kept apart by perceptual hash, reused bytes remembered."""

    def __init__(self, reused: set[tuple[int, str]]) -> None:
        self.hashes: list[int] = []
        self.kept: dict[tuple[int, str], bytes] = {}
        self.reused = reused

    def _apart(self, hashes: list[int]) -> bool:
        return all((new ^ old).bit_count() >= MIN_PHASH_DISTANCE for new in hashes for old in self.hashes)

    def shoot(self, log: PlannedLog) -> list[bytes]:
        """The bytes of each of the log's photos, in order."""
        own = [p for p in log.photos if p.reuse_of is None]
        for attempt in itertools.count():
            taken = {p.kind: drain_photo(log.spot_seed + attempt, p.kind, p.taken_at, places.lonlat(p.where),
                                         log.area.label) for p in own}
            if self._apart([phash for _, phash in taken.values()]):
                break
        self.hashes += [phash for _, phash in taken.values()]
        found = []
        for p in log.photos:
            data = self.kept[p.reuse_of] if p.reuse_of else taken[p.kind][0]
            if (log.index, p.kind) in self.reused:
                self.kept[(log.index, p.kind)] = data
            found.append(data)
        return found


def _spool(folder: Path, data: bytes) -> Spooled:
    path = folder / "photo.jpg"
    path.write_bytes(data)
    return Spooled(path, hashlib.sha256(data).hexdigest(), len(data))


def _send(user: User, batch: list[PlannedLog], at: datetime, camera: Photographer, folder: Path) -> None:
    """One phone sync: its logs, then their photos a few seconds apart, then the phone is seen."""
    with clock_at(at):
        results = logs.submit_batch(user, [IncomingLog.loaded(log.payload()) for log in batch])
    wrong = [r for r in results if r.status != "created"]
    if wrong:
        raise RuntimeError(f"a demo log was not stored: {wrong[0].status}: {wrong[0].message} {wrong[0].errors}")
    moment = at
    for log in batch:
        for photo, data in zip(log.photos, camera.shoot(log), strict=True):
            moment += timedelta(seconds=5)
            with clock_at(moment):
                photos.add_photo(user, log.id, photo.id, photo.kind, _spool(folder, data))
    with clock_at(moment + timedelta(seconds=5)):
        touch_last_seen(user)


def _events(demo: Demo) -> list[tuple[datetime, int, str, int]]:
    """(when, what, crew, log index), in time order; a crew's logs sent together sit side by side."""
    events = [(log.sent_at, SEND, log.crew, log.index) for log in demo.logs]
    events += [(log.review.at, REVIEW, "", log.index) for log in demo.logs if log.review is not None]
    return sorted(events)


def _grouped(demo: Demo):
    """Sends of one crew at one moment as one batch; each review on its own."""
    def key(event):
        return event[:3] if event[1] == SEND else event

    for (at, what, *_), group in itertools.groupby(_events(demo), key=key):
        yield at, what, [demo.logs[event[3]] for event in group]


def replay_month(demo: Demo) -> None:
    """Step: send every planned log, photo and review through the services, oldest first."""
    users = {user.username: user for user in db.session.scalars(select(User))}
    camera = Photographer({p.reuse_of for log in demo.logs for p in log.photos if p.reuse_of})
    shown = None
    with tempfile.TemporaryDirectory(prefix="satgas-demo-") as tmp:
        for at, what, batch in _grouped(demo):
            if what == SEND:
                _send(users[demo.crew_user(batch[0].crew)], batch, at, camera, Path(tmp))
            else:
                review = batch[0].review
                with clock_at(at):
                    reviews.review_log(users[review.by], batch[0].id, review.decision, review.note)
            if wib_date(at) != shown and wib_date(at).weekday() == 0:
                shown = wib_date(at)
                demo.echo(f"  … week of {shown:%d %b %Y}")
