"""A batch's items load through `LogCreateSchema.load_item`: the same results and errors as `load`."""
from __future__ import annotations

import math
import random

import pytest
from marshmallow import ValidationError

from api.schemas.logs import LogCreateSchema
from tests.builders import KAUMAN, log_payload

ODD_VALUES = [None, True, False, 0, -1, 1, 2.5, -0.0, 1e9, math.inf, "", " ", "x", "12", "nan", "\x00", "a\nb",
              "2026-11-28T07:30:00", "2026-11-28T07:30:00+07:00", "2099-01-01T00:00:00Z", "1999-12-31T23:59:59Z",
              "35.73.02.1007", "drain_cleaning", [], {}, [1, 2], {"type": "Point"},
              {"type": "Point", "coordinates": [-7.98, 112.63]}, {"type": "Point", "coordinates": [112.63, -7.98, 3]},
              {"type": "LineString", "coordinates": [[112.63, -7.98], [112.631, -7.98], [112.63, -7.98]]},
              {"type": "LineString", "coordinates": [[112.63, -7.98], [112.631, -7.981]]},
              {"type": "Polygon", "coordinates": []}, "x" * 2001, "SAMBAT-2026-000123"]


def _outcome(load, raw):
    try:
        return "ok", load(raw)
    except ValidationError as exc:
        return "error", exc.normalized_messages()


def _variants(rng: random.Random) -> list[object]:
    base = log_payload(KAUMAN, kelurahan_code=KAUMAN, gps_accuracy_m=12.5, complaint_ref=None, crew_id=None)
    names = list(base) + ["unknown_key"]
    variants: list[object] = [base, log_payload(), [], "text", None]
    for name in names:
        without = dict(base)
        without.pop(name, None)
        variants.append(without)
        for value in ODD_VALUES:
            variants.append({**base, name: value})
    for _ in range(300):  # several odd fields at once
        raw = dict(base)
        for name in rng.sample(names, 3):
            raw[name] = rng.choice(ODD_VALUES)
        variants.append(raw)
    return variants


@pytest.mark.parametrize("seed", [1, 2])
def test_load_item_answers_as_load(seed):
    schema = LogCreateSchema()
    loaded = 0
    for raw in _variants(random.Random(seed)):
        fast, full = _outcome(schema.load_item, raw), _outcome(schema.load, raw)
        loaded += fast[0] == "ok"
        if fast[0] == "ok" and full[0] == "ok" and "geometry" in fast[1]:
            assert fast[1].pop("geometry").equals(full[1].pop("geometry")), raw
        assert fast == full, raw
    assert loaded >= 50  # the fast path itself was exercised, not only the fall-back


def test_batch_results_written_as_the_schema_dumps_them():
    from api.logs import result_body
    from api.schemas.logs import BatchResultSchema
    from satgas.errors import Conflict, Invalid
    from satgas.services.logs import LogResult

    results = [LogResult("a", "created"), LogResult("b", "unchanged"), LogResult(None, "invalid", Invalid(
        "Invalid log; see errors.", {"geometry": ["Bad."]})), LogResult("c", "invalid", Invalid("Outside.")),
               LogResult("d", "conflict", Conflict("A different log."))]
    schema = BatchResultSchema()
    for result in results:
        assert result_body(result) == schema.dump(result)
        assert list(result_body(result)) == list(schema.dump(result))
