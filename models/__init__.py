"""SQLAlchemy models, one module per aggregate."""
from models.accounts import ROLES, AccessToken, Crew, User
from models.areas import City, Kecamatan, Kelurahan
from models.audit import AuditEvent
from models.base import METRIC_SRID, WGS84, Base, clock_at, db, utcnow
from models.logs import ACTIVITIES, LOG_FLAGS, STATUSES, WorkLog
from models.photos import PHOTO_FLAGS, PHOTO_KINDS, Photo
from models.progress import DailyProgress

__all__ = [
    "ACTIVITIES", "LOG_FLAGS", "METRIC_SRID", "PHOTO_FLAGS", "PHOTO_KINDS", "ROLES",
    "STATUSES", "WGS84", "AccessToken", "AuditEvent", "Base", "City", "Crew", "DailyProgress",
    "Kecamatan", "Kelurahan", "Photo", "User", "WorkLog", "clock_at", "db", "utcnow",
]
