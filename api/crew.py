"""The crews' offline-first web app (`/crew/`): its page, service worker and web app manifest.

The page's ES modules (satgas/static/crew/) call the same JSON API as any phone client; nothing
here knows a rule of its own. The service worker is served from /crew/ so that its scope covers
the app, and caches the app shell (page, modules, styles, icons, the vendor libraries) under a
version computed from those files: a deploy that changes any of them makes phones fetch the
new shell once, then they work offline again.
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Response, current_app, json, render_template, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.vendor import NODE_MODULES, PACKAGES, URL_PREFIX

blp = Blueprint("crew", __name__, url_prefix="/crew", description="The crews' web app (HTML, works offline)")

STATIC_DIR = "crew"
# Vendor files the app loads (see api/vendor.py): package → file inside its folder.
VENDOR_FILES = {"idb": "index.js", "tus-js-client": "tus.js"}
THEME = "#0b5d3b"
ICONS = [("icons/icon-192.png", "192x192", "any"), ("icons/icon-512.png", "512x512", "any"),
         ("icons/icon-maskable-512.png", "512x512", "maskable")]


def _static_files() -> list[Path]:
    root = Path(current_app.static_folder or "") / STATIC_DIR
    return sorted(path for path in root.rglob("*") if path.is_file())


def vendor_urls() -> list[str]:
    return [f"{URL_PREFIX}/{package}/{name}" for package, name in VENDOR_FILES.items()]


def shell_urls() -> list[str]:
    """Everything the app needs to start with no network, as URLs."""
    static_root = Path(current_app.static_folder or "")
    static = [url_for("static", filename=path.relative_to(static_root).as_posix()) for path in _static_files()]
    return [url_for("crew.Page"), url_for("crew.Manifest"), *static, *vendor_urls()]


@cache
def _version(files: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()[:16]


def shell_version() -> str:
    """Changes whenever a shell file (page template, module, style, icon, vendor library) does."""
    template = Path(current_app.root_path) / "templates" / STATIC_DIR / "index.html"
    vendor = [NODE_MODULES / PACKAGES[package] / name for package, name in VENDOR_FILES.items()]
    return _version(tuple([template, *_static_files(), *vendor]))


def _no_cache(response: Response) -> Response:
    # Always revalidated: the service worker decides what is served offline, not the HTTP cache.
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.route("/")
class Page(MethodView):
    @blp.response(200, content_type="text/html", description="The app's page (Indonesian)")
    @blp.doc(security=[])
    def get(self):
        """The crews' app: record work with GPS and photos, keep it on the phone, send it when online."""
        html = render_template("crew/index.html", tus_js=f"{URL_PREFIX}/tus-js-client/{VENDOR_FILES['tus-js-client']}")
        return _no_cache(Response(html, mimetype="text/html"))


@blp.route("/sw.js")
class ServiceWorker(MethodView):
    @blp.response(200, content_type="text/javascript", description="The service worker script")
    @blp.doc(security=[])
    def get(self):
        """The service worker: keeps the app shell for offline use (scope /crew/)."""
        script = render_template("crew/sw.js", version=shell_version(), shell=shell_urls(),
                                 page=url_for("crew.Page"))
        response = Response(script, mimetype="text/javascript")
        response.headers["Service-Worker-Allowed"] = url_for("crew.Page")
        return _no_cache(response)


@blp.route("/manifest.webmanifest")
class Manifest(MethodView):
    @blp.response(200, content_type="application/manifest+json", description="Web app manifest")
    @blp.doc(security=[])
    def get(self):
        """The web app manifest: name, icons and start page, so the app installs on a phone."""
        icons = [{"src": url_for("static", filename=f"{STATIC_DIR}/{path}"), "sizes": sizes, "type": "image/png",
                  "purpose": purpose} for path, sizes, purpose in ICONS]
        manifest = {
            "name": "SATGAS Kru — Laporan Kerja Drainase", "short_name": "SATGAS Kru", "lang": "id",
            "description": "Catat kerja SATGAS drainase dengan GPS dan foto, kirim saat ada sinyal.",
            "start_url": url_for("crew.Page"), "scope": url_for("crew.Page"), "display": "standalone",
            "orientation": "portrait", "background_color": "#ffffff", "theme_color": THEME, "icons": icons,
        }
        return _no_cache(Response(json.dumps(manifest), mimetype="application/manifest+json"))
