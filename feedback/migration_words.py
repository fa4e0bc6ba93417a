"""For data migrations that give categories new keywords: the words are merged into what the
database holds, so words already there, and words an admin added, stay; the reference data's
version is bumped when anything changed, so every process reloads its parser."""

import json
from collections.abc import Mapping, Sequence

import sqlalchemy as sa


def add_category_words(
    connection: sa.Connection, added: Mapping[str, Mapping[str, Sequence[str]]]
) -> None:
    """`added`: category code -> keyword list name (ar, en, arabizi, generic...) -> words."""
    categories = sa.table(
        "category", sa.column("id"), sa.column("code"), sa.column("keywords", sa.JSON)
    )
    changed = False
    query = sa.select(categories.c.id, categories.c.code, categories.c.keywords).where(
        categories.c.code.in_(sorted(added))
    )
    for row in connection.execute(query):
        stored = (
            row.keywords if isinstance(row.keywords, dict) else json.loads(row.keywords or "{}")
        )
        merged = dict(stored)
        for name, words in added[row.code].items():
            listed = list(stored.get(name, ()))
            merged[name] = listed + [word for word in words if word not in listed]
        if merged != stored:
            connection.execute(
                categories.update().where(categories.c.id == row.id).values(keywords=merged)
            )
            changed = True
    if changed:
        version = sa.table("reference_data_version", sa.column("id"), sa.column("version"))
        connection.execute(version.update().values(version=version.c.version + 1))
