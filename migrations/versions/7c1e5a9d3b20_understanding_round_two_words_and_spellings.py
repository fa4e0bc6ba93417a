"""Bring an existing database's words and place names up to this release (issue 13): the
categories' keyword lists gain the generic words (cut, smell, broken: shared, counted for
the service a message names) and the categories a category's words also name; words this
release moved out of a category's own lists leave them; the places gain new spellings. Words
an admin added are kept. A fresh database is seeded from the same files, so this does
nothing there.

Revision ID: 7c1e5a9d3b20
Revises: bc13b725941f
Create Date: 2026-11-27 17:00:00

"""

import csv
import json

import sqlalchemy as sa
import yaml
from alembic import op

from feedback.reference_data import DATA_DIR

# revision identifiers, used by Alembic.
revision = "7c1e5a9d3b20"
down_revision = "bc13b725941f"
branch_labels = None
depends_on = None

# Words the previous release listed and this one moved (mostly into "generic"), by category
# and list: left in place they would decide alone what is now decided by the service named.
MOVED = {
    "water-quality": {
        "ar": [
            "وصخ",
            "وسخ",
            "طين",
            "رمل",
            "اصفر",
            "صفره",
            "لونه",
            "ريحه",
            "ريحته",
            "رائحه",
            "كريهه",
        ],
        "en": ["brown", "yellow", "dirty", "muddy", "smells", "smell", "sand"],
        "arabizi": ["wasikh", "wasakh", "ree7a", "ri7a", "asfar", "6een", "teen"],
    },
    "water-leak": {"en": ["leak", "leaking"]},
    "waterways": {"ar": ["جدول"], "arabizi": ["jadwal"]},
    "electricity-outage": {
        "ar": ["قطع", "انقطاع", "انطفت", "طفت", "قطوعات", "تطفي", "تنطفي"],
        "en": ["outage", "cuts"],
        "arabizi": ["6afya", "tafya", "mitfiya", "ma6fiya", "qa63", "inqi6a3"],
    },
    "electricity-wires": {"ar": ["مغذي"], "en": ["feeder"]},
    "street-lighting": {"ar": ["ظلمة", "مظلم"]},
    "sewage-overflow": {"en": ["overflowing", "overflow"], "arabizi": ["6afi7", "tafi7"]},
    "road-damage": {"ar": ["تكسرات", "اوحال", "وحل"], "en": ["cracks"]},
    "traffic-signals": {"subjects": ["junction"]},
    "health-facility": {
        "ar": ["طوارئ", "الطوارئ", "اسعاف", "سيارة اسعاف"],
        "en": ["ambulance", "emergency room"],
    },
    "school-building": {"ar": ["ينضح", "الحمامات", "المرافق الصحيه", "مرافق", "المرافق"]},
    "air-pollution": {"ar": ["احتراق"], "en": ["burning", "burnt", "burn"]},
    "agricultural-pests": {"ar": ["فلاحين"], "en": ["farm", "farmers"]},
}


def upgrade():
    connection = op.get_bind()
    categories = sa.table(
        "category", sa.column("id"), sa.column("code"), sa.column("keywords", sa.JSON)
    )
    with open(DATA_DIR / "categories.yaml", encoding="utf-8") as handle:
        shipped = {item["code"]: item["keywords"] for item in yaml.safe_load(handle)}
    for row in connection.execute(
        sa.select(categories.c.id, categories.c.code, categories.c.keywords)
    ):
        if row.code not in shipped:
            continue
        stored = (
            row.keywords if isinstance(row.keywords, dict) else json.loads(row.keywords or "{}")
        )
        merged = dict(stored)
        for name in set(shipped[row.code]) | set(stored):
            gone = set(MOVED.get(row.code, {}).get(name, ()))
            release = list(shipped[row.code].get(name, ()))
            added_by_admin = [w for w in stored.get(name, ()) if w not in release and w not in gone]
            merged[name] = release + added_by_admin
        if merged != stored:
            connection.execute(
                categories.update().where(categories.c.id == row.id).values(keywords=merged)
            )
    areas = sa.table("area", sa.column("id"), sa.column("code"), sa.column("alt_names", sa.JSON))
    with open(DATA_DIR / "basra_places.csv", encoding="utf-8", newline="") as handle:
        spellings = {
            row["id"]: [n for n in row["alt_names"].split(";") if n]
            for row in csv.DictReader(handle)
        }
    for row in connection.execute(sa.select(areas.c.id, areas.c.code, areas.c.alt_names)):
        stored = (
            row.alt_names if isinstance(row.alt_names, list) else json.loads(row.alt_names or "[]")
        )
        new = [name for name in spellings.get(row.code, ()) if name not in stored]
        if new:
            connection.execute(
                areas.update().where(areas.c.id == row.id).values(alt_names=stored + new)
            )
    version = sa.table("reference_data_version", sa.column("id"), sa.column("version"))
    connection.execute(version.update().values(version=version.c.version + 1))


def downgrade():
    """The words stay: older code reads the lists it knows and ignores the rest."""
