"""Browser libraries from the npm registry, served by the app itself (never a CDN).

`make` installs them from package-lock.json into node_modules/; only the files a page needs
are reachable, each package through the one folder named here.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, send_from_directory

from config import PROJECT_ROOT

log = logging.getLogger(__name__)
NODE_MODULES = PROJECT_ROOT / "node_modules"
# URL name → folder inside node_modules holding the files pages load.
PACKAGES = {
    "leaflet": "leaflet/dist",  # maps: leaflet-src.esm.js, leaflet.css, images/
    "idb": "idb/build",  # IndexedDB with promises: index.js (an ES module)
    "tus-js-client": "tus-js-client/dist",  # resumable uploads: tus.js (sets window.tus)
}
URL_PREFIX = "/static/vendor"

bp = Blueprint("vendor", __name__)


@bp.get(URL_PREFIX + "/<package>/<path:filename>")
def asset(package: str, filename: str):
    folder = PACKAGES.get(package)
    if folder is None:
        abort(404)
    root = NODE_MODULES / folder
    if not root.is_dir():
        log.error("%s is missing: run `make run` or `npm ci` to install the browser libraries", root)
        abort(404)
    return send_from_directory(root, filename, max_age=86400)
