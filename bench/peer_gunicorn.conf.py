"""gunicorn settings for the pygeoapi peer: exactly the shipped gunicorn.conf.py's values (workers,
threads, timeouts, limits), without its Prometheus exit hook (the peer's venv has no exporter)."""
import runpy
import types
from pathlib import Path

_shipped = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _shipped.items()
                  if not name.startswith("_") and not callable(value) and not isinstance(value, types.ModuleType)})
