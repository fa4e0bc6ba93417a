"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`. A configuration the
application refuses ends the process with one line, not a traceback."""

from config import ConfigError
from feedback import create_app

try:
    app = create_app()
except ConfigError as error:
    raise SystemExit(f"feedback: not starting: {error}") from None
