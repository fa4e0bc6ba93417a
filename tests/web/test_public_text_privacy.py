"""A phone number typed into any public text (the complaint, a citizen's reopening, an officer's
public answer, a transfer reason, a monitor's verified or disputed note) reaches no public
surface and no SMS to someone else, in any of the ways it may be typed; staff see the original."""

import html
import json

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from tests.conftest import AuthActions, csrf_from, shows_phone

CITIZEN = "+9647801234567"
CITY_BOX = "47.60,30.30,47.95,30.65"
# Who typed which number, how: (national number, as typed).
NUMBERS = {
    "complaint": ("7719283746", "0771 - 928 - 3746"),
    "acknowledge": ("7806152439", "٠٧٨٠\u2013٦١٥\u2013٢٤٣٩"),
    "transfer": ("7501938274", "+964 750 193 8274"),
    "resolve": ("7908172635", "0790/817/2635"),
    "dispute": ("7846301957", "0784\u200b630\u200c1957"),
    "resolve again": ("7795820413", "۰۷۷۹ـ۵۸۲ـ۰۴۱۳"),
    "verify": ("7863049125", "00964,786,304,9125"),
    "reopen": ("7758136402", "0775_813_6402"),
}
# The words just before each number, to find the texts on the public page.
BEFORE_EACH_NUMBER = (
    "ايام، اتصلوا",
    "اتصلنا بالمواطن على",
    "راجعوا المهندس",
    "engineer on",
    "neighbour",
    "رقم الطوارئ",
    "سألنا صاحب الدار",
    "انقطع مرة ثانية، اتصلوا",
)


def typed(kind: str) -> str:
    return NUMBERS[kind][1]


def readable(response) -> str:
    """A response as a person or a program reads it: entities and \\u escapes decoded."""
    text = response.get_data(as_text=True)
    if response.mimetype.endswith("json"):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def public_surfaces(client, monitor, reference: str) -> dict[str, str]:
    """Every place outside the staff pages where the ticket's texts can be read."""
    paths = {
        f"/t/{reference}": client,
        f"/open311/v2/requests/{reference}.json": client,
        f"/open311/v2/requests/{reference}.xml": client,
        "/open311/v2/requests.json": client,
        "/open311/v2/requests.xml": client,
        f"/map/points.geojson?bbox={CITY_BOX}&zoom=16": client,
        "/export/tickets.csv": client,
        "/export/tickets.geojson": client,
        "/monitor/": monitor,
        f"/monitor/t/{reference}": monitor,
    }
    surfaces = {}
    for path, reader in paths.items():
        response = reader.get(path)
        assert response.status_code == 200, path
        surfaces[path] = readable(response)  # read now: exports stream
    return surfaces


def assert_no_number(surfaces: dict[str, str]) -> None:
    leaks = [
        f"the {kind} number on {path}"
        for path, text in surfaces.items()
        for kind, (national, _) in NUMBERS.items()
        if shows_phone(text, national)
    ]
    assert not leaks, "\n".join(leaks)


class Journey:
    """One ticket through its whole life, a number typed at every step, by the real pages."""

    def __init__(self, app, twilio):
        self.app, self.twilio = app, twilio
        self.monitor = app.test_client()
        AuthActions(self.monitor).login("monitor")

    def complain(self) -> str:
        text = f"ماكو ماي بحي الحسين من 3 ايام، اتصلوا {typed('complaint')}"
        assert self.twilio.send(text, sender=CITIZEN).status_code == 200
        with self.app.app_context():
            self.reference = db.session.scalar(sa.select(Ticket.reference))
        token = csrf_from(self.monitor, f"/monitor/t/{self.reference}")
        self.monitor.post(f"/monitor/t/{self.reference}/follow", data={"csrf_token": token})
        return self.reference

    def as_staff(self, username: str) -> None:
        self.staff = self.app.test_client()
        AuthActions(self.staff).login(username)

    def act(self, action: str, message: str) -> None:
        path = f"/officer/t/{self.reference}"
        data = {"csrf_token": csrf_from(self.staff, path), "public_message": message}
        assert self.staff.post(f"{path}/act/{action}", data=data).status_code == 303
        self.assert_status(
            {"acknowledge": "acknowledged", "start": "in_progress", "resolve": "resolved"}[action]
        )

    def transfer(self, directorate: str, reason: str) -> None:
        path = f"/officer/t/{self.reference}"
        token = csrf_from(self.staff, path)
        data = {"csrf_token": token, "directorate": directorate, "reason": reason}
        assert self.staff.post(f"{path}/transfer", data=data).status_code == 303
        self.assert_status("new")

    def check(self, verdict: str, note: str) -> None:
        path = f"/monitor/t/{self.reference}"
        data = {"csrf_token": csrf_from(self.monitor, path), "verdict": verdict, "note": note}
        response = self.monitor.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 303
        self.assert_status("reopened" if verdict == "disputed" else "resolved")

    def reopen(self, text: str) -> None:
        assert (
            self.twilio.send(f"REOPEN {self.reference} {text}", sender=CITIZEN).status_code == 200
        )
        self.assert_status("reopened")

    def assert_status(self, status: str) -> None:
        with self.app.app_context():
            assert db.session.scalar(sa.select(Ticket.status)) == status

    def live(self) -> str:
        """The whole life at once; the ticket's reference."""
        reference = self.complain()
        for _ in self.steps():
            pass
        return reference

    def steps(self):
        """Each step of the ticket's life, one at a time."""
        self.as_staff("officer.water")
        self.act("acknowledge", f"اتصلنا بالمواطن على {typed('acknowledge')}")
        yield
        self.transfer("electricity", f"المضخة كهرباء، راجعوا المهندس {typed('transfer')}")
        yield
        self.as_staff("officer.electricity")
        self.act("acknowledge", "")
        self.act("resolve", f"Feeder repaired; engineer on {typed('resolve')}")
        yield
        self.check("disputed", f"still no water, neighbour {typed('dispute')} says so")
        yield
        self.act("start", "")
        self.act("resolve", f"رجع الماي فعلا، رقم الطوارئ {typed('resolve again')}")
        yield
        self.check("verified", f"الماي واصل، سألنا صاحب الدار {typed('verify')}")
        yield
        self.reopen(f"انقطع مرة ثانية، اتصلوا {typed('reopen')}")
        yield


@pytest.fixture
def journey(app, twilio):
    return Journey(app, twilio)


def test_no_typed_number_reaches_a_public_surface_at_any_step(client, journey):
    reference = journey.complain()
    assert_no_number(public_surfaces(client, journey.monitor, reference))
    for _ in journey.steps():
        assert_no_number(public_surfaces(client, journey.monitor, reference))


def test_the_public_record_keeps_every_text_with_its_numbers_masked(client, journey):
    reference = journey.live()
    page = readable(client.get(f"/t/{reference}"))
    for words in BEFORE_EACH_NUMBER:
        assert f"{words} [•••]" in page
    for path, text in public_surfaces(client, journey.monitor, reference).items():
        assert "[•••]" in text, f"{path} shows none of the texts"


def test_no_sms_carries_a_number_someone_else_typed(app, journey):
    journey.live()
    with app.app_context():
        bodies = list(db.session.scalars(sa.select(Outbox.body)))
    assert len(bodies) >= 5  # the answers, the transfer and the dispute were all texted
    for body in bodies:
        for kind, (national, _) in NUMBERS.items():
            assert not shows_phone(body, national), f"the {kind} number is texted: {body}"


def test_staff_still_read_the_complaint_as_the_citizen_wrote_it(journey):
    reference = journey.complain()
    journey.as_staff("officer.water")
    page = readable(journey.staff.get(f"/officer/t/{reference}"))
    assert typed("complaint") in page


def test_public_ticket_pages_get_a_record_of_public_fields_never_the_row(app, client, twilio):
    """/t/<ref> and the receipt page render from a record with no phone or name in it, so no
    template can print them by mistake."""
    from flask import template_rendered

    twilio.send("ماكو ماي بحي الحسين", sender=CITIZEN)
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
    rendered = []

    def record(_sender, template, context, **_extra):
        rendered.append((template.name, context))

    template_rendered.connect(record, app)
    try:
        for path in (f"/t/{reference}", f"/report/received/{reference}"):
            assert client.get(path).status_code == 200
    finally:
        template_rendered.disconnect(record, app)
    pages = {name: context for name, context in rendered if name.startswith("web/")}
    assert set(pages) == {"web/ticket.html", "web/received.html"}
    for context in pages.values():
        shown = context["ticket"]
        assert shown.reference == reference
        assert not isinstance(shown, Ticket)
        assert not hasattr(shown, "citizen_phone") and not hasattr(shown, "citizen_name")
