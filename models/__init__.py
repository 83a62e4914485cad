"""SQLAlchemy models, one module per aggregate."""
from models.accounts import ROLES, AccessToken, Crew, User
from models.areas import City, Kecamatan, Kelurahan
from models.audit import AuditEvent
from models.base import METRIC_SRID, WGS84, Base, clock_at, db, utcnow
from models.drains import (
    BIN_MAX_M,
    NO_NEXT_DATE,
    CoverageDay,
    CoverageRollup,
    DrainNetworkArea,
    DrainSegment,
    LogCoverage,
)
from models.logs import ACTIVITIES, LOG_FLAGS, STATUSES, WorkLog
from models.photos import PHOTO_FLAGS, PHOTO_KINDS, Photo
from models.progress import DailyProgress
from models.uploads import Upload, UploadPart
from models.webhooks import WEBHOOK_EVENTS, Webhook, WebhookAttempt, WebhookEvent, WebhookMessage

__all__ = [
    "ACTIVITIES", "BIN_MAX_M", "LOG_FLAGS", "METRIC_SRID", "NO_NEXT_DATE", "PHOTO_FLAGS", "PHOTO_KINDS",
    "ROLES", "STATUSES", "WEBHOOK_EVENTS", "WGS84", "AccessToken", "AuditEvent", "Base", "City", "CoverageDay",
    "CoverageRollup", "Crew", "DailyProgress", "DrainNetworkArea", "DrainSegment", "Kecamatan", "Kelurahan",
    "LogCoverage", "Photo", "Upload", "UploadPart", "User", "Webhook", "WebhookAttempt", "WebhookEvent",
    "WebhookMessage", "WorkLog", "clock_at", "db", "utcnow",
]
