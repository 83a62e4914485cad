"""Small schemas shared by several resources."""
from marshmallow import Schema, fields


class MessageSchema(Schema):
    message = fields.String()


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String(required=True)
    errors = fields.Dict()
    request_id = fields.String()
