"""Demo steps of the drain network (issue 15) and the SAMBAT complaints (issue 16).

The network is the synthetic one (clearly labelled "[SINTETIS]" wherever it shows), loaded
before the month is planned, so that the planned work runs along its drains as real crews'
does, and so that each log's coverage is measured as it arrives.
"""
from __future__ import annotations

from pyproj import Transformer
from shapely.geometry import LineString, shape
from shapely.ops import transform

from models import METRIC_SRID, WGS84
from satgas.services import network, synthetic_network
from satgas.services.demo import places
from satgas.services.demo.plan import Demo

MIN_DRAIN_M = 40.0  # pieces shorter than this are not worth a demo walk
COMPLAINT_SHARE = 0.12  # about one job in eight answers a citizen's complaint
_to_metric = Transformer.from_crs(WGS84, METRIC_SRID, always_xy=True).transform


def load_drain_network(demo: Demo) -> None:
    """The synthetic network, loaded through the same service as `flask drains import`."""
    demo.echo("Loading the synthetic drain network ([SINTETIS]) …")
    features, drains = [], {}
    for code, area in places.areas().items():
        mine = synthetic_network.generate(kelurahan_codes=[code])
        features += mine
        pieces = []
        for feature in mine:
            inside = transform(_to_metric, shape(feature["geometry"])).intersection(area.inner)
            pieces += [p for p in getattr(inside, "geoms", [inside])
                       if isinstance(p, LineString) and p.length >= MIN_DRAIN_M]
        drains[code] = pieces
    report = network.load_network(synthetic_network.drain_lines(features))
    places.use_drains(drains)
    km = report["length_m"] / 1000
    demo.echo(f"  {km:.0f} km of synthetic drains loaded: coverage figures are about them, not the city's real "
              "drains (load those with `flask drains import FILE --replace`).")


def add_complaint_refs(demo: Demo) -> None:
    """Some jobs answer a SAMBAT Online complaint: the phone sends its ticket."""
    numbers = iter(range(1, 100_000))
    for log in demo.logs:
        if demo.rng.random() < COMPLAINT_SHARE:
            log.extra["complaint_ref"] = f"SBT-{log.started_at:%Y/%m}/{next(numbers):05d}"
