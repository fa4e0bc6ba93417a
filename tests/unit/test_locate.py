"""The gazetteer: places named in text, and the place around a GPS or map point."""

import pytest

from feedback.domain.locate import NOWHERE, Gazetteer, Place


def _box(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


HUSSEIN = (30.502, 47.768)
ASHAR = (30.5165, 47.8395)
PLACES = [
    Place(
        "gov-basra",
        "governorate",
        ("محافظة البصرة", "Basra Governorate"),
        30.372,
        47.378,
        _box(46.5, 29.0, 48.7, 31.2),
    ),
    Place(
        "dist-basra",
        "district",
        ("قضاء البصرة", "Basra District"),
        30.576,
        47.628,
        _box(47.70, 30.40, 47.95, 30.65),
    ),
    Place(
        "dist-zubair",
        "district",
        ("قضاء الزبير", "Az-Zubayr District"),
        30.2,
        47.5,
        _box(47.30, 30.10, 47.70, 30.40),
    ),
    Place(
        "nbh-hussein",
        "neighbourhood",
        ("حي الحسين", "Hay Al-Hussein", "الحسين"),
        *HUSSEIN,
        parent="dist-basra",
    ),
    Place(
        "nbh-ashar", "neighbourhood", ("العشار", "Al-Ashar", "Ashar"), *ASHAR, parent="dist-basra"
    ),
    Place("nbh-jamiaa", "neighbourhood", ("حي الجامعة", "Hay Al-Jamiaa"), parent="dist-basra"),
]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(PLACES)


def test_find_in_text_with_clitic_and_generic_word(gazetteer):
    location = gazetteer.find_in_text("ماكو ماي بحي الحسين")
    assert location.place_code == "nbh-hussein"
    assert location.method == "gazetteer"
    assert (location.lat, location.lon) == HUSSEIN
    assert location.matched_text == "بحي الحسين"
    assert location.confidence == 0.9  # two words matched
    assert not location.outside_area


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("الكهرباء طافية بالعشار", 0.75),  # "in the Ashar"
        ("العشّار", 0.75),  # with shadda
        ("no water in al-ashar", 0.9),
        ("power cut, Ashar", 0.75),
        ("ASHAR", 0.75),
    ],
)
def test_find_in_text_ashar_spellings(gazetteer, text, confidence):
    location = gazetteer.find_in_text(text)
    assert location.place_code == "nbh-ashar"
    assert location.confidence == confidence
    assert (location.lat, location.lon) == ASHAR


@pytest.mark.parametrize("text", ["الحسين", "Hay Al-Hussein", "hussein", "للحسين"])
def test_find_in_text_hussein_spellings(gazetteer, text):
    assert gazetteer.find_in_text(text).place_code == "nbh-hussein"


def test_a_neighbourhood_beats_its_district_even_when_shorter(gazetteer):
    location = gazetteer.find_in_text("قضاء البصرة، العشار")
    assert location.place_code == "nbh-ashar"
    assert location.matched_text == "العشار"


def test_a_district_alone_is_found(gazetteer):
    location = gazetteer.find_in_text("ماكو ماي بقضاء الزبير")
    assert location.place_code == "dist-zubair"
    assert location.confidence == 0.9


def test_a_place_without_a_point_has_no_coordinates(gazetteer):
    location = gazetteer.find_in_text("المجاري طافحة بحي الجامعه")
    assert location.place_code == "nbh-jamiaa"
    assert location.lat is None
    assert location.lon is None
    assert location.method == "gazetteer"


@pytest.mark.parametrize("text", ["ماكو ماي", "no water since Monday", "", "حي"])
def test_no_place_named_is_nowhere(gazetteer, text):
    location = gazetteer.find_in_text(text)
    assert location == NOWHERE
    assert location.method == "none"
    assert location.place_code is None


def test_a_name_shared_by_two_places_lowers_confidence():
    gazetteer = Gazetteer(
        [
            Place("nbh-a", "neighbourhood", ("الجمهورية",), 30.525, 47.812),
            Place("nbh-b", "neighbourhood", ("الجمهورية",), 30.30, 47.60),
        ]
    )
    location = gazetteer.find_in_text("الجمهورية")
    assert location.place_code in {"nbh-a", "nbh-b"}
    assert location.confidence == 0.375


@pytest.mark.parametrize("method", ["gps", "map_pin"])
def test_locate_point_near_a_neighbourhood(gazetteer, method):
    lat, lon = 30.510, 47.775  # about 1.1 km from Hay Al-Hussein's point
    location = gazetteer.locate_point(lat, lon, method)
    assert location.place_code == "nbh-hussein"
    assert (location.lat, location.lon) == (lat, lon)  # the citizen's point, not the place's
    assert location.method == method
    assert location.confidence == 1.0
    assert not location.outside_area


def test_locate_point_picks_the_nearest_named_place(gazetteer):
    assert gazetteer.locate_point(30.514, 47.830, "gps").place_code == "nbh-ashar"


def test_locate_point_beyond_the_nearest_place_radius_falls_back_to_the_district(gazetteer):
    # About 3 km north of Ashar: inside the Basra district box, near no named place.
    location = gazetteer.locate_point(30.5435, 47.8395, "gps")
    assert location.place_code == "dist-basra"
    assert location.method == "gps"


def test_locate_point_in_a_district_far_from_places(gazetteer):
    location = gazetteer.locate_point(30.62, 47.90, "map_pin")
    assert location.place_code == "dist-basra"
    assert (location.lat, location.lon) == (30.62, 47.90)
    assert location.method == "map_pin"


def test_locate_point_in_the_governorate_outside_every_district(gazetteer):
    location = gazetteer.locate_point(29.5, 47.0, "gps")
    assert location.place_code == "gov-basra"
    assert not location.outside_area


def test_locate_point_outside_the_governorate_is_kept_and_flagged(gazetteer):
    location = gazetteer.locate_point(33.3152, 44.3661, "gps")  # Baghdad
    assert location.outside_area
    assert location.place_code is None
    assert (location.lat, location.lon) == (33.3152, 44.3661)
    assert location.method == "gps"


def test_a_point_takes_no_name_from_across_a_district_border():
    """A neighbourhood of Basra district lies 1 km from a point just inside Zubair district:
    the point is Zubair's, not the neighbourhood's, or it would go to the wrong office."""
    border_place = Place(
        "nbh-border", "neighbourhood", ("حي الحدود",), 30.405, 47.705, parent="dist-basra"
    )
    gazetteer = Gazetteer([*PLACES, border_place])
    in_zubair = gazetteer.locate_point(30.398, 47.698, "gps")
    in_basra = gazetteer.locate_point(30.402, 47.702, "gps")
    assert in_zubair.place_code == "dist-zubair"
    assert in_basra.place_code == "nbh-border"


def test_ancestors_nearest_first(gazetteer):
    assert gazetteer.ancestors("nbh-ashar") == ["dist-basra"]
    assert gazetteer.ancestors("dist-basra") == []


EVERYDAY = [
    Place("town-midaina", "town", ("المدينة", "Al-Midaina"), 30.96, 47.27),
    Place("town-tannuma", "town", ("التنومة", "Tannuma"), 30.53, 47.85),
    Place("nbh-jawadain", "neighbourhood", ("حي الجوادين - سفوان",), 30.11, 47.71),
    *PLACES,
]


@pytest.fixture(scope="module")
def everyday():
    return Gazetteer(EVERYDAY)


def test_an_everyday_word_names_a_place_only_with_a_locative_cue(everyday):
    assert everyday.find_in_text("ماكو ماي بالمدينة").place_code == "town-midaina"
    assert everyday.find_in_text("الماي مقطوع في المدينة").place_code == "town-midaina"
    assert everyday.find_in_text("المدينة كلها بلا كهرباء") == NOWHERE


def test_a_clitic_on_a_later_word_of_a_short_name(everyday):
    assert everyday.find_in_text("الكهرباء مقطوعة بحي الجوادين بسفوان").place_code == "nbh-jawadain"


def test_after_but_the_place_meant_is_the_later_one(everyday):
    text = "اني ساكن بالعشار بس اهلي بالتنومة والماي عدهم مقطوع"
    assert everyday.find_in_text(text).place_code == "town-tannuma"
    english = "I work in Ashar but my house is in Tannuma and there is no water"
    assert everyday.find_in_text(english).place_code == "town-tannuma"
    assert everyday.find_in_text("بالعشار والتنومة ماكو ماي").place_code == "nbh-ashar"


def test_a_name_shared_within_one_district_is_not_ambiguous():
    """Safwan the town and Safwan the sub-district route alike; two Jumhuriyas in two
    districts do not, so only the latter lowers confidence (and makes the SMS ask where)."""
    nested = Gazetteer(
        [
            *PLACES,
            Place("sub-safwan", "subdistrict", ("ناحية سفوان",), parent="dist-zubair"),
            Place("town-safwan", "town", ("سفوان",), 30.11, 47.71, parent="dist-zubair"),
        ]
    )
    split = Gazetteer(
        [
            *PLACES,
            Place("nbh-a", "neighbourhood", ("الجمهورية",), 30.52, 47.81, parent="dist-basra"),
            Place("nbh-b", "neighbourhood", ("الجمهورية",), 30.30, 47.60, parent="dist-zubair"),
        ]
    )
    assert nested.find_in_text("ماكو ماي بسفوان").confidence == 0.75
    assert split.find_in_text("ماكو ماي بالجمهورية").confidence == 0.375


def test_where_the_writer_lives_or_works_yields_to_the_place_of_the_problem(everyday):
    text = "أسكن في العشار، غير أن شكواي تخص دار والدي في التنومة حيث انقطع الماء"
    assert everyday.find_in_text(text).place_code == "town-tannuma"
    assert everyday.find_in_text("engineer in Ashar, no water in Tannuma").place_code == (
        "town-tannuma"
    )
    # ... unless it is the only place, or lies inside the other one
    assert everyday.find_in_text("اسكن بالعشار والماي مقطوع").place_code == "nbh-ashar"
    inside = "I'm from Basra District, living in Al-Ashar, the power cuts every day"
    assert everyday.find_in_text(inside).place_code == "nbh-ashar"


def test_a_road_s_end_yields_to_the_place_the_road_runs_through(everyday):
    assert everyday.find_in_text("طريق العشار التنومة كله حفر").place_code == "town-tannuma"
    assert everyday.find_in_text("حفر بالعشار").place_code == "nbh-ashar"


def test_a_kind_word_chooses_between_a_town_and_its_sub_district():
    shared = Gazetteer(
        [
            Place("sub-bahar", "subdistrict", ("ناحية البحار", "البحار")),
            Place("town-bahar", "town", ("ناحية البحار", "البحار"), 30.1, 47.9),
        ]
    )
    assert shared.find_in_text("المركز الصحي في ناحية البحار").place_code == "sub-bahar"
    assert shared.find_in_text("ماكو ماي بالبحار").place_code == "town-bahar"


def test_the_city_of_a_place_is_that_place_not_al_midaina(everyday):
    assert everyday.find_in_text("الاشارات معطلة في مدينة التنومة").place_code == "town-tannuma"


def test_latin_articles_are_one_and_q_is_g():
    kut = Gazetteer([Place("nbh-kut", "neighbourhood", ("Kut al-Hajjaj",)), *PLACES])
    assert kut.find_in_text("el mai maq6oo3 b kut el 7ajjaj").place_code == "nbh-kut"
    maqal = Gazetteer([Place("nbh-maqal", "neighbourhood", ("Al-Maqal",)), *PLACES])
    assert maqal.find_in_text("shari3na bl ma3gal kula 7ufar").place_code == "nbh-maqal"


def test_an_office_s_place_yields_to_the_place_of_the_problem(everyday):
    text = "أطالب محافظ البصرة بمحاسبة مدير الكهرباء فالقطع في العشار عشرين ساعة"
    basra = Gazetteer([Place("town-basra", "town", ("البصرة",), 30.5, 47.8), *EVERYDAY])
    assert basra.find_in_text(text).place_code == "nbh-ashar"
    assert basra.find_in_text("الكهرباء مقطوعة بالبصرة").place_code == "town-basra"


def test_fayya_is_also_in_it():
    fayya = Gazetteer([Place("town-fayya", "town", ("الفيه",)), *PLACES])
    assert fayya.find_in_text("النهر ترسب فيه الطمي").place_code is None
    assert fayya.find_in_text("ماكو ماي بالفيه").place_code == "town-fayya"
