"""Rules shared by several resources: area codes, ids, periods, query strings, the error envelope."""
from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from satgas.services.areas import bundled_codes

# Kemendagri codes with dots, of the 5 kecamatan and 57 kelurahan of Kota Malang bundled with
# the app: the OpenAPI document lists them, and an unknown code is a 422 naming the list.
_KECAMATAN_CODES, _KELURAHAN_CODES = bundled_codes()
KECAMATAN_CODE = validate.OneOf(_KECAMATAN_CODES, error="Unknown kecamatan code {input!r}; Kota Malang's are "
                                "35.73.01 to 35.73.05 (see GET /api/v1/kecamatan).")
KELURAHAN_CODE = validate.OneOf(_KELURAHAN_CODES, error="Unknown kelurahan code {input!r}; codes look like "
                                "35.73.02.1001 (see GET /api/v1/kelurahan).")
# A SAMBAT Online complaint ticket, e.g. "SBT-2026/11/00042": what the contract allows, nothing more.
# `$` (JSON Schema's own anchor, so the OpenAPI states the rule): the field is Text, which already
# refuses the trailing line break Python's `$` would let through.
COMPLAINT_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/._-]*$"
COMPLAINT_REF = validate.And(
    validate.Length(min=1, max=40, error="A complaint_ref has at most 40 characters."),
    validate.Regexp(COMPLAINT_REF_PATTERN,
                    error="Use the SAMBAT ticket as shown, e.g. SBT-2026/11/00042: letters, digits, '/', '.', "
                          "'_' or '-', starting with a letter or digit."),
)
ID_RANGE = validate.Range(min=1, max=2**31 - 1, error="Not a known id.")
# Long enough for multi-year reports, short enough that a daily series stays a small answer.
MAX_RANGE = timedelta(days=3 * 366)


def check_period(start: date, end: date) -> None:
    """`from` ≤ `to`, spanning less than MAX_RANGE; raises a ValidationError on `to` otherwise."""
    if start > end:
        raise ValidationError("'from' must not be after 'to'.", "to")
    if end - start >= MAX_RANGE:
        raise ValidationError(f"The period may span at most {MAX_RANGE.days} days; ask for a shorter one.", "to")


class QuerySchema(Schema):
    """Query-string parameters: an empty one (`?kecamatan_code=`, as a form sends) means absent."""

    @pre_load
    def _drop_empty(self, data, **_kwargs):
        return {key: value for key, value in data.items() if value != ""}


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String(required=True)
    errors = fields.Dict()
    request_id = fields.String()
