"""Login, users and crews. No schema here has a password or hash among its dumped fields."""
from marshmallow import Schema, fields, validate

from models import ROLES
from satgas.services.accounts import USERNAME_PATTERN

KECAMATAN_CODE = validate.Regexp(r"^35\.73\.0[1-5]$", error="Use a Kota Malang kecamatan code such as 35.73.02.")
ID_RANGE = validate.Range(min=1, max=2**31 - 1, error="Not a known id.")
USERNAME = validate.Regexp(USERNAME_PATTERN, error="3–64 letters, digits, '.', '_' or '-'.")


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=256))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    crew_id = fields.Integer(allow_none=True, load_default=None, validate=ID_RANGE)
    kecamatan_code = fields.String(allow_none=True, load_default=None, validate=KECAMATAN_CODE)


class TokenUserSchema(Schema):
    username = fields.String()
    role = fields.String()
    crew_id = fields.Integer(allow_none=True)
    kecamatan_code = fields.String(allow_none=True)


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    user = fields.Nested(TokenUserSchema)


class CrewSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kecamatan_code = fields.String(required=True, validate=KECAMATAN_CODE)
