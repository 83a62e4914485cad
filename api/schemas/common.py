"""Small schemas shared by several resources."""
from marshmallow import Schema, fields, pre_load


class QuerySchema(Schema):
    """Query-string parameters: an empty one (`?kecamatan_code=`, as a form sends) means absent."""

    @pre_load
    def _drop_empty(self, data, **_kwargs):
        return {key: value for key, value in data.items() if value != ""}


class MessageSchema(Schema):
    message = fields.String()


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String(required=True)
    errors = fields.Dict()
    request_id = fields.String()
