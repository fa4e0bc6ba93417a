"""Basra's reference data as shipped in feedback/data/, read into plain records.

No Flask and no database: the seed loads these records into tables, and the parser bench and
tests build the domain's classifier and gazetteer straight from them."""

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from shapely.geometry import Point, shape

from feedback.domain.classify import CategoryKeywords
from feedback.domain.learned import Example
from feedback.domain.locate import Place
from feedback.domain.routing import Rule

DATA_DIR = Path(__file__).resolve().parent / "data"
_PCODE = re.compile(r"pcode (IQG\w+)")


@dataclass(frozen=True)
class PlaceRecord:
    code: str
    name_ar: str
    name_en: str
    kind: str
    parent: str | None  # code of the parent place
    lat: float | None
    lon: float | None
    point_confidence: str | None
    point_source: str
    polygon: dict | None
    alt_names: tuple[str, ...]

    def as_place(self) -> Place:
        names = (self.name_ar, self.name_en, *self.alt_names)
        return Place(self.code, self.kind, names, self.lat, self.lon, self.polygon, self.parent)


def message_corpora() -> list[Path]:
    """The labelled corpora of Basra messages (feedback/data/messages), the project's own
    first: what the parser learns from and is measured on."""
    paths = (DATA_DIR / "messages").glob("sms_*.csv")
    return sorted(paths, key=lambda path: (path.name != "sms_corpus.csv", path.name))


def read_labelled(path: Path) -> list[dict[str, str]]:
    """A corpus's rows: text, category (empty: no complaint), area, language, kind."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def labelled_messages(leave_out: str = "") -> tuple[Example, ...]:
    """Every labelled message, but those of the corpus named `leave_out` (to measure the
    parser on text it did not learn from)."""
    return tuple(
        Example(row["text"], row["category"] or None)
        for path in message_corpora()
        if path.name != leave_out
        for row in read_labelled(path)
    )


def read_yaml(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def read_places() -> tuple[PlaceRecord, ...]:
    """Places from basra_places.csv with polygons from basra_boundaries.geojson (by P-code).

    A place with a point gets the sub-district whose polygon holds it as parent, else its
    district: governorate > district > sub-district > neighbourhood, as the design has it."""
    with open(DATA_DIR / "basra_boundaries.geojson", encoding="utf-8") as handle:
        polygons = {f["properties"]["pcode"]: f["geometry"] for f in json.load(handle)["features"]}
    with open(DATA_DIR / "basra_places.csv", encoding="utf-8", newline="") as handle:
        rows: list[dict[str, Any]] = list(csv.DictReader(handle))  # a polygon is added below
    by_parent_name = {}
    for row in rows:
        if row["kind"] == "governorate":
            by_parent_name[row["name_en"]] = row["id"]
        if row["kind"] == "district":
            by_parent_name[row["name_en"].removesuffix(" District")] = row["id"]
    subdistricts = []
    for row in rows:
        pcode = _PCODE.search(row["source"])
        row["polygon"] = polygons.get(pcode.group(1)) if pcode else None
        if row["kind"] == "subdistrict" and row["polygon"]:
            subdistricts.append((row, shape(row["polygon"])))
    records = []
    for row in rows:
        has_point = bool(row["lat"] and row["lon"])
        parent = by_parent_name.get(row["parent"])
        if has_point and row["kind"] in ("town", "neighbourhood", "landmark"):
            point = Point(float(row["lon"]), float(row["lat"]))
            for subdistrict, geometry in subdistricts:
                same_district = by_parent_name.get(subdistrict["parent"]) == parent
                if same_district and geometry.contains(point):
                    parent = subdistrict["id"]
                    break
        records.append(
            PlaceRecord(
                code=row["id"],
                name_ar=row["name_ar"],
                name_en=row["name_en"],
                kind=row["kind"],
                parent=parent,
                lat=float(row["lat"]) if has_point else None,
                lon=float(row["lon"]) if has_point else None,
                point_confidence=row["confidence"] if has_point else None,
                point_source=row["source"],
                polygon=row["polygon"],
                alt_names=tuple(name for name in row["alt_names"].split(";") if name),
            )
        )
    return tuple(records)


def category_keywords() -> list[CategoryKeywords]:
    return [
        keywords_of(c["code"], c["name_ar"], c["name_en"], c["keywords"])
        for c in read_yaml("categories.yaml")
    ]


KEYWORD_LANGUAGES = ("ar", "en", "arabizi")


def keywords_of(code: str, name_ar: str, name_en: str, keywords: dict) -> CategoryKeywords:
    """A category's words; its names count too ('water supply' is what some people write).
    `keywords["subjects"]` name the service or a building near the problem, not the problem;
    `keywords["generic"]` say what went wrong without naming the service (cut, smell);
    `keywords["shares"]` are the categories its words name too (water: its quality, leaks)."""
    problem_words = [w for language in KEYWORD_LANGUAGES for w in keywords.get(language, ())]
    return CategoryKeywords(
        code,
        (name_ar, name_en, *problem_words),
        tuple(keywords.get("subjects", ())),
        tuple(keywords.get("generic", ())),
        tuple(keywords.get("shares", ())),
    )


def routing_rules() -> list[Rule]:
    return [
        Rule(r["category"], r.get("area"), r["directorate"])
        for r in read_yaml("routing_rules.yaml")
    ]


@cache
def stop_words() -> tuple[str, ...]:
    """Words that say nothing about what went wrong (stop_words.yaml), Arabic and English."""
    listed = read_yaml("stop_words.yaml")
    return tuple(word for language in ("ar", "en") for word in listed[language])
