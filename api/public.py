"""Public progress for citizens: no login, approved work only, cached and rate limited.

Responses are computed once per generation of the public cache (see
`satgas.services.public_cache`), dumped through the whitelist schemas of
`api.schemas.public`, and sent with Cache-Control, a strong ETag (304 on If-None-Match)
and gzip when the client accepts it. Cards are the exception: big JPEGs kept in the photo
storage, streamed from there with the same headers, their ETag known from the database alone
(`satgas.services.cards`). CORS `*` for /public/* is set up in `satgas.app`.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, render_template, request
from flask.views import MethodView
from marshmallow import Schema
from werkzeug.http import parse_accept_header

from api.base import Blueprint
from api.schemas.public import (
    PingSchema,
    PublicActivitiesQuerySchema,
    PublicActivitiesSchema,
    PublicFeatureCollectionSchema,
    PublicKelurahanProgressSchema,
    PublicPeriodQuerySchema,
    PublicProgressSchema,
)
from satgas.errors import NotFound
from satgas.extensions import limiter
from satgas.services import cards, public
from satgas.services.public import default_period
from satgas.services.public_cache import Body, cached

blp = Blueprint("public", __name__, url_prefix="/", description="Public progress (no login, approved work only)")

_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
GEOJSON = "application/geo+json"


def _rate_limited(view: Callable) -> Callable:
    """Per client IP and per endpoint, at PUBLIC_RATE_LIMIT; 429 with Retry-After beyond it."""
    return limiter.limit(
        lambda: current_app.config["PUBLIC_RATE_LIMIT"],
        error_message="Too many requests from your address; wait the seconds in Retry-After, then retry.",
    )(view)


def _documented(view: Callable, conditional: bool = True) -> Callable:
    view = blp.doc(security=[])(view)
    if conditional:
        view = blp.alt_response(304, description="Not modified: the ETag sent in If-None-Match still holds")(view)
    return blp.alt_response(429, description="Rate limited; see Retry-After")(view)


def _documented_plain(view: Callable) -> Callable:
    return _documented(view, conditional=False)


def _cache_control() -> str:
    return f"public, max-age={current_app.config['PUBLIC_CACHE_SECONDS']}"


@functools.lru_cache(maxsize=64)
def _accepts_gzip(accept_encoding: str) -> bool:
    """`"gzip" in request.accept_encodings`, parsed once per distinct header value."""
    return "gzip" in parse_accept_header(accept_encoding)


def _prepared(body: Body, use_gzip: bool, cache_control: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """The ETag, headers and bytes of a cached body as sent: built once per body and encoding,
    kept on the body (which lives as long as its cache entry)."""
    key = (use_gzip, cache_control)
    prepared = body.sent.get(key)
    if prepared is None:
        etag = f"{body.etag}-gzip" if use_gzip else body.etag
        headers = [("Cache-Control", cache_control), ("ETag", f'"{etag}"')]
        if body.gzipped is not None:
            headers.append(("Vary", "Accept-Encoding"))
        if use_gzip:
            headers.append(("Content-Encoding", "gzip"))
        prepared = body.sent[key] = (etag, headers, body.gzipped if use_gzip else body.data)
    return prepared


def send_cached(body: Body) -> Response:
    """The body (gzipped if accepted) with cache headers, or 304 if the client has it."""
    environ = request.environ
    use_gzip = body.gzipped is not None and _accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
    etag, headers, data = _prepared(body, use_gzip, _cache_control())
    if "HTTP_IF_NONE_MATCH" in environ and request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=[h for h in headers if h[0] != "Content-Encoding"])
    return Response(data, mimetype=body.mimetype, headers=headers)


def _period_arguments(view: Callable) -> Callable:
    """`PublicPeriodQuerySchema` from the query string (documented and parsed by flask-smorest);
    without a query string there is nothing to parse: the default period, without the parser."""
    parsed = blp.arguments(PublicPeriodQuerySchema, location="query")(view)

    @functools.wraps(parsed)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.environ.get("QUERY_STRING"):
            return parsed(*args, **kwargs)
        start, end = default_period(None, None)
        return view(*args, {"from_": start, "to": end}, **kwargs)

    return wrapper


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _json(schema: Schema, data: Any, mimetype: str = "application/json") -> Body:
    return Body.of(_compact(schema.dump(data)).encode(), mimetype)


_NO_FEATURES = '"features":[]}'


def progress_geojson(start, end) -> Body:
    """The same text as dumping `public.progress_features` through PublicFeatureCollectionSchema,
    built around the kept boundary texts: only the figures are computed and dumped."""
    result = public.progress(start, end)
    shapes = public.boundary_texts()
    head = _compact(PublicFeatureCollectionSchema().dump(
        {"from": start, "to": end, "totals": result["totals"], "features": []}))
    if not head.endswith(_NO_FEATURES):  # pragma: no cover - the schema's field order changed
        raise RuntimeError("PublicFeatureCollectionSchema must end with its features")
    rows = result["kelurahan"]
    features = ",".join(
        f'{{"type":"Feature","geometry":{shapes[row["code"]]},"properties":{_compact(properties)}}}'
        for row, properties in zip(rows, PublicKelurahanProgressSchema(many=True).dump(rows), strict=True))
    return Body.of(f"{head[:-len(_NO_FEATURES)]}\"features\":[{features}]}}".encode(), GEOJSON)


@blp.route("/public/v1/progress")
class Progress(MethodView):
    @_rate_limited
    @_period_arguments
    @blp.response(200, PublicProgressSchema)
    @_documented
    def get(self, query: dict):
        """Progress per kelurahan (all 57) and city totals, approved logs only; default: last 30 WIB days."""
        start, end = query["from_"], query["to"]
        return send_cached(cached("progress", (start, end),
                                  lambda: _json(PublicProgressSchema(), public.progress(start, end))))


@blp.route("/public/v1/progress.geojson")
class ProgressGeoJSON(MethodView):
    @_rate_limited
    @_period_arguments
    @blp.response(200, PublicFeatureCollectionSchema, content_type=GEOJSON)
    @_documented
    def get(self, query: dict):
        """The 57 kelurahan polygons with their approved progress as properties (GeoJSON)."""
        start, end = query["from_"], query["to"]
        return send_cached(cached("progress.geojson", (start, end), lambda: progress_geojson(start, end)))


@blp.route("/public/v1/activities")
class Activities(MethodView):
    @_rate_limited
    @blp.arguments(PublicActivitiesQuerySchema, location="query")
    @blp.response(200, PublicActivitiesSchema)
    @_documented
    def get(self, query: dict):
        """Recent approved work, newest first, with public thumbnail URLs of its photos."""
        limit = query["limit"]
        return send_cached(cached("activities", (limit,), lambda: _json(
            PublicActivitiesSchema(), {"items": public.recent_activities(limit)})))


def _thumbnail(public_id: str) -> Body:
    data = public.thumbnail_bytes(public_id) if _PUBLIC_ID.match(public_id) else None
    if data is None:
        raise NotFound("No public photo under this address.")
    return Body.of(data, "image/jpeg", compress=False)


@blp.route("/public/v1/thumbnails/<string:public_id>.jpg")
class Thumbnail(MethodView):
    @_rate_limited
    @blp.response(200, content_type="image/jpeg", description="JPEG, at most 512 px, no EXIF")
    @blp.alt_response(404, description="No such photo, or its log is not approved")
    @_documented
    def get(self, public_id: str):
        """Thumbnail of a photo of an approved log (EXIF stripped); the id reveals nothing internal."""
        return send_cached(cached("thumbnail", (public_id,), lambda: _thumbnail(public_id)))


def send_card(public_id: str) -> Response:
    """The card (streamed from the photo storage) with the public cache headers, or 304."""
    if not _PUBLIC_ID.match(public_id):
        raise NotFound("No card under this address.")
    found = cards.card(public_id)
    headers = {"Cache-Control": _cache_control(), "ETag": f'"{found.etag}"'}
    if request.if_none_match.contains_weak(found.etag):
        return Response(status=304, headers=headers)
    return Response(cards.card_chunks(found), mimetype="image/jpeg", headers=headers, direct_passthrough=True)


@blp.route("/public/v1/activities/<string:public_id>/card.jpg")
class Card(MethodView):
    @_rate_limited
    @blp.response(200, content_type="image/jpeg", description="1080×1080 JPEG, no EXIF")
    @blp.alt_response(404, description="No such activity, not approved, or without a before and an after photo")
    @_documented
    def get(self, public_id: str):
        """Before/after card of approved work for social media: both photos side by side with a caption."""
        return send_card(public_id)


@blp.route("/public/v1/ping")
class Ping(MethodView):
    @_rate_limited
    @blp.response(200, PingSchema)
    @_documented_plain
    def get(self):
        """No-op (`{}`): the baseline the public load benchmark compares against."""
        return {}


@blp.route("/")
class Page(MethodView):
    @_rate_limited
    @blp.response(200, content_type="text/html", description="The public progress page (Indonesian)")
    @_documented_plain
    def get(self):
        """The public progress page: map, totals, table and recent work."""
        response = Response(render_template("public/index.html"), mimetype="text/html")
        # The page builds all DOM in its own script and styles from its own sheet (see map.js);
        # the strict CSP and framing rules come from satgas.response_headers.
        response.headers.update({"Referrer-Policy": "no-referrer", "Cache-Control": _cache_control()})
        return response
