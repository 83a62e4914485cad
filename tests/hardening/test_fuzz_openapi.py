"""Property-based fuzzing of the live app from its own OpenAPI document (schemathesis).

Every operation, as each role: no 5xx, and every response is documented — its status code,
its content type and its body's schema. Bounded: a few examples per operation.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

load_all_checks()
# tus PATCH bodies are raw bytes under their own media type (see api/uploads.py).
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
# Rules across fields or against stored data, which a JSON Schema cannot state: a schema-valid
# request may still be a (documented) 422 here, and only here.
SEMANTIC_422 = {
    ("POST", "/api/v1/users"): "a crew user needs a crew_id; admins have no kecamatan; known crew",
    ("POST", "/api/v1/logs"): "finished_at ≥ started_at, not in the future, inside the city, a known crew",
    ("POST", "/api/v1/logs/{log_id}/review"): "a note is required to reject",
    ("POST", "/api/v1/webhooks"): "the host must resolve to a public address, over https (WEBHOOK_ALLOW_PRIVATE)",
    ("POST", "/api/v1/uploads"): "Upload-Metadata holds log_id, photo_id and kind, each base64 of UTF-8",
    ("GET", "/api/v1/logs"): "from ≤ to; a bbox with min < max inside −180…180, −90…90",
    ("GET", "/api/v1/drains"): "kelurahan_code or kecamatan_code, not both; a bbox with min < max",
    ("GET", "/api/v1/drains/overdue"): "kelurahan_code or kecamatan_code, not both",
    ("GET", "/api/v1/progress"): "from ≤ to, at most 3 years",
    ("GET", "/api/v1/progress/daily"): "from ≤ to, at most 3 years, kelurahan or kecamatan, not both",
    ("GET", "/public/v1/progress"): "from ≤ to, at most 3 years",
    ("GET", "/public/v1/progress.geojson"): "from ≤ to, at most 3 years",
}


# tus answers a request without the protocol's Tus-Resumable header 412 Precondition Failed, as
# the tus 1.0.0 specification says, where schemathesis expects a 400-class rejection.
TUS_PRECONDITION = "/api/v1/uploads"


def negative_data_rejection_with_tus(ctx, response, case):
    if response.status_code == 412 and case.operation.path.startswith(TUS_PRECONDITION):
        return None
    return negative_data_rejection(ctx, response, case)


def positive_data_acceptance_with_semantic_rules(ctx, response, case):
    """schemathesis' own check, except for a 422 where a semantic rule above applies."""
    if response.status_code == 422 and (case.method.upper(), case.operation.path) in SEMANTIC_422:
        return None
    return positive_data_acceptance(ctx, response, case)


# Every check schemathesis has (`--checks all`): server errors, documented status codes, content
# types, headers and schemas, valid data accepted and invalid data rejected, Allow on 405,
# missing required headers, authentication really checked, use after delete…
ALL_CHECKS = [check for check in CHECKS.get_all() if check not in (positive_data_acceptance, negative_data_rejection)]
ALL_CHECKS += [positive_data_acceptance_with_semantic_rules, negative_data_rejection_with_tus]
FUZZ_ROLES = ["anonymous", "crew_a", "sup_klojen", "admin"]
EXAMPLES_PER_OPERATION = 6


def _operations(app):
    # Logging out would revoke the shared test tokens mid-run; the matrix covers that operation.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(
        method="DELETE", path="/api/v1/auth/token")
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, cast, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        for role in FUZZ_ROLES:
            # The in-process WSGI transport does not decode gzip; ask for plain bodies.
            headers = {"Accept-Encoding": "identity"} | ({} if role == "anonymous" else cast.headers(role))
            case.call_and_validate(headers=headers, checks=ALL_CHECKS)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_operation_passes_every_check_as_every_role(app, cast, mode):
    operations = _operations(app)
    assert len(operations) >= 25, "the OpenAPI document lost operations"
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, cast, mode)
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE, f"{operation.path}: no valid request can be made"
            continue  # nothing about this operation (no parameters, no body) can be made invalid
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
