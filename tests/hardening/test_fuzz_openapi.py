"""Property-based fuzzing of the live app from its own OpenAPI document (schemathesis).

Every operation, as each role: no 5xx, and every response is documented — its status code,
its content type and its body's schema. Bounded: a few examples per operation.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# tus PATCH bodies are raw bytes under their own media type (see api/uploads.py).
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_ROLES = ["anonymous", "crew_a", "sup_klojen", "admin"]
EXAMPLES_PER_OPERATION = 8


def _operations(app):
    # Logging out would revoke the shared test tokens mid-run; the matrix covers that operation.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(
        method="DELETE", path="/api/v1/auth/token")
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, cast) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        for role in FUZZ_ROLES:
            # The in-process WSGI transport does not decode gzip; ask for plain bodies.
            headers = {"Accept-Encoding": "identity"} | ({} if role == "anonymous" else cast.headers(role))
            case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_survives_fuzzing_as_every_role(app, cast):
    operations = _operations(app)
    assert len(operations) >= 25, "the OpenAPI document lost operations"
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, cast)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
