"""A database for a bench run: a throw-away SQLite file, or the PostgreSQL database named by
BENCH_DATABASE_URL (emptied first, unless reused), migrated and loaded with Basra's reference
data."""

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from feedback import create_app  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.services.seed import is_seeded, load_reference_data  # noqa: E402


@contextmanager
def bench_database(sqlite: bool = False, reuse: bool = False):
    """Yields the app, inside its app context, on an empty migrated database: a SQLite file
    when asked (whatever BENCH_DATABASE_URL says) or when no PostgreSQL is named; with `reuse`,
    a PostgreSQL database keeps what an earlier run left (migrated to the newest schema)."""
    url = None if sqlite else os.environ.get("BENCH_DATABASE_URL")
    scratch = None
    if not url:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
        url = f"sqlite:///{scratch.name}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    try:
        with app.app_context():
            if db.engine.dialect.name == "postgresql" and not reuse:
                with db.engine.begin() as connection:
                    connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            upgrade()
            if not is_seeded():
                load_reference_data()
            yield app
            db.engine.dispose()
    finally:
        if scratch:
            os.unlink(scratch.name)
