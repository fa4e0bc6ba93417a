"""Citizens following an area by SMS (FOLLOW <area> / تابع <area>): which followers hear of
an incident, and what following may cost one number. An incident in a neighbourhood is news
to who follows the neighbourhood or a place enclosing it (its district); an outage declared
for a whole district is news to who follows any place inside it."""

from collections.abc import Iterable
from enum import StrEnum

from feedback.domain.locate import Gazetteer

# A number follows at most this many areas, and hears of them at most this many times a
# Basra day (on top of every SMS's daily allowance): following cannot flood a phone.
MAX_AREAS = 5
NOTICES_PER_DAY = 3


class FollowNews(StrEnum):
    """What a follower is told of an incident; the value names its notice text."""

    DECLARED = "follow_declared"  # a directorate declared an outage there
    UPDATED = "follow_update"  # acknowledged or updated with a public message
    RESOLVED = "follow_resolved"


def areas_concerned(incident_areas: Iterable[str], gazetteer: Gazetteer) -> set[str]:
    """The codes of the areas whose followers hear of an incident in `incident_areas`: each
    of them, the places enclosing it and the places inside it."""
    return {
        related
        for code in incident_areas
        for related in [code, *gazetteer.ancestors(code), *gazetteer.within(code)]
    }


def followed_area(code: str, gazetteer: Gazetteer) -> str:
    """The area followed when a FOLLOW names `code`: a landmark is followed as the place it
    lies in, since outages are declared for areas and a landmark's name is long for an SMS."""
    place = gazetteer.place(code)
    while place.kind == "landmark" and place.parent is not None:
        place = gazetteer.place(place.parent)
    return place.code
