"""Citizens following their area by SMS (issue 16, point 5), through the signed webhook:
FOLLOW <area> / تابع <area> confirmed in the sender's language; a declared outage, its
updates and its resolution texted to those following its area (or a place enclosing it) and
to nobody else; UNFOLLOW and STOP end it; an unknown area is answered with an example; a
number follows a few areas and hears of them a few times a day at most."""

from datetime import timedelta

import sqlalchemy as sa

from feedback.domain import follow as rule
from feedback.extensions import db
from feedback.models import Outbox, Ticket, utcnow
from feedback.models.follows import AreaFollow
from feedback.services import incident_work
from tests.factories import demo_user, reply_of

ARABIC, ENGLISH, ZUBAIR, DISTRICT, NEIGHBOUR = (f"+96478022{n:05d}" for n in range(5))


def declare_outage(app, areas=("nbh-jumhuriya",)) -> int:
    with app.app_context():
        incident = incident_work.declare(
            demo_user("officer.electricity"),
            "electricity-outage",
            list(areas),
            utcnow() + timedelta(hours=4),
            "صيانة المغذي لحد الساعة ٦",
            "Feeder maintenance until 6 pm",
        )
        return incident.id


def act(app, incident_id: int, action: str, arabic: str = "", english: str = "") -> None:
    with app.app_context():
        officer = demo_user("officer.electricity")
        incident_work.act_on_incident(officer, incident_id, action, arabic, english)


def texts_to(app, number: str) -> list[str]:
    """The bodies queued to `number` since the last clear_outbox, oldest first."""
    with app.app_context():
        query = sa.select(Outbox.body).where(Outbox.to_number == number).order_by(Outbox.id)
        return list(db.session.scalars(query))


def clear_outbox(app) -> None:
    with app.app_context():
        db.session.execute(sa.delete(Outbox))
        db.session.commit()


def test_followers_of_an_outage_s_area_hear_of_it_in_their_language_and_others_do_not(app, twilio):
    assert "تتابع الان الجمهورية" in reply_of(twilio.send("تابع الجمهورية", sender=ARABIC))
    english = reply_of(twilio.send("FOLLOW Al-Jumhuriya", sender=ENGLISH))
    assert english.startswith("You now follow Al-Jumhuriya") and "UNFOLLOW Al-Jumhuriya" in english
    assert "الزبير" in reply_of(twilio.send("تابع الزبير", sender=ZUBAIR))
    assert "Basra District" in reply_of(twilio.send("follow Qadha al-Basra", sender=DISTRICT))
    assert "العشار" in reply_of(twilio.send("تابع حي العشار", sender=NEIGHBOUR))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AreaFollow.id))) == 5
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0  # no complaint
    clear_outbox(app)

    incident_id = declare_outage(app)
    link = f"https://feedback.test/incidents/{incident_id}"
    [arabic] = texts_to(app, ARABIC)
    assert arabic.startswith("انقطاع معلن في الجمهورية") and "صيانة المغذي" in arabic
    assert arabic.endswith(link)
    [english] = texts_to(app, ENGLISH)
    assert english.startswith("Outage announced in Al-Jumhuriya") and link in english
    assert "Feeder maintenance until 6 pm" in english
    # Following the district takes in its neighbourhoods; the next district, a neighbour: no.
    assert len(texts_to(app, DISTRICT)) == 1
    assert texts_to(app, ZUBAIR) == texts_to(app, NEIGHBOUR) == []

    act(app, incident_id, "acknowledge")  # no public message: no news for followers
    assert len(texts_to(app, ARABIC)) == 1
    act(app, incident_id, "resolve", "رجعت الكهرباء", "Power is back")
    assert texts_to(app, ARABIC)[-1].startswith("انحلت مشكلة انقطاع")
    assert "رجعت الكهرباء" in texts_to(app, ARABIC)[-1]
    assert "resolved. Power is back" in texts_to(app, ENGLISH)[-1]
    assert texts_to(app, ZUBAIR) == []


def test_an_outage_declared_for_a_district_reaches_who_follows_one_of_its_neighbourhoods(
    app, twilio
):
    reply_of(twilio.send("follow jumhuriya", sender=ENGLISH))
    reply_of(twilio.send("follow zubair", sender=ZUBAIR))
    clear_outbox(app)
    declare_outage(app, areas=("dist-basra",))
    assert len(texts_to(app, ENGLISH)) == 1
    assert texts_to(app, ZUBAIR) == []


def test_a_reporter_of_the_incident_gets_its_own_notice_and_no_second_sms(app, twilio):
    reply_of(twilio.send("تابع الجمهورية", sender=ARABIC))
    reply_of(twilio.send("ماكو كهرباء بالجمهورية", sender=ARABIC))
    incident_id = declare_outage(app)  # gathers the complaint already waiting
    clear_outbox(app)
    act(app, incident_id, "resolve", "رجعت الكهرباء", "Power is back")
    [notice] = texts_to(app, ARABIC)
    assert "انحلت فعلا؟" in notice  # the ticket's own notice, asking whether it is fixed


def test_unfollow_and_stop_end_the_news(app, twilio):
    for sender in (ARABIC, ENGLISH, ZUBAIR, DISTRICT):
        reply_of(twilio.send("تابع الجمهورية", sender=sender))
    assert "الغينا متابعتك لـ الجمهورية" in reply_of(
        twilio.send("الغاء متابعة الجمهورية", sender=ARABIC)
    )
    assert "You do not follow Al-Ashar" in reply_of(twilio.send("UNFOLLOW Ashar", sender=ENGLISH))
    assert "You follow no area now" in reply_of(twilio.send("unfollow", sender=ENGLISH))
    reply_of(twilio.send("STOP", sender=ZUBAIR))
    assert "لن نرسل لك اشعارات" in reply_of(twilio.send("توقف", sender=DISTRICT))
    reply_of(twilio.send("START", sender=DISTRICT))
    clear_outbox(app)
    declare_outage(app)
    assert texts_to(app, ARABIC) == texts_to(app, ENGLISH) == texts_to(app, ZUBAIR) == []
    assert len(texts_to(app, DISTRICT)) == 1  # START: its follow stands again
    with app.app_context():
        remaining = db.session.scalars(sa.select(AreaFollow.number).order_by(AreaFollow.id))
        assert list(remaining) == [ZUBAIR, DISTRICT]


def test_an_unknown_area_is_answered_with_an_example_and_a_long_text_is_a_complaint(app, twilio):
    english = reply_of(twilio.send("FOLLOW Narnia", sender=ENGLISH))
    assert english == (
        "We did not recognise the area. Text FOLLOW and its name, e.g. FOLLOW Al-Jumhuriya"
    )
    assert "مثال: تابع الجمهورية" in reply_of(twilio.send("تابع", sender=ARABIC))
    assert "UNFOLLOW alone" in reply_of(twilio.send("unfollow narnia", sender=ENGLISH))
    complaint = reply_of(twilio.send("تابع شكواي الماي مقطوع بالجمهورية من يومين", sender=ZUBAIR))
    assert complaint.startswith("سجلنا شكواك")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AreaFollow.id))) == 0


def test_a_number_follows_a_few_areas_and_hears_of_them_a_few_times_a_day(app, twilio):
    areas = ["الجمهورية", "العشار", "الزبير", "الفاو", "القرنة"]
    for area in areas:
        reply_of(twilio.send(f"تابع {area}", sender=ARABIC))
    assert "تتابع 5 مناطق وهذا الحد" in reply_of(twilio.send("تابع الجبيلة", sender=ARABIC))
    assert "من قبل" in reply_of(twilio.send("تابع الجمهوريه", sender=ARABIC))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AreaFollow.id))) == rule.MAX_AREAS
    clear_outbox(app)
    incident_id = declare_outage(app)
    for n in range(3):
        act(app, incident_id, "update", f"تحديث {n}", f"Update {n}")
    news = texts_to(app, ARABIC)
    assert len(news) == rule.NOTICES_PER_DAY
    assert "تحديث 1" in news[-1]


def test_a_misspelt_area_is_found_and_a_landmark_is_followed_as_its_area(app, twilio):
    assert "You now follow Al-Jumhuriya" in reply_of(twilio.send("follow jumhurya", sender=ENGLISH))
    reply = reply_of(twilio.send("تابع جامع الزبير بن العوام", sender=ARABIC))
    with app.app_context():
        follow = db.session.scalar(sa.select(AreaFollow).where(AreaFollow.number == ARABIC))
        assert follow.area.kind != "landmark"
        assert reply.startswith(f"تتابع الان {follow.area.name_ar}:")


def test_a_whatsapp_follower_hears_on_whatsapp_and_is_one_number_with_its_sms(app, twilio):
    whatsapp = "whatsapp:" + ARABIC
    reply_of(twilio.send("تابع الجمهورية", sender=whatsapp))
    assert "من قبل" in reply_of(twilio.send("تابع الجمهورية", sender=ARABIC))
    clear_outbox(app)
    incident_id = declare_outage(app)
    assert len(texts_to(app, whatsapp)) == 1 and texts_to(app, ARABIC) == []
    reply_of(twilio.send("توقف", sender=ARABIC))  # STOP by SMS silences WhatsApp too
    act(app, incident_id, "resolve", "رجعت الكهرباء", "Power is back")
    assert len(texts_to(app, whatsapp)) == 1
