"""reused_photo: the same or a near-identical picture already attached to another log."""
from __future__ import annotations

import uuid

from PIL import Image
from sqlalchemy import event

from models import db
from satgas.services import photo_checks
from satgas.services.photo_checks import REUSE_MAX_HAMMING, _near_band_values
from tests.images import during_work, encode, jpeg, scene


def _put(api, log: dict, data: bytes) -> list[str]:
    resp = api.put(log["id"], data)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["flags"]


def test_same_bytes_on_another_log_are_flagged(api):
    first, second = api.new_log(), api.new_log()
    data = jpeg(5, taken=during_work(first))
    assert _put(api, first, data) == []
    assert _put(api, second, data) == ["reused_photo"]


def test_resized_reencode_on_another_log_is_flagged(api):
    first, second = api.new_log(), api.new_log()
    assert _put(api, first, jpeg(6, size=(1200, 800), taken=during_work(first), quality=92)) == []
    smaller = scene(6, (1200, 800)).resize((480, 320), Image.Resampling.BILINEAR)
    copy = encode(smaller, quality=55)
    assert _put(api, second, copy) == ["no_exif_time", "reused_photo"]


def test_a_different_picture_or_the_same_log_is_not_reuse(api):
    first, second = api.new_log(), api.new_log()
    data = jpeg(7, taken=during_work(first))
    assert _put(api, first, data) == []
    assert _put(api, first, data) == []  # the same log (another id): not another log's evidence
    assert _put(api, second, jpeg(8, taken=during_work(second))) == []


def test_band_neighbours_cover_the_threshold():
    # Within distance 7 one 16-bit band differs in at most one bit: 17 values per band suffice.
    assert REUSE_MAX_HAMMING <= 7
    values = _near_band_values(0b1010)
    assert len(set(values)) == 17 and all(((v ^ 0b1010).bit_count()) <= 1 for v in values)


def _reuse_lookup_sql(app) -> tuple[str, object]:
    captured = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "phash_b0" in statement:
            captured.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            photo_checks.near_hashes(uuid.uuid4(), 0x0123_4567_89AB_CDEF)
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
            db.session.rollback()
    return captured[0]


def test_candidates_come_from_the_band_indexes(app, db_backend):
    """The lookup is answered by the phash band indexes, not by reading every photo."""
    statement, parameters = _reuse_lookup_sql(app)
    with app.app_context():
        conn = db.session.connection()
        if db_backend == "postgis":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny test tables: show the index is usable
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
        else:
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        db.session.rollback()
    for band in range(4):
        assert f"ix_photos_phash_b{band}" in plan, plan
