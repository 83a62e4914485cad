"""Rules shared by several resources: area codes, ids, periods, query strings, the error envelope."""
from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, ValidationError, fields, pre_load, validate

# Kemendagri codes with dots. Whether a well-formed code names a real area is the services' call
# (422 "Unknown …"): the pattern only says what a code looks like.
KECAMATAN_CODE = validate.Regexp(r"^\d{2}\.\d{2}\.\d{2}$", error="Use a kecamatan code such as 35.73.02.")
KELURAHAN_CODE = validate.Regexp(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", error="Use a kelurahan code such as 35.73.02.1001.")
# A SAMBAT Online complaint ticket, e.g. "SBT-2026/11/00042": what the contract allows, nothing more.
COMPLAINT_REF = validate.And(
    validate.Length(min=1, max=40, error="A complaint_ref has at most 40 characters."),
    # \Z, not $: Python's $ also matches before a trailing line break.
    validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9/._-]*\Z",
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
