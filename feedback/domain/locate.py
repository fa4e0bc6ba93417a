"""Where a complaint is: a Basra place named in the text, or the place around a GPS/map point."""

import math
from collections import defaultdict
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, shape

from feedback.domain.text import normalise_arabic, word_forms, words

# More specific places win when a message names two (a neighbourhood beats its district).
SPECIFICITY = {
    "governorate": 1,
    "district": 2,
    "subdistrict": 3,
    "town": 4,
    "neighbourhood": 5,
    "landmark": 5,
}
# Words that name the kind of place rather than the place ("Hay Al-Hussein" is "Al-Hussein").
_GENERIC = {
    "حي", "منطقه", "محله", "ناحيه", "قضاء", "مدينه", "محافظه", "قريه", "شارع",
    "hay", "hai", "district", "subdistrict", "nahiyat", "nahiya", "qadha", "city",
    "governorate", "province", "town", "mahalla", "area",
}  # fmt: skip
_ENGLISH_ARTICLES = {"al", "el", "ad", "ar", "as", "at", "az", "an", "ash"}
_MAX_NAME_WORDS = 5
NEAREST_PLACE_KM = 2.5


@dataclass(frozen=True)
class Place:
    code: str
    kind: str
    names: tuple[str, ...]  # every name and spelling variant, Arabic and English
    lat: float | None = None
    lon: float | None = None
    polygon: dict | None = None  # GeoJSON geometry


@dataclass(frozen=True)
class Location:
    """A place (or none), the public point if one is known, how it was found and how surely."""

    place_code: str | None
    lat: float | None
    lon: float | None
    method: str  # gps | map_pin | gazetteer | none
    confidence: float
    matched_text: str = ""
    outside_area: bool = False


NOWHERE = Location(None, None, None, "none", 0.0)


def _name_keys(name: str) -> set[str]:
    """Lookup keys for one name: as written, without generic words, without the article."""
    tokens = words(normalise_arabic(name))
    keys = {" ".join(tokens)}
    core = [t for t in tokens if t not in _GENERIC]
    if core:
        keys.add(" ".join(core))
        if core[0] in _ENGLISH_ARTICLES and len(core) > 1:
            keys.add(" ".join(core[1:]))
        if core[0].startswith("ال") and len(core[0]) > 3:
            keys.add(" ".join([core[0][2:], *core[1:]]))
    return {key for key in keys if key}


class Gazetteer:
    """Built once from the places; finds them in text and around points."""

    def __init__(self, places: list[Place]):
        self._places = {place.code: place for place in places}
        self._index: dict[str, set[str]] = defaultdict(set)
        for place in places:
            for name in place.names:
                for key in _name_keys(name):
                    self._index[key].add(place.code)
        self._areas = []  # (specificity, place, prepared geometry)
        for place in places:
            if place.polygon:
                geometry = shape(place.polygon)
                shapely.prepare(geometry)
                self._areas.append((SPECIFICITY[place.kind], place, geometry))
        self._areas.sort(key=lambda item: item[0], reverse=True)
        # The outer limit of what we serve.
        self._bounds = [
            geometry for _, place, geometry in self._areas if place.kind == "governorate"
        ]
        self._points = [
            p
            for p in places
            if p.lat is not None and p.kind in ("town", "neighbourhood", "landmark")
        ]

    def place(self, code: str) -> Place:
        return self._places[code]

    def find_in_text(self, text: str) -> Location:
        """The most specific, longest place name in the text; NOWHERE if none."""
        tokens = words(normalise_arabic(text))
        best: tuple | None = None
        for start in range(len(tokens)):
            for length in range(min(_MAX_NAME_WORDS, len(tokens) - start), 0, -1):
                rest = tokens[start + 1 : start + length]
                for first in word_forms(tokens[start]):
                    codes = self._index.get(" ".join([first, *rest]))
                    if not codes:
                        continue
                    code = max(codes, key=lambda c: SPECIFICITY[self._places[c].kind])
                    rank = (SPECIFICITY[self._places[code].kind], length, -len(codes))
                    if best is None or rank > best[0]:
                        best = (rank, code, " ".join(tokens[start : start + length]), len(codes))
                    break
        if best is None:
            return NOWHERE
        (_, length, _), code, matched, ambiguity = best
        place = self._places[code]
        confidence = (0.9 if length > 1 else 0.75) / ambiguity
        return Location(code, place.lat, place.lon, "gazetteer", round(confidence, 3), matched)

    def locate_point(self, lat: float, lon: float, method: str) -> Location:
        """The place a point falls in: a named place nearby, else the smallest area around it.

        A point outside the governorate is kept but flagged, never silently accepted."""
        point = Point(lon, lat)
        if self._bounds and not any(bound.contains(point) for bound in self._bounds):
            return Location(None, lat, lon, method, 1.0, outside_area=True)
        nearest = min(self._points, key=lambda p: _km(lat, lon, p.lat, p.lon), default=None)
        if nearest is not None and _km(lat, lon, nearest.lat, nearest.lon) <= NEAREST_PLACE_KM:
            return Location(nearest.code, lat, lon, method, 1.0)
        for _, place, geometry in self._areas:
            if geometry.contains(point):
                return Location(place.code, lat, lon, method, 1.0)
        return Location(None, lat, lon, method, 1.0)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within a governorate."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)
