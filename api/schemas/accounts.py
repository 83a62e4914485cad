"""Login, users and crews. No schema here has a password or hash among its dumped fields."""
from marshmallow import Schema, fields, validate

from api.fields import Name, Text
from api.schemas.common import ID_RANGE, KECAMATAN_CODE
from models import ROLES
from satgas.services.accounts import USERNAME_PATTERN

USERNAME = validate.Regexp(USERNAME_PATTERN, error="3–64 letters, digits, '.', '_' or '-'.")


class LoginSchema(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=64))
    password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=USERNAME)
    password = Text(required=True, load_only=True, validate=validate.Length(min=8, max=256))
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
    name = Name(required=True, validate=validate.Length(min=1, max=120))
    kecamatan_code = fields.String(required=True, validate=KECAMATAN_CODE)
