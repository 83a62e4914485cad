"""`flask uploads expire`: uploads older than 24 hours go with their stored bytes, in both storages;
so does a part object that no upload refers to. Younger uploads are left alone."""
from __future__ import annotations

import uuid
from datetime import timedelta

from models import utcnow
from satgas.photo_storage import photo_storage
from satgas.services import uploads
from tests.images import during_work, jpeg


def _clock(monkeypatch, hours: float) -> None:
    now = utcnow() + timedelta(hours=hours)
    monkeypatch.setattr(uploads, "utcnow", lambda: now)


def _expire(app) -> str:
    result = app.test_cli_runner().invoke(args=["uploads", "expire"])
    assert result.exit_code == 0, result.output
    return result.output


def test_expire_removes_stale_uploads_and_their_bytes(tus, app, monkeypatch, tmp_path):
    log = tus.new_log()
    data = jpeg(taken=during_work(log))
    unfinished = tus.location(log["id"], len(data))
    assert tus.patch(unfinished, 0, data[:1000]).status_code == 204
    finished = tus.location(log["id"], len(data))
    assert tus.patch(finished, 0, data).status_code == 204
    [part] = tus.parts()
    # A part whose row never got committed (its server died in between): an orphan.
    orphan = f"{uploads.PART_PREFIX}{uuid.uuid4()}.000000000000.0000dead"
    (tmp_path / "orphan").write_bytes(b"\xff" * 100)
    with app.app_context():
        photo_storage().put_file(orphan, tmp_path / "orphan", "application/octet-stream")

    assert "Removed 0 uploads" in _expire(app) and sorted(tus.parts()) == sorted([part, orphan])

    _clock(monkeypatch, hours=23)
    assert _expire(app).endswith("and 1 orphaned parts.\n")
    assert tus.parts() == [part] and tus.head(unfinished).headers["Upload-Offset"] == "1000"

    _clock(monkeypatch, hours=25)
    assert tus.head(unfinished).status_code == 404  # expired, even before the command runs
    assert "Removed 2 uploads older than 24 hours (1 stored parts) and 0 orphaned parts" in _expire(app)
    assert tus.parts() == []
    assert tus.head(finished).status_code == 404
    assert len(tus.photos(log["id"])) == 1  # the attached photo is not an upload: it stays
    assert "Removed 0 uploads" in _expire(app)
