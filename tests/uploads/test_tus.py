"""tus 1.0.0 (core + creation) at /api/v1/uploads: resumes where a cut-off upload stopped, and
the finished photo goes through exactly the same checks as a PUT."""
from __future__ import annotations

import hashlib
import io
import threading
import uuid

import pytest
import requests
from tusclient.exceptions import TusUploadFailed

from bench.droplink import DropLink
from tests.images import PDF, during_work, encode, jpeg, padded_jpeg, scene
from tests.uploads.conftest import CHUNK, MAX_BYTES, MIB, OFFSET_STREAM, metadata_header


def test_upload_cut_off_after_1_mib_resumes_from_head_offset(tus):
    log = tus.new_log()
    data = padded_jpeg(3 * MIB, taken=during_work(log))
    with DropLink(tus.base, drops=[MIB]) as link:
        first = tus.uploader(io.BytesIO(data), log["id"], base=link.url)
        with pytest.raises(TusUploadFailed):
            first.upload()
        assert link.dropped == 1 and first.url

        held = int(tus.head(first.url).headers["Upload-Offset"])
        resumed = tus.uploader(io.BytesIO(data), log["id"], base=link.url, url=first.url)  # asks HEAD itself
        assert resumed.offset == held > 3 * CHUNK  # the cut-off PATCH kept the bytes that arrived
        resumed.upload()
        sent = link.sent

    assert sent < 1.1 * len(data)
    [photo] = tus.photos(log["id"])
    assert photo["sha256"] == hashlib.sha256(data).hexdigest() == tus.downloaded_sha256(photo["id"])
    assert photo["bytes"] == len(data) and photo["kind"] == "before" and photo["flags"] == []
    assert tus.parts() == []  # the parts are gone once the photo is attached
    done = tus.head(first.url)
    assert done.status_code == 200 and done.headers["Upload-Offset"] == done.headers["Upload-Length"] == str(len(data))


def test_every_answer_says_tus_resumable(tus):
    log = tus.new_log()
    data = jpeg(taken=during_work(log))
    url = tus.location(log["id"], len(data))
    answers = {
        "options": requests.options(tus.endpoint, headers=tus.cast.headers("crew_a")),
        "head": tus.head(url),
        "patch": tus.patch(url, 0, data[:1000]),
        "conflict": tus.patch(url, 0, data[:1000]),
        "anonymous": tus.head(url, who=None),
        "not yours": tus.head(url, who="crew_b"),
        "old version": requests.head(url, headers={**tus.headers(), "Tus-Resumable": "0.2.2"}),
        "too large": tus.create(log["id"], MAX_BYTES + 1),
        "forbidden": tus.create(log["id"], 10, who="sup_klojen"),
        "bad metadata": tus.create(log["id"], 10, **{"Upload-Metadata": "log_id not-base64!"}),
        "wrong type": tus.patch(url, 1000, data[1000:], content_type="image/jpeg"),
        "no such method": requests.get(url, headers=tus.headers()),
        "last bytes": tus.patch(url, 1000, data[1000:]),
    }
    codes = {name: resp.status_code for name, resp in answers.items()}
    assert codes == {"options": 204, "head": 200, "patch": 204, "conflict": 409, "anonymous": 401, "not yours": 404,
                     "old version": 412, "too large": 413, "forbidden": 403, "bad metadata": 422,
                     "wrong type": 415, "no such method": 405, "last bytes": 204}
    versions = {name: resp.headers.get("Tus-Resumable") for name, resp in answers.items()}
    assert versions == dict.fromkeys(answers, "1.0.0")
    assert answers["old version"].headers["Tus-Version"] == "1.0.0"
    options = answers["options"].headers
    assert (options["Tus-Version"], options["Tus-Extension"], options["Tus-Max-Size"]) == ("1.0.0", "creation",
                                                                                          str(MAX_BYTES))
    assert answers["head"].headers["Cache-Control"] == "no-store"
    assert answers["last bytes"].headers["Upload-Offset"] == str(len(data))


def test_head_answers_offset_length_and_the_metadata_as_sent(tus):
    log = tus.new_log()
    meta = metadata_header({"log_id": log["id"], "photo_id": str(uuid.uuid4()), "kind": "after",
                            "filename": "IMG_0001.jpg", "empty": ""})
    created = tus.create(log["id"], 5000, **{"Upload-Metadata": meta})
    assert created.status_code == 201 and created.headers["Location"].startswith("/api/v1/uploads/")
    head = tus.head(tus.base + created.headers["Location"])
    assert head.status_code == 200 and head.text == ""
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("0", "5000")
    assert head.headers["Upload-Metadata"] == meta


def test_wrong_offset_is_409_and_changes_nothing(tus):
    log = tus.new_log()
    data = jpeg(taken=during_work(log))
    url = tus.location(log["id"], len(data))
    assert tus.patch(url, 0, data[:2000]).status_code == 204
    for offset in (0, 1000, 3000):
        resp = tus.patch(url, offset, data[offset:offset + 1000])
        assert resp.status_code == 409 and "HEAD" in resp.json()["message"]
    assert tus.head(url).headers["Upload-Offset"] == "2000"
    assert tus.patch(url, 2000, data[2000:]).status_code == 204
    [photo] = tus.photos(log["id"])
    assert photo["sha256"] == hashlib.sha256(data).hexdigest()


def test_more_than_the_limit_is_413(tus):
    log = tus.new_log()
    too_big = tus.create(log["id"], MAX_BYTES + 1)
    assert too_big.status_code == 413 and str(MAX_BYTES) in too_big.json()["message"]
    url = tus.location(log["id"], 1000)
    overflow = tus.patch(url, 0, b"x" * 1001)  # more bytes than the upload has left
    assert overflow.status_code == 413
    assert tus.head(url).headers["Upload-Offset"] == "0" and tus.parts() == []


@pytest.mark.parametrize(("who", "status"), [("crew_b", 404), ("sup_klojen", 403), ("sup_city", 403)])
def test_only_the_logs_crew_may_upload(tus, who, status):
    log = tus.new_log("crew_a")
    assert tus.create(log["id"], 1000, who=who).status_code == status
    url = tus.location(log["id"], 1000)
    # Someone else's upload is nobody's business: 404, as for an unknown id.
    assert tus.head(url, who=who).status_code == 404
    assert tus.patch(url, 0, b"x" * 10, who=who).status_code == 404
    assert tus.head(url).headers["Upload-Offset"] == "0"


def test_a_photo_id_of_another_log_is_409_before_any_byte(tus):
    log, other = tus.new_log(), tus.new_log()
    photo_id = str(uuid.uuid4())
    first = tus.uploader(io.BytesIO(jpeg(1)), log["id"], photo_id=photo_id)
    first.upload()
    assert tus.create(other["id"], 1000, photo_id=photo_id).status_code == 409


def test_png_with_a_jpeg_name_is_stored_as_png(tus):
    log = tus.new_log()
    data = encode(scene(5), "PNG")
    meta = {"log_id": log["id"], "photo_id": str(uuid.uuid4()), "kind": "after", "filename": "foto.jpg",
            "filetype": "image/jpeg"}
    tus.tuspy().uploader(file_stream=io.BytesIO(data), chunk_size=CHUNK, metadata=meta).upload()
    [photo] = tus.photos(log["id"])
    assert photo["content_type"] == "image/png" and photo["kind"] == "after"
    assert photo["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("data", "status"), [(jpeg()[:-3000], 422), (PDF, 415)])
def test_refused_photo_answers_the_final_patch_as_a_put_would(tus, data, status):
    log = tus.new_log()
    put = tus.client.put(f"/api/v1/logs/{log['id']}/photos/{uuid.uuid4()}?kind=before", data=data,
                         headers={**tus.cast.headers("crew_a"), "Content-Type": "image/jpeg"})
    url, half = tus.location(log["id"], len(data)), len(data) // 2
    assert tus.patch(url, 0, data[:half]).status_code == 204
    final = tus.patch(url, half, data[half:])

    assert final.status_code == put.status_code == status
    assert _without_request_id(final.json()) == _without_request_id(put.get_json())
    assert final.headers["Tus-Resumable"] == "1.0.0"
    assert tus.photos(log["id"]) == [] and tus.stored() == []  # nothing attached, no part left
    assert tus.head(url).status_code == 404  # the upload is over


def _without_request_id(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "request_id"}


def test_same_photo_twice_is_an_identical_replay_and_other_bytes_conflict(tus):
    log = tus.new_log()
    data, photo_id = jpeg(2, taken=during_work(log)), str(uuid.uuid4())
    for _ in range(2):
        tus.uploader(io.BytesIO(data), log["id"], photo_id=photo_id).upload()
    assert [p["id"] for p in tus.photos(log["id"])] == [photo_id]

    other = jpeg(3)
    url = tus.location(log["id"], len(other), photo_id=photo_id)
    final = tus.patch(url, 0, other)
    assert final.status_code == 409 and "different photo" in final.json()["message"]
    assert [p["sha256"] for p in tus.photos(log["id"])] == [hashlib.sha256(data).hexdigest()]


def test_two_patches_at_the_same_offset_one_wins(tus):
    log = tus.new_log()
    data = padded_jpeg(MIB, taken=during_work(log))
    url = tus.location(log["id"], len(data))
    codes: list[int] = []
    racers = [threading.Thread(target=lambda: codes.append(tus.patch(url, 0, data[:CHUNK]).status_code))
              for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    assert sorted(codes) == [204, 409]
    assert tus.head(url).headers["Upload-Offset"] == str(CHUNK)
    assert len(tus.parts()) == 1  # the loser removed its own part
    resumed = tus.uploader(io.BytesIO(data), log["id"], url=url)
    resumed.upload()
    assert tus.photos(log["id"])[0]["sha256"] == hashlib.sha256(data).hexdigest()


def test_post_with_method_override_is_a_patch(tus):
    log = tus.new_log()
    data = jpeg(4, taken=during_work(log))
    url = tus.location(log["id"], len(data))
    resp = requests.post(url, data=data, headers=tus.headers(**{
        "X-HTTP-Method-Override": "PATCH", "Upload-Offset": "0", "Content-Type": OFFSET_STREAM}))
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == str(len(data))
    assert len(tus.photos(log["id"])) == 1


def test_a_finished_upload_stays_finished(tus):
    log = tus.new_log()
    data = jpeg(6, taken=during_work(log))
    url = tus.location(log["id"], len(data))
    assert tus.patch(url, 0, data).status_code == 204
    again = tus.patch(url, len(data), b"")
    assert again.status_code == 204 and again.headers["Upload-Offset"] == str(len(data))
    assert tus.patch(url, len(data), b"more").status_code == 413
    assert len(tus.photos(log["id"])) == 1
