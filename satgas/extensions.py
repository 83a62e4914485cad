"""Extension objects only; each is bound to an app in `satgas.app`."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate

from models.base import db

migrate = Migrate()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

__all__ = ["db", "limiter", "migrate"]
