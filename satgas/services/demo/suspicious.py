"""A few logs made suspicious on purpose, so the review queue shows what its flags mean.

Each is a real reason for the server to flag (the services decide, not the demo): a late after
photo, a photo taken far from the work, a photo reused from another log (one still pending,
one already rejected), a kelurahan claimed wrongly, and a poor GPS fix a supervisor checked and
approved anyway.
"""
from __future__ import annotations

from datetime import time, timedelta

from satgas.services.demo import places
from satgas.services.demo.month import at, next_working_day
from satgas.services.demo.plan import Demo, PlannedLog, PlannedReview
from satgas.timeutil import wib_date

REUSED_NOTE = "Foto sesudah sama dengan foto laporan lain (dipakai ulang). Kirim foto asli dari lokasi ini."
LOW_GPS_NOTE = "Akurasi GPS rendah, tetapi foto dan lokasi sesuai penugasan."


def _candidates(demo: Demo) -> list[PlannedLog]:
    """Recent logs with both photos (newest first), from before today, of every crew in turn."""
    today = demo.days[-1]
    recent = set(demo.days[-10:-1])
    found = [log for log in demo.logs if log.started_at.date() in recent and log.started_at.date() != today
             and log.photo("before") and log.photo("after")]
    found.sort(key=lambda log: (log.started_at.date(), log.crew), reverse=True)
    return found


def _late_photo(demo: Demo, log: PlannedLog) -> str:
    log.photo("after").taken_at = log.finished_at + timedelta(hours=5)  # type: ignore[union-attr]
    log.review = None
    return "after photo taken 5 hours after the work finished"


def _far_photo(demo: Demo, log: PlannedLog) -> str:
    photo = log.photo("before")
    photo.where = places.offset(photo.where, 1200, 300)  # type: ignore[union-attr]
    log.review = None
    return "before photo taken 1.2 km from the work"


def _reused(demo: Demo, log: PlannedLog, reject: bool) -> str | None:
    earlier = next((o for o in demo.logs if o.sent_at < log.sent_at - timedelta(days=3) and o.photo("after")
                    and o.crew == log.crew), None)
    if earlier is None:  # a short demo: nothing old enough to copy from
        return None
    log.photo("after").reuse_of = (earlier.index, "after")  # type: ignore[union-attr]
    log.review = None
    if reject:
        when = at(next_working_day(wib_date(log.sent_at)), time(8, 40))
        if when < demo.now:
            log.review = PlannedReview(when, "rejected", REUSED_NOTE, demo.reviewer(log.area.kecamatan_code))
            return "after photo reused from another log (rejected)"
    return "after photo reused from another log"


def _mismatch(demo: Demo, log: PlannedLog) -> str:
    neighbours = [a for a in places.of_kecamatan(log.area.kecamatan_code) if a.code != log.area.code]
    log.claimed_kelurahan_code = demo.rng.choice(neighbours).code
    log.review = None
    return "crew claimed another kelurahan than its GPS position"


def _low_gps(demo: Demo, log: PlannedLog) -> str:
    log.gps_accuracy_m = 85.0
    if log.review is not None:
        log.review = PlannedReview(log.review.at, "approved", LOW_GPS_NOTE, log.review.by)
        return "poor GPS fix (±85 m), checked and approved"
    return "poor GPS fix (±85 m)"


def plant_flags(demo: Demo) -> None:
    """Step: turn a handful of recent logs into the cases a supervisor must look at."""
    planters = [
        ("taken_outside_work_window", _late_photo), ("far_from_log", _far_photo),
        ("reused_photo", lambda d, log: _reused(d, log, reject=False)),
        ("reused_photo", lambda d, log: _reused(d, log, reject=True)),
        ("kelurahan_mismatch", _mismatch), ("low_gps_accuracy", _low_gps),
    ]
    candidates = iter(_candidates(demo)[::3])
    for flag, plant in planters:
        for log in candidates:
            what = plant(demo, log)
            if what is not None:
                log.planted = flag
                demo.findings.append(f"{flag}: {what} — {log.area.label}, {log.started_at:%d %b}")
                break
