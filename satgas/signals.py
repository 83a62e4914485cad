"""Domain events other parts subscribe to (e.g. the public cache), sent after a commit."""
from blinker import Namespace

_signals = Namespace()

# Sent with sender=the app and log_id=..., status=... after a review decision is committed.
log_reviewed = _signals.signal("log-reviewed")
# Sent after a photo is committed (public=True when its log is approved: public pages show
# thumbnails of approved logs only).
photo_added = _signals.signal("photo-added")
