"""Apache Superset configuration for a local instance over the budget warehouse.

Used by ``tests/bi/test_superset.py`` (``make test-bi``) and usable by hand: point
``SUPERSET_CONFIG_PATH`` at this file and ``SUPERSET_HOME`` at a folder for Superset's own
state. Superset's metadata (users, registered databases, charts, query history) is a SQLite
file in that folder; the warehouse itself is registered as a separate, read-only database.

Environment:
    SUPERSET_HOME: folder for the SQLite metadata and Superset's log (default: a folder in the
        system temp dir). Created if missing.
    SUPERSET_SECRET_KEY: the key that signs sessions and encrypts stored connection
        passwords. The default is for local tests only; set a real one for anything shared.
    SUPERSET_CSRF_ENABLED: "0" turns CSRF protection off (not needed by the test, which fetches a
        token from /api/v1/security/csrf_token/); default on.
"""

from __future__ import annotations

import os
import tempfile

SUPERSET_HOME = os.environ.get("SUPERSET_HOME") or os.path.join(
    tempfile.gettempdir(), "budget-warehouse-superset"
)
os.makedirs(SUPERSET_HOME, exist_ok=True)
DATA_DIR = SUPERSET_HOME

# Metadata database: SQLite in SUPERSET_HOME (no server to run).
SQLALCHEMY_DATABASE_URI = (
    "sqlite:///" + os.path.join(SUPERSET_HOME, "superset.db") + "?check_same_thread=false"
)

SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY") or "budget-warehouse-local-test-key-not-secret"

WTF_CSRF_ENABLED = os.environ.get("SUPERSET_CSRF_ENABLED", "1") != "0"

# A local, single-user instance: no reloader, no example data, no telemetry, no rate limits,
# no HTTPS-only headers (it serves plain HTTP on 127.0.0.1).
FLASK_USE_RELOAD = False
TALISMAN_ENABLED = False
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
CONTENT_SECURITY_POLICY_WARNING = False
FEATURE_FLAGS: dict[str, bool] = {}

# No caches (each chart and SQL Lab query reads the warehouse), so new data shows at once.
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

LOG_LEVEL = "WARNING"
