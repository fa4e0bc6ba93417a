"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`. A configuration the
application refuses ends the process with one line, not a traceback."""

import sys

from config import ConfigError
from feedback import create_app

# gunicorn's "worker failed to boot": its master stops rather than start workers forever.
REFUSED_TO_START = 3

try:
    app = create_app()
except ConfigError as error:
    print(f"feedback: not starting: {error}", file=sys.stderr)
    raise SystemExit(REFUSED_TO_START) from None
