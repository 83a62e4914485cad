"""Planning the demo month: each crew's working days, spots, measures, photos and reviews.

Crews work Monday to Saturday, 07:30–15:30 WIB with a lunch break, a few jobs a day in one
kelurahan of their kecamatan, going round all of them. Phones send each log a little after
the job (the Kedungkandang crew, with a bad signal, sends its day at the base in the evening).
Supervisors review a day or three later in the morning; what they have not reached yet is
pending. Today: the Sukun crew's last job has no after photo yet, and the Kedungkandang
crew's phone has not been seen for days.
"""
from __future__ import annotations

import itertools
import random
from datetime import date, datetime, time, timedelta

from shapely.geometry import LineString, Point

from satgas.services.demo import places
from satgas.services.demo.plan import Demo, PlannedLog, PlannedPhoto, PlannedReview
from satgas.timeutil import WIB, wib_date

LATE_SYNC_CREW = "35.73.03"  # Kedungkandang: sends at the base; its phone is away for the last days
PHONE_AWAY_DAYS = 2  # working days before today (and today) without a word from that phone
MISSING_AFTER_CREW = "35.73.04"  # Sukun: today's last job still lacks its after photo
REJECT_SHARE = 0.02
NO_AFTER_SHARE = 0.02  # days whose first job's after photo never came
# activity → (share, track metres or reported point metres, minutes of work)
ACTIVITIES = {
    "drain_cleaning": (0.5, (80, 320), (60, 120)),
    "channel_normalisation": (0.15, (50, 180), (90, 150)),
    "culvert_cleaning": (0.2, (6, 16), (45, 90)),
    "waste_removal": (0.15, (20, 60), (30, 60)),
}
TRACKS = ("drain_cleaning", "channel_normalisation")
NOTES = {
    "drain_cleaning": ["Saluran tersumbat sampah plastik dan lumpur.", "Sedimen tebal di depan permukiman.",
                       "Saluran depan pasar, banyak sampah rumah tangga.", "Air kembali mengalir lancar.", None],
    "channel_normalisation": ["Pelebaran dan pengerukan saluran.", "Dinding saluran dirapikan.", None],
    "culvert_cleaning": ["Gorong-gorong di bawah jalan tersumbat.", "Gorong-gorong depan sekolah.", None],
    "waste_removal": ["Tumpukan sampah di tepi sungai kecil.", "Sampah kiriman setelah hujan deras.", None],
}
REJECT_NOTES = [
    "Foto sesudah kurang jelas, hasil pembersihan tidak terlihat. Mohon foto ulang dari sudut yang sama.",
    "Panjang yang dilaporkan jauh melebihi jejak GPS. Mohon periksa kembali.",
    "Lokasi tidak sesuai penugasan hari ini; koordinasikan dengan pengawas sebelum pindah lokasi.",
]
NO_AFTER_NOTE = "Foto sesudah tidak dikirim, hasil kerja tidak bisa diperiksa."


def at(day: date, clock: time) -> datetime:
    """A WIB wall-clock moment."""
    return datetime.combine(day, clock, tzinfo=WIB)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def working_days(today: date, count: int) -> list[date]:
    """The last `count` working days (Monday–Saturday) up to today, oldest first."""
    days, day = [], today
    while len(days) < count:
        if day.weekday() != 6:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def _activity(rng: random.Random) -> str:
    names = list(ACTIVITIES)
    return rng.choices(names, weights=[ACTIVITIES[n][0] for n in names])[0]


def _measures(rng: random.Random, activity: str, geometry) -> dict:
    size = ACTIVITIES[activity][1]
    if activity in TRACKS:
        hundreds = geometry.length / 100
        return {"length_m": round(geometry.length * rng.uniform(0.95, 1.1) / 5) * 5,
                "sediment_m3": round(hundreds * rng.uniform(0.4, 1.4), 1),
                "waste_kg": round(hundreds * rng.uniform(10, 50))}
    waste = (80, 400) if activity == "waste_removal" else (20, 120)
    return {"length_m": float(rng.randint(*size)), "sediment_m3": round(rng.uniform(0, 0.5 if activity ==
            "waste_removal" else 2.5), 1), "waste_kg": float(rng.randint(*waste))}


def _photos(demo: Demo, geometry, started: datetime, finished: datetime) -> list[PlannedPhoto]:
    rng = demo.rng
    ends = (Point(geometry.coords[0]), Point(geometry.coords[-1])) if isinstance(geometry, LineString) \
        else (geometry, geometry)

    def near(point: Point) -> Point:
        return places.offset(point, rng.uniform(-8, 8), rng.uniform(-8, 8))

    return [PlannedPhoto("before", started + timedelta(minutes=rng.randint(3, 12)), near(ends[0]), demo.uuid()),
            PlannedPhoto("after", finished - timedelta(minutes=rng.randint(2, 12)), near(ends[1]), demo.uuid())]


def _job(demo: Demo, crew: str, area: places.Area, start: datetime) -> PlannedLog:
    rng = demo.rng
    activity = _activity(rng)
    _, size, minutes = ACTIVITIES[activity]
    geometry = places.track(area, rng, rng.uniform(*size)) if activity in TRACKS else places.spot(area, rng)
    finished = start + timedelta(minutes=rng.randint(*minutes))
    late = crew == LATE_SYNC_CREW
    sent = at(wib_date(start), time(16, rng.randint(15, 50))) if late else \
        finished + timedelta(minutes=rng.randint(5, 40))
    return PlannedLog(
        index=len(demo.logs), id=demo.uuid(), crew=crew, area=area, activity=activity, started_at=start,
        finished_at=finished, geometry=geometry, sent_at=sent, workers=rng.randint(3, 7),
        gps_accuracy_m=float(rng.randint(3, 15)), notes=rng.choice(NOTES[activity]),
        claimed_kelurahan_code=area.code, spot_seed=rng.getrandbits(48), **_measures(rng, activity, geometry),
        photos=_photos(demo, geometry, start, finished))


def _crew_day(demo: Demo, crew: str, area: places.Area, day: date) -> list[PlannedLog]:
    """A crew's jobs of one day, in one kelurahan; today only what is finished and sent by now."""
    rng = demo.rng
    jobs, start = [], at(day, time(7, 30)) + timedelta(minutes=rng.randint(0, 20))
    for _ in range(rng.choice((2, 3, 3))):
        job = _job(demo, crew, area, start)
        if job.finished_at > at(day, time(15, 40)) or job.sent_at > demo.now:
            break
        demo.logs.append(job)
        jobs.append(job)
        start = job.finished_at + timedelta(minutes=rng.randint(10, 25))
        if at(day, time(11, 45)) < start < at(day, time(13, 0)):
            start = at(day, time(13, 0)) + timedelta(minutes=rng.randint(0, 10))
    return jobs


def _review(demo: Demo, log: PlannedLog) -> PlannedReview | None:
    rng = demo.rng
    day = wib_date(log.started_at)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        day = next_working_day(day)
    when = at(day, time(8, 0)) + timedelta(minutes=rng.randint(0, 180))
    if when > demo.now - timedelta(minutes=5) or when < log.sent_at:
        return None
    by = demo.reviewer(log.area.kecamatan_code)
    if log.photo("after") is None:
        return PlannedReview(when, "rejected", NO_AFTER_NOTE, by)
    if rng.random() < REJECT_SHARE:
        return PlannedReview(when, "rejected", rng.choice(REJECT_NOTES), by)
    return PlannedReview(when, "approved", None, by)


def plan_month(demo: Demo) -> None:
    """Step: every log, photo and review of the month (nothing stored yet)."""
    today = wib_date(demo.now)
    demo.days = working_days(today, demo.working_days)
    away = set(demo.days[-(PHONE_AWAY_DAYS + 1):]) if demo.days[-1] == today else set(demo.days[-PHONE_AWAY_DAYS:])
    crews = sorted(demo.crew_ids)
    rotas = {}
    for crew in crews:
        kelurahan = places.of_kecamatan(crew)
        demo.rng.shuffle(kelurahan)
        rotas[crew] = itertools.cycle(kelurahan)
    for day in demo.days:
        for crew in crews:
            if crew == LATE_SYNC_CREW and day in away:
                continue
            jobs = _crew_day(demo, crew, next(rotas[crew]), day)
            if day == today and crew == MISSING_AFTER_CREW and jobs:
                jobs[-1].photos = [p for p in jobs[-1].photos if p.kind == "before"]
            elif day != today and jobs and demo.rng.random() < NO_AFTER_SHARE:
                jobs[0].photos = [p for p in jobs[0].photos if p.kind == "before"]
    for log in demo.logs:
        log.review = _review(demo, log)
