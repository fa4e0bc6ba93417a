"""The migrations build exactly the schema the models describe (on SQLite and PostgreSQL)."""

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from feedback.extensions import db
from feedback.models import in_schema_of
from tests.conftest import make_app, reset_schema


def _options(connection) -> dict:
    """As migrations/env.py compares: types too, and only the indexes this database has."""
    return {"compare_type": True, "include_object": in_schema_of(connection.dialect.name)}


def test_upgrade_on_empty_database_matches_models(app):
    """The session database was built by `flask db upgrade` from empty; nothing may differ."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=_options(connection))
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_runs_on_a_fresh_sqlite_file(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    reset_schema(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=_options(connection))
            assert compare_metadata(context, db.metadata) == []
            assert context.get_current_revision() is not None
        db.engine.dispose()


def test_public_text_stored_before_masking_was_complete_is_masked(tmp_path):
    """Rows written before issue 9: a complaint copy masked by the older, weaker rule and an
    officer's answer not masked at all; the migration masks both, and only those."""
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        upgrade(revision="bf0114ba601e")
        now = "2026-11-01 10:00:00"
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO ticket (id, reference, channel, original_text, public_text, language,"
                " location_method, status, created_at, updated_at) VALUES"
                " (1, 'B7K2Q', 'sms', 'ماكو ماي اتصلوا 0770–123–4567', 'ماكو ماي اتصلوا"
                " 0770–123–4567', 'ar', 'none', 'new', ?, ?),"
                " (2, 'C8L3R', 'sms', 'street 14, 3 days', 'street 14, 3 days', 'en', 'none',"
                " 'new', ?, ?)",
                (now, now, now, now),
            )
            connection.exec_driver_sql(
                "INSERT INTO ticket_event (id, ticket_id, created_at, actor_label, kind,"
                " public_message) VALUES (1, 1, ?, 'officer', 'acknowledged',"
                " 'we called the reporter on 07701234567')",
                (now,),
            )
        upgrade()
        with db.engine.connect() as connection:
            texts = (
                connection.exec_driver_sql("SELECT public_text FROM ticket ORDER BY id")
                .scalars()
                .all()
            )
            message = connection.exec_driver_sql("SELECT public_message FROM ticket_event").scalar()
        db.engine.dispose()
    assert texts == ["ماكو ماي اتصلوا [•••]", "street 14, 3 days"]
    assert message == "we called the reporter on [•••]"


def test_pins_off_the_earth_stored_before_are_dropped(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pins.sqlite3'}")
    with app.app_context():
        upgrade(revision="252461dc492d")
        now = "2026-11-01 10:00:00"
        with db.engine.begin() as connection:
            for ticket_id, lat, lon in ((1, 1e308, 47.8), (2, 30.5, 47.8), (3, None, None)):
                connection.exec_driver_sql(
                    "INSERT INTO ticket (id, reference, channel, original_text, public_text,"
                    " language, lat, lon, location_method, status, created_at, updated_at)"
                    " VALUES (?, ?, 'whatsapp', 'ماكو ماي', 'ماكو ماي', 'ar', ?, ?, 'gps',"
                    " 'new', ?, ?)",
                    (ticket_id, f"REF{ticket_id}", lat, lon, now, now),
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT lat, lon, location_method FROM ticket ORDER BY id"
            ).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [
        (None, None, "none"),
        (30.5, 47.8, "gps"),
        (None, None, "gps"),
    ]


def test_words_and_spellings_of_a_database_seeded_before_issue_13_are_brought_up_to_date(
    tmp_path,
):
    """A category seeded from the previous release: words this release moved into the shared
    generic list leave its own lists, the generic words and shares arrive, an admin's own
    word stays; a place gains its new spellings; the parsers are rebuilt."""
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    old_keywords = {"ar": ["الوطنية", "انقطاع", "تجهيز ضعيف بالصيف"], "en": ["no power", "outage"]}
    with app.app_context():
        upgrade(revision="bc13b725941f")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                'INSERT INTO category (id, code, name_ar, name_en, "group", description_en,'
                " sla_hours, keywords, active) VALUES (1, 'electricity-outage', 'انقطاع',"
                " 'Power cut', 'electricity', '', 24, ?, 1)",
                (json.dumps(old_keywords),),
            )
            connection.exec_driver_sql(
                "INSERT INTO area (id, code, name_ar, name_en, kind, alt_names, point_source)"
                " VALUES"
                " (1, 'nbh-safwan-nasr', 'حي النصر - سفوان', 'Hay al-Nasr (Safwan)',"
                " 'neighbourhood', ?, 'approximate')",
                (json.dumps(["Hay al-Nasr Safwan", "حي النصر في سفوان"]),),
            )
            connection.exec_driver_sql(
                "INSERT INTO reference_data_version VALUES (1, 3, '2026-11-01 10:00:00')"
            )
        upgrade()
        with db.engine.connect() as connection:
            keywords = json.loads(
                connection.exec_driver_sql("SELECT keywords FROM category").scalar_one()
            )
            spellings = json.loads(
                connection.exec_driver_sql("SELECT alt_names FROM area").scalar_one()
            )
            version = connection.exec_driver_sql(
                "SELECT version FROM reference_data_version"
            ).scalar_one()
        db.engine.dispose()
    assert "انقطاع" not in keywords["ar"] and "outage" not in keywords["en"]
    assert {"انقطاع", "outage"} <= set(keywords["generic"])
    assert keywords["ar"][-1] == "تجهيز ضعيف بالصيف"  # the admin's word, kept
    assert "فولتيه" in keywords["ar"]
    assert keywords["shares"] == ["electricity-wires", "street-lighting"]
    assert spellings[:2] == ["Hay al-Nasr Safwan", "حي النصر في سفوان"]
    assert {"Hay al-Nasr in Safwan", "حي النصر في صفوان"} <= set(spellings)
    assert version == 4


def test_a_bridge_category_seeded_before_gains_the_words_for_holes_and_power_the_grid(
    tmp_path,
):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    old_keywords = {"ar": ["جسر"], "generic": ["مكسور", "هبوط"]}
    with app.app_context():
        upgrade(revision="245bcbc819ef")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                'INSERT INTO category (id, code, name_ar, name_en, "group", description_en,'
                " sla_hours, keywords, active) VALUES (1, 'bridges-highways', 'الجسور',"
                " 'Bridges', 'roads', '', 168, ?, 1)",
                (json.dumps(old_keywords),),
            )
            connection.exec_driver_sql(
                'INSERT INTO category (id, code, name_ar, name_en, "group", description_en,'
                " sla_hours, keywords, active) VALUES (2, 'electricity-outage', 'انقطاع',"
                " 'Power cut', 'electricity', '', 24, ?, 1)",
                (json.dumps({"ar": ["الوطنيه"]}),),
            )
            connection.exec_driver_sql(
                "INSERT INTO reference_data_version VALUES (1, 4, '2026-11-01 10:00:00')"
            )
        upgrade(revision="3f6b1c8d2a47")
        with db.engine.connect() as connection:
            keywords, power = (
                json.loads(text)
                for text in connection.exec_driver_sql(
                    "SELECT keywords FROM category ORDER BY id"
                ).scalars()
            )
            version = connection.exec_driver_sql(
                "SELECT version FROM reference_data_version"
            ).scalar_one()
        db.engine.dispose()
    assert power["ar"] == ["الوطنيه", "وطنيه"]
    assert keywords["ar"] == ["جسر"]
    assert keywords["generic"][:2] == ["مكسور", "هبوط"]
    assert {"حفر", "تخسفات", "potholes", "6assat"} <= set(keywords["generic"])
    assert keywords["generic"].count("هبوط") == 1
    assert version == 5


def test_a_sewage_category_seeded_before_gains_the_dialect_manhole_and_keeps_an_admins_word(
    tmp_path,
):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        upgrade(revision="306192146d85")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                'INSERT INTO category (id, code, name_ar, name_en, "group", description_en,'
                " sla_hours, keywords, active) VALUES (1, 'sewage-overflow', 'مجاري',"
                " 'Sewage', 'sewage', '', 48, ?, 1)",
                (json.dumps({"ar": ["مجاري", "كلمة المدير"]}),),
            )
            connection.exec_driver_sql(
                "INSERT INTO reference_data_version VALUES (1, 7, '2026-11-01 10:00:00')"
            )
        upgrade(revision="8d2e4f6a1b3c")
        with db.engine.connect() as connection:
            keywords = json.loads(
                connection.exec_driver_sql("SELECT keywords FROM category").scalar_one()
            )
            version = connection.exec_driver_sql(
                "SELECT version FROM reference_data_version"
            ).scalar_one()
        db.engine.dispose()
    assert keywords["ar"] == ["مجاري", "كلمة المدير", "منهولة", "المنهولة"]
    assert version == 8


def test_rollups_counted_without_channels_are_emptied_and_rebuilt_by_channel(tmp_path):
    """8bd61e7178df puts the channel in the rollups' keys: rows counted before it are gone
    (the scorecards are computed from the tickets until the next refresh), and a refresh then
    counts per channel (and every channel's); back down, the rollups are emptied again."""
    from flask_migrate import downgrade

    from feedback.models import Ticket
    from feedback.services.rollups import refresh_rollups

    app = make_app(f"sqlite:///{tmp_path / 'rollups.sqlite3'}")
    with app.app_context():
        upgrade(revision="6a4c12eb2910")
        now = "2026-11-01 10:00:00"
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO ticket (id, reference, channel, original_text, public_text,"
                " language, location_method, status, created_at, updated_at) VALUES"
                " (1, 'B7K2Q', 'walk_in', 'ماكو ماي', 'ماكو ماي', 'ar', 'none', 'new', ?, ?)",
                (now, now),
            )
            connection.exec_driver_sql(
                "INSERT INTO rollup_state (id, refreshed_at, changed_since, last_ticket_id,"
                " reference_version) VALUES (1, ?, ?, 1, 0)",
                (now, now),
            )
            connection.exec_driver_sql(
                "INSERT INTO scorecard_day VALUES ('directorate', '2026-11-01', 0,"
                " 1, 0, 0, 0, 0, 0, 0, 0, 0)"
            )
        upgrade()
        with db.engine.connect() as connection:
            left = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM rollup_state) + (SELECT count(*) FROM scorecard_day)"
            )
            assert left.scalar() == 0
        assert db.session.get(Ticket, 1).channel == "walk_in"
        refresh_rollups()
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT grouping, channel, received FROM scorecard_day"
                " WHERE grouping = 'directorate' ORDER BY channel"
            ).all()
        assert [tuple(row) for row in rows] == [
            ("directorate", "*", 1),  # every channel's
            ("directorate", "walk_in", 1),
        ]
        db.session.remove()
        downgrade(revision="6a4c12eb2910")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM scorecard_day").scalar() == 0
        db.engine.dispose()
