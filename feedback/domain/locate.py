"""Where a complaint is: a Basra place named in the text, or the place around a GPS/map point."""

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Point, shape

from feedback.domain.fuzzy import NearWords
from feedback.domain.text import (
    index_word,
    is_latin,
    match_forms,
    normalise_arabic,
    normalised_words,
    word_forms,
    words,
)

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
_GENERIC = normalised_words({
    "حي", "منطقه", "محله", "ناحيه", "قضاء", "مدينه", "محافظه", "قريه", "شارع",
    "hay", "hai", "district", "subdistrict", "nahiyat", "nahiya", "qadha", "city",
    "governorate", "province", "town", "mahalla", "area",
})  # fmt: skip
_ENGLISH_ARTICLES = {"al", "el", "ad", "ar", "as", "at", "az", "an", "ash"}
# Names that are also everyday words: they name the place only with a locative cue, a
# preposition glued on ("بالمدينة") or a word before ("في", "حي", "قضاء"); alone, "المدينة"
# is "the city" as often as Al-Midaina.
EVERYDAY_WORDS = {
    "المدينه", "مدينه", "المركز", "مركز", "السوق", "الميناء", "الساحل", "city",
    "الشعله", "شعله",  # Al-Shuala, and the gas flare of air-pollution complaints
    "الجلاب", "جلاب",  # Al-Jallab, and Iraqi for dogs (چلاب)
    "مجنون",  # Majnoon field, and "crazy"; "حقل مجنون" still names the field
    "sana",  # Hay Sanaa, and Arabizi for year
    "siba", "al siba",  # Al-Siba, and Arabizi for stray (سايبة)
    "فيه",  # Al-Fayya, and "in it"
}  # fmt: skip
LOCATIVE_WORDS = normalised_words({
    "في", "حي", "منطقه", "محله", "ناحيه", "قضاء", "مدينه", "قرب", "يم", "جنب",
    "in", "at", "near", "hay", "hai", "b", "bl", "bil", "fi", "ymm", "yam",
})  # fmt: skip
# A word before a name that says which kind of place is meant, when a town and its
# sub-district share the name ("ناحية البحار" is the sub-district).
KIND_WORDS = {
    normalise_arabic(word): kind
    for word, kind in {
        "ناحيه": "subdistrict", "nahiya": "subdistrict", "nahiyat": "subdistrict",
        "subdistrict": "subdistrict", "قضاء": "district", "qadha": "district",
        "district": "district",
    }.items()
}  # fmt: skip
# "I live in Ashar, my parents in Tannuma have no water": a place after these is where the
# writer lives or works, which yields to any other place the message names.
RESIDENCE_WORDS = normalised_words({
    "اسكن", "ساكن", "ساكنه", "ساكنين", "نسكن", "سكنه", "اعمل", "اشتغل", "موظف", "مهندس",
    "live", "living", "lives", "work", "working", "engineer", "employee", "sakin", "saakin",
    "askun", "sakna", "sakneen",
})  # fmt: skip
ROUTE_WORDS = normalised_words({"طريق", "الطريق", "road", "highway"})
# "محافظ البصرة", "مديرية تربية البصرة", "Basra municipality": the place names an office, and
# yields to the place of the problem as well.
OFFICE_WORDS = normalised_words({
    "محافظ", "مديريه", "مديرية", "دائره", "دائرة", "بلديه", "بلدية", "تربيه", "تربية",
    "governor", "directorate", "municipality", "mayor",
})  # fmt: skip
# "I live in Ashar but the problem is in Tannuma": the place after the "but" is the one meant.
CONTRAST_WORDS = normalised_words({"بس", "لكن", "but", "however", "bas", "lakin"})
_MAX_NAME_WORDS = 5
_CLITIC_NAME_WORDS = 3  # names up to this long may carry a clitic on any word
NEAREST_PLACE_KM = 2.5


_Match = tuple[int, int, str, bool]  # start, length, index key, fuzzy


@dataclass(frozen=True)
class Place:
    code: str
    kind: str
    names: tuple[str, ...]  # every name and spelling variant, Arabic and English
    lat: float | None = None
    lon: float | None = None
    polygon: dict[str, Any] | None = None  # GeoJSON geometry
    parent: str | None = None  # code of the enclosing place


@dataclass(frozen=True)
class Location:
    """A place (or none), the public point if one is known, how it was found and how surely."""

    place_code: str | None
    lat: float | None
    lon: float | None
    method: str  # gps | map_pin | photo_exif | gazetteer | staff | none
    confidence: float
    matched_text: str = ""
    outside_area: bool = False


NOWHERE = Location(None, None, None, "none", 0.0)
STAFF_PICKED = "staff"  # the method of a place picked by staff recording a complaint
PHOTO_EXIF = "photo_exif"  # the GPS position in a web report's photo, when no pin was dropped


def _name_keys(name: str) -> set[str]:
    """Lookup keys for one name: as written, without generic words, without the article."""
    tokens = words(normalise_arabic(name))
    variants = [tokens]
    core = [t for t in tokens if t not in _GENERIC]
    if core:
        variants.append(core)
        if core[0] in _ENGLISH_ARTICLES and len(core) > 1:
            variants.append(core[1:])
        if core[0].startswith("ال") and len(core[0]) > 3:
            variants.append([core[0][2:], *core[1:]])
    keys = {" ".join(index_word(w) for w in variant) for variant in variants if variant}
    return keys


class Gazetteer:
    """Built once from the places; finds them in text and around points."""

    def __init__(self, places: list[Place]):
        self._places = {place.code: place for place in places}
        self._index: dict[str, set[str]] = defaultdict(set)
        for place in places:
            for name in place.names:
                for key in _name_keys(name):
                    self._index[key].add(place.code)
        self._prefixes = {
            " ".join(key.split(" ")[:length])
            for key in self._index
            for length in range(1, key.count(" ") + 2)
        }
        # Single-word names, to be found through a misspelling.
        self._near_names = NearWords(
            key for key in self._index if " " not in key and key not in EVERYDAY_WORDS
        )
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
        """The place the text names; NOWHERE if none. A name inside a longer one is part of
        it ("البصرة" in "محافظة البصرة"); after a "but", only places after it count; of the
        rest, the most specific wins, then an exact match over a misspelt one, then the first
        mentioned."""
        tokens = words(normalise_arabic(text))
        matches: list[_Match] = []
        for start in range(len(tokens)):
            found = self._name_at(tokens, start) or self._misspelt_name_at(tokens[start])
            if found is not None:
                key, length, fuzzy = found
                matches.append((start, length, key, fuzzy))
        whole = [
            (start, length, key, fuzzy)
            for start, length, key, fuzzy in matches
            if not any(
                other_start <= start
                and start + length <= other_start + other_length
                and other_length > length
                for other_start, other_length, _, _ in matches
            )
        ]
        contrasts = [i for i, token in enumerate(tokens) if token in CONTRAST_WORDS]
        if contrasts and any(m[0] > contrasts[-1] for m in whole):
            whole = [m for m in whole if m[0] > contrasts[-1]]
        whole = [  # "مدينة الزبير" is the city of Zubair, not Al-Midaina and Zubair
            m
            for m in whole
            if not (m[2] in EVERYDAY_WORDS and any(o[0] == m[0] + m[1] for o in whole))
        ]
        whole = self._not_where_the_writer_lives(tokens, whole)
        if not whole:
            return NOWHERE
        start, length, key, fuzzy = max(
            whole,
            key=lambda m: (self._most_specific(m[2])[1], not m[3], -m[0]),
        )
        code, _ = self._most_specific(key, KIND_WORDS.get(tokens[start], ""))
        place, ambiguity = self._places[code], self._ambiguity(key)
        confidence = (0.9 if length > 1 else 0.75) / ambiguity * (0.8 if fuzzy else 1.0)
        matched = " ".join(tokens[start : start + length])
        return Location(code, place.lat, place.lon, "gazetteer", round(confidence, 3), matched)

    def _not_where_the_writer_lives(self, tokens: list[str], matches: list[_Match]) -> list[_Match]:
        """Without the places named as the writer's home or work when the message names
        another that does not enclose them ("I'm from Basra, living in Al-Tuwaisa" stays
        Al-Tuwaisa)."""
        homes = {m[2] for m in matches if _where_the_writer_lives(tokens, m[0])}
        enclosing = {
            ancestor
            for key in homes
            for code in self._index[key]
            for ancestor in self.ancestors(code)
        }
        elsewhere = [
            m for m in matches if m[2] not in homes and not set(self._index[m[2]]) <= enclosing
        ]
        return elsewhere or matches

    def _ambiguity(self, key: str) -> int:
        """How many different districts places of this name lie in: a town and its own
        sub-district sharing a name ("سفوان") are one answer for routing, not two."""
        districts = set()
        for code in self._index[key]:
            lineage = [code, *self.ancestors(code)]
            district = next((c for c in lineage if self._places[c].kind == "district"), code)
            districts.add(district)
        return len(districts)

    def _most_specific(self, key: str, kind: str = "") -> tuple[str, int]:
        """Of the places sharing a name, the one of the `kind` the message says, else the
        most specific (a town over its sub-district)."""
        code = max(
            self._index[key],
            key=lambda c: (self._places[c].kind == kind, SPECIFICITY[self._places[c].kind], c),
        )
        return code, SPECIFICITY[self._places[code].kind]

    def _name_at(self, tokens: list[str], start: int) -> tuple[str, int, bool] | None:
        """The longest place name starting at this word, as (index key, words, fuzzy). Short
        names may carry a clitic on any word (حي الجوادين بسفوان), longer ones on the first.
        Names are walked word by word through their prefixes, so most words cost one lookup."""
        best = None
        frontier = [form for form in match_forms(tokens[start]) if form in self._prefixes]
        length = 1
        while frontier:
            for partial in frontier:
                if partial in self._index and self._names_a_place(partial, tokens, start):
                    best = (partial, length, False)
                    break
            if length == _MAX_NAME_WORDS or start + length >= len(tokens):
                break
            token = tokens[start + length]
            options = (
                _name_word_forms(token) if length < _CLITIC_NAME_WORDS else [index_word(token)]
            )
            frontier = [
                extended
                for partial in frontier
                for option in options
                if (extended := f"{partial} {option}") in self._prefixes
            ]
            length += 1
        return best

    def _names_a_place(self, key: str, tokens: list[str], start: int) -> bool:
        """An everyday word names a place only with a locative cue before it."""
        if key not in EVERYDAY_WORDS:
            return True
        token = tokens[start]
        glued_preposition = key != token and token.startswith(("ب", "وب", "لل"))
        return glued_preposition or (start > 0 and tokens[start - 1] in LOCATIVE_WORDS)

    def _misspelt_name_at(self, token: str) -> tuple[str, int, bool] | None:
        key = self._near_names.find(match_forms(token))
        if key in EVERYDAY_WORDS:
            return None
        return (key, 1, True) if key else None

    def locate_point(self, lat: float, lon: float, method: str) -> Location:
        """The place a point falls in: the nearest named place in the same district, if close,
        else the smallest area (sub-district, district) whose polygon holds it.

        A point outside the governorate is kept but flagged, never silently accepted."""
        point = Point(lon, lat)
        if self._bounds and not any(bound.contains(point) for bound in self._bounds):
            return Location(None, lat, lon, method, 1.0, outside_area=True)
        around = [place for _, place, geometry in self._areas if geometry.contains(point)]
        districts = {p.code for p in around if p.kind == "district"}
        candidates = [
            p for p in self._points if not districts or districts & set(self.ancestors(p.code))
        ]
        nearest = min(candidates, key=lambda p: _km_to(p, lat, lon), default=None)
        if nearest is not None and _km_to(nearest, lat, lon) <= NEAREST_PLACE_KM:
            return Location(nearest.code, lat, lon, method, 1.0)
        return Location(around[0].code if around else None, lat, lon, method, 1.0)

    def within(self, code: str) -> list[str]:
        """The codes of the places inside a place, at any depth, in code order."""
        return sorted(other for other in self._places if code in self.ancestors(other))

    def ancestors(self, code: str) -> list[str]:
        """The codes enclosing a place, nearest first."""
        chain, place = [], self._places.get(code)
        while place is not None and place.parent is not None and place.parent not in chain:
            chain.append(place.parent)
            place = self._places.get(place.parent)
        return chain


def _where_the_writer_lives(tokens: list[str], start: int) -> bool:
    """The place follows "I live in", "من سكنة", "I work in": the writer's, not the problem's
    when the message names another. So do a road's end ("طريق البصرة - الفاو": the road runs
    through the other place named) and an office's ("محافظ البصرة")."""
    before = tokens[max(0, start - 3) : start]
    return any(token in RESIDENCE_WORDS for token in before) or (
        start > 0 and tokens[start - 1] in ROUTE_WORDS | OFFICE_WORDS
    )


def _name_word_forms(token: str) -> list[str]:
    """How a word after the first of a place name may be found: as indexed, or without a
    clitic (بسفوان -> سفوان)."""
    return [index_word(token)] if is_latin(token) else word_forms(token)[:3]


def _km_to(place: Place, lat: float, lon: float) -> float:
    """From a point to one of the places that have one (Gazetteer._points)."""
    assert place.lat is not None and place.lon is not None
    return distance_km(lat, lon, place.lat, place.lon)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within a governorate."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)
