"""Marshmallow schemas: request validation and response shapes (and the OpenAPI document)."""
