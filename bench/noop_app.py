"""The per-request floor: a bare Flask app whose one view does nothing, served by gunicorn with
the app's own settings (`gunicorn -c gunicorn.conf.py bench.noop_app:app`)."""
from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/noop")
def noop() -> dict:
    """No middleware, no database: what Flask + gunicorn cost per request on this machine."""
    return {"ok": True}
