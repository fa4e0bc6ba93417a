"""The migrations build exactly the schema the models describe (on SQLite and PostgreSQL)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from feedback.extensions import db
from tests.conftest import make_app, reset_schema


def test_upgrade_on_empty_database_matches_models(app):
    """The session database was built by `flask db upgrade` from empty; nothing may differ."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_runs_on_a_fresh_sqlite_file(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    reset_schema(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
            assert context.get_current_revision() is not None
        db.engine.dispose()
