"""Headers every answer carries by kind, set once here rather than by each view.

- Answers under /api/v1 and /console/ (the console's pages carry its CSRF token; its session
  API) are private: `Cache-Control: no-store` unless the view chose otherwise (photo bytes,
  which never change, say `private, max-age=…`).
- HTML pages get a strict Content-Security-Policy (no inline scripts, nothing from another
  origin), `nosniff`, a Referrer-Policy and refuse to be framed.
- Every answer says `nosniff`: a JSON error must never be sniffed into HTML.
"""
from __future__ import annotations

from flask import Response, request

# Pages load their own scripts, styles and images only. `blob:` images: the crew app shows
# photos straight from the phone's storage; `data:` images: small inline icons.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            "connect-src 'self'; font-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI (served by the app, no CDN) styles its widgets with style attributes.
DOCS_CSP = PAGE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
DOCS_PATH = "/api/v1/docs"
PRIVATE_PREFIXES = ("/api/v1/", "/console/")


def set_response_headers(response: Response) -> Response:
    """after_request hook."""
    headers, path = response.headers, request.path
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if path.startswith(PRIVATE_PREFIXES) and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    if (headers.get("Content-Type") or "").lower().startswith("text/html"):  # the mimetype, unparsed
        headers.setdefault("Content-Security-Policy", DOCS_CSP if path == DOCS_PATH else PAGE_CSP)
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
    return response
