"""Which followers hear of an incident, as plain rules on a small gazetteer."""

from feedback.domain.follow import areas_concerned, followed_area
from feedback.domain.locate import Gazetteer, Place

GAZETTEER = Gazetteer([
    Place("gov", "governorate", ("Basra Governorate",)),
    Place("dist-a", "district", ("A District",), parent="gov"),
    Place("dist-b", "district", ("B District",), parent="gov"),
    Place("nbh-a1", "neighbourhood", ("A One",), parent="dist-a"),
    Place("nbh-a2", "neighbourhood", ("A Two",), parent="dist-a"),
    Place("nbh-b1", "neighbourhood", ("B One",), parent="dist-b"),
    Place("mark-a1", "landmark", ("A One Mosque",), parent="nbh-a1"),
])  # fmt: skip


def test_a_neighbourhood_s_incident_concerns_it_and_the_places_enclosing_it_only():
    assert areas_concerned(["nbh-a1"], GAZETTEER) == {"nbh-a1", "mark-a1", "dist-a", "gov"}


def test_a_district_s_incident_concerns_every_place_inside_it_and_not_the_next_district():
    concerned = areas_concerned(["dist-a"], GAZETTEER)
    assert concerned == {"dist-a", "gov", "nbh-a1", "nbh-a2", "mark-a1"}
    assert "nbh-b1" not in concerned and "dist-b" not in concerned


def test_a_landmark_is_followed_as_the_area_it_lies_in():
    assert followed_area("mark-a1", GAZETTEER) == "nbh-a1"
    assert followed_area("dist-b", GAZETTEER) == "dist-b"
