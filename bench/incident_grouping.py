"""How well reports are grouped into incidents (issue 14, feedback.domain.incidents) on a
synthetic city hour built from the real gazetteer: three power outages in different districts
and one burst main, among unrelated complaints in the same places (other categories; the same
categories far away, much earlier or with no place). The rule runs in arrival order; printed:
incidents formed (4 expected), unrelated reports wrongly joined (goal 0), fault reports left
out of their incident (goal at most 5 %), and the time per report.

    .venv/bin/python bench/incident_grouping.py [--seed 14]
"""

import argparse
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summary import record  # noqa: E402
from feedback.domain.incidents import (  # noqa: E402
    Incident,
    Outcome,
    Report,
    formed,
    group_report,
    joined,
)
from feedback.domain.locate import Gazetteer, Place, distance_km  # noqa: E402
from feedback.reference_data import category_keywords, read_places  # noqa: E402

HOUR = datetime(2025, 7, 1, 14, 0)
OUTAGE, MAIN = "electricity-outage", "water-leak"


@dataclass(frozen=True)
class Fault:
    """One fault on the ground and the reports it causes within the hour."""

    name: str
    category: str
    place: str  # the place at its centre
    reach_km: float  # reports come from within this distance of the centre
    reports: int


FAULTS = [
    Fault("outage in Al-Jumhuriya (Basra)", OUTAGE, "nbh-jumhuriya", 1.2, 70),
    Fault("outage in Zubair", OUTAGE, "town-zubair", 1.2, 70),
    Fault("outage in Abu Al-Khaseeb", OUTAGE, "town-abu-al-khaseeb", 1.2, 70),
    Fault("burst main in Al-Tamimiya (Basra)", MAIN, "nbh-tamimiya", 0.15, 40),
]
REPORTS = 500
UNPLACED = 30  # unrelated reports naming no place, a third of them power cuts
EARLIER = [timedelta(hours=30 * k) for k in (1, 2, 3, 4)]  # beyond every rule's window
APART_KM = 4.0  # unrelated complaints of one category are at least this far apart
JITTER_KM = 0.15
POINT_SHARE = 0.6  # reports with a GPS or map point; the others name their place only
REPEATS = 5
SMALL_PLACES = ("town", "neighbourhood", "landmark")


@dataclass(frozen=True)
class Labelled:
    report: Report
    fault: str | None  # None: unrelated to every fault


def _around(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point uniformly in the disc of `km` around (lat, lon)."""
    distance, bearing = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    north = distance * math.cos(bearing) / 111.2
    east = distance * math.sin(bearing) / (111.2 * math.cos(math.radians(lat)))
    return lat + north, lon + east


class CityHour:
    """The reports of the hour, each labelled with its fault (or none)."""

    def __init__(self, gazetteer: Gazetteer, places: list[Place], seed: int) -> None:
        self.rng = random.Random(seed)
        self.gazetteer = gazetteer
        self.places = places
        self.reports: list[Labelled] = []

    def add(self, category: str, lat: float, lon: float, at: datetime, fault: str | None) -> None:
        """A report from a point: with it (GPS, map pin) or naming the place it falls in."""
        area = self.gazetteer.locate_point(lat, lon, "gps").place_code
        point = (lat, lon) if self.rng.random() < POINT_SHARE else (None, None)
        report = Report(len(self.reports) + 1, category, area, *point, at)
        self.reports.append(Labelled(report, fault))

    def minute(self) -> datetime:
        return HOUR + timedelta(seconds=self.rng.randrange(3600))

    def faults(self) -> None:
        for fault in FAULTS:
            centre = self.gazetteer.place(fault.place)
            assert centre.lat is not None and centre.lon is not None
            for _ in range(fault.reports):
                lat, lon = _around(self.rng, centre.lat, centre.lon, fault.reach_km)
                self.add(fault.category, lat, lon, self.minute(), fault.name)

    def unrelated(self, count: int, categories: list[str]) -> None:
        """`count` one-off complaints: the fault places first, each category's places far
        apart (so no two are one problem), the faults' own categories only away from them and
        much earlier at their places."""
        fault_places = [self.gazetteer.place(f.place) for f in FAULTS]
        slots = []
        for category in categories:
            taken: list[Place] = []
            others = self.rng.sample(self.places, len(self.places))
            faults_category = category in {f.category for f in FAULTS}
            for place in others if faults_category else fault_places + others:
                avoid = taken + (fault_places if faults_category else [])
                if all(_km_apart(place, other) >= APART_KM for other in avoid):
                    taken.append(place)
            slots += [(category, place, self.minute()) for place in taken]
        for earlier in EARLIER:
            slots += [(f.category, self.gazetteer.place(f.place), HOUR - earlier) for f in FAULTS]
        self.rng.shuffle(slots)
        for category, place, at in slots[:count]:
            assert place.lat is not None and place.lon is not None
            lat, lon = _around(self.rng, place.lat, place.lon, JITTER_KM)
            self.add(category, lat, lon, at, None)

    def unplaced(self, categories: list[str]) -> None:
        for number in range(UNPLACED):
            category = OUTAGE if number % 3 == 0 else self.rng.choice(categories)
            report = Report(len(self.reports) + 1, category, None, None, None, self.minute())
            self.reports.append(Labelled(report, None))


def _km_apart(place: Place, other: Place) -> float:
    assert place.lat is not None and place.lon is not None
    assert other.lat is not None and other.lon is not None
    return distance_km(place.lat, place.lon, other.lat, other.lon)


@dataclass
class Grouping:
    incidents: dict[int, Incident]
    members: dict[int, int]  # ticket id -> incident id
    seconds: float


def run(reports: list[Report], gazetteer: Gazetteer) -> Grouping:
    """The rule in arrival order, the incidents kept as a service would keep them."""
    incidents: dict[int, Incident] = {}
    members: dict[int, int] = {}
    ungrouped: list[Report] = []
    seconds = 0.0
    for report in reports:
        start = time.perf_counter()
        decision = group_report(report, incidents.values(), ungrouped, gazetteer)
        seconds += time.perf_counter() - start
        if decision.outcome == Outcome.JOIN:
            assert decision.incident is not None
            incidents[decision.incident.id] = joined(decision.incident, report)
            members[report.ticket_id] = decision.incident.id
        elif decision.outcome == Outcome.FORM:
            incident = formed(len(incidents) + 1, [report, *decision.together_with], gazetteer)
            incidents[incident.id] = incident
            for member in [report, *decision.together_with]:
                members[member.ticket_id] = incident.id
            ungrouped = [r for r in ungrouped if r.ticket_id not in members]
        else:
            ungrouped.append(report)
    return Grouping(incidents, members, seconds)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--seed", type=int, default=14)
    options = arguments.parse_args()
    every_place = [record.as_place() for record in read_places()]
    gazetteer = Gazetteer(every_place)
    places = [p for p in every_place if p.lat is not None and p.kind in SMALL_PLACES]
    categories = [category.code for category in category_keywords()]
    hour = CityHour(gazetteer, places, options.seed)
    hour.faults()
    hour.unplaced(categories)
    hour.unrelated(REPORTS - len(hour.reports), categories)
    labelled = sorted(hour.reports, key=lambda item: item.report.received_at)
    reports = [item.report for item in labelled]
    grouping = run(reports, gazetteer)
    seconds = min([grouping.seconds] + [run(reports, gazetteer).seconds for _ in range(REPEATS)])

    unrelated = [item for item in labelled if item.fault is None]
    wrongly = [item for item in unrelated if item.report.ticket_id in grouping.members]
    print(
        f"synthetic city hour, seed {options.seed}: {len(reports)} reports, "
        f"{len(reports) - len(unrelated)} from {len(FAULTS)} faults, {len(unrelated)} unrelated"
    )
    print(f"incidents formed: {len(grouping.incidents)} (expected {len(FAULTS)})")
    print(f"unrelated reports wrongly joined: {len(wrongly)} of {len(unrelated)} (goal 0)")
    left_out = 0
    for fault in FAULTS:
        ids = [i.report.ticket_id for i in labelled if i.fault == fault.name]
        where = Counter(grouping.members.get(ticket) for ticket in ids)
        best, held = max(
            ((incident, n) for incident, n in where.items() if incident is not None),
            key=lambda found: found[1],
            default=(None, 0),
        )
        left_out += len(ids) - held
        print(
            f"  {fault.name}: {held} of {len(ids)} reports in incident {best}, "
            f"{where[None]} alone, {len(ids) - held - where[None]} in another incident"
        )
    faulty = len(reports) - len(unrelated)
    share = 100 * left_out / faulty
    print(f"fault reports left out of their incident: {left_out} of {faulty} ({share:.1f} %, "
          "goal at most 5 %)")  # fmt: skip
    per_report = 1e6 * seconds / len(reports)
    print(f"time per report: {per_report:.0f} µs (best of {REPEATS + 1} runs)")
    record("incident_grouping", "incidents formed", len(grouping.incidents), "",
           f"expected {len(FAULTS)}")  # fmt: skip
    record("incident_grouping", "unrelated reports wrongly joined", len(wrongly), "", "goal 0")
    record("incident_grouping", "fault reports left out", share, "%", "goal at most 5%")
    record("incident_grouping", "time per report", per_report, "µs")


if __name__ == "__main__":
    main()
