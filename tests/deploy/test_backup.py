"""deploy/feedback-backup and the restore drill of docs/deploy.md, on PostgreSQL: the dump of
the test database restores into a scratch database with the same tickets and migration; the
uploaded photos are in the tar; backups past their retention go, newer ones stay."""

import os
import shutil
import subprocess
import tarfile
import time
import uuid

import pytest
import sqlalchemy as sa

from feedback.models import Ticket
from tests.conftest import count_rows
from tests.deploy.harness import DEPLOY

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres")
    or shutil.which("pg_dump") is None
    or shutil.which("pg_restore") is None,
    reason="backups are of PostgreSQL: set DATABASE_URL to a PostgreSQL database (with "
    "pg_dump and pg_restore on PATH) to run this",
)


@pytest.fixture
def scratch_database(database_url):
    """An empty database beside the test one, dropped afterwards: where the drill restores."""
    url = sa.make_url(database_url)
    name = f"feedback_restore_drill_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def libpq(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_backup_restores_into_a_scratch_database(
    app, twilio, database_url, scratch_database, tmp_path
):
    for text in ("ماكو ماي بحي الحسين", "Power cut in Al-Ashar", "No water in Al-Ashar"):
        assert twilio.send(text).status_code == 200
    tickets = count_rows(app, Ticket)
    assert tickets == 3

    backups, instance = tmp_path / "backups", tmp_path / "instance"
    backups.mkdir()
    (instance / "uploads").mkdir(parents=True)
    (instance / "uploads" / "field-photo.jpg").write_bytes(b"\xff\xd8 not really a photo")
    expired = backups / "feedback-20260101T023000Z.dump"
    recent = backups / "feedback-20261120T023000Z.dump"
    for old, days in ((expired, 15), (recent, 7)):
        old.write_bytes(b"old")
        when = time.time() - days * 86400 - 3600
        os.utime(old, (when, when))

    subprocess.run(  # noqa: S603
        [str(DEPLOY / "feedback-backup")],
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": database_url,  # SQLAlchemy's form, as in the environment file
            "BACKUP_DIR": str(backups),
            "BACKUP_KEEP_DAYS": "14",
            "FEEDBACK_INSTANCE": str(instance),
        },
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert not expired.exists() and recent.exists()
    assert not list(backups.glob(".*")), "a temporary file was left behind"
    (dump,) = set(backups.glob("feedback-*.dump")) - {recent}
    (photos,) = backups.glob("feedback-uploads-*.tar.gz")
    with tarfile.open(photos) as archive:
        assert "uploads/field-photo.jpg" in archive.getnames()

    subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "--exit-on-error"]  # noqa: S607
        + ["--dbname", libpq(scratch_database), str(dump)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    restored = sa.create_engine(scratch_database)
    live = sa.create_engine(database_url)
    try:
        query = "SELECT (SELECT count(*) FROM ticket), (SELECT version_num FROM alembic_version)"
        with restored.connect() as copy, live.connect() as original:
            assert copy.exec_driver_sql(query).one() == original.exec_driver_sql(query).one()
            assert copy.exec_driver_sql(query).one()[0] == tickets
    finally:
        restored.dispose()
        live.dispose()
