"""/stats and /stats.json by channel, through the real paths: a complaint texted through the
signed Twilio webhook and one a citizen brought to the office, recorded by an officer at
/officer/record, both the water directorate's; computed from the tickets, then read from the
rollups; a channel kept, split by channel, in English and Arabic, and a bad channel refused."""

import re

import pytest

from feedback.services.rollups import refresh_rollups
from tests.factories import sms_ticket
from tests.web.test_walk_ins import record


@pytest.fixture
def sms_and_walk_in(app, client, auth, twilio):
    sms_ticket(twilio, "ماكو ماي بحي الحسين من الصبح", sender="+9647801112233")
    auth.login("officer.electricity")
    assert record(client, phone="0780 555 1234").status_code == 200
    auth.logout()


def _json(client, query: str = "", language: str = "en"):
    response = client.get(f"/stats.json?{query}", headers={"Accept-Language": language})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _split(data, key: str | None = "water") -> list[tuple[str, str, int]]:
    """(channel, its name, received) of a group's split (None: the total's)."""
    group = data["total"] if key is None else next(g for g in data["groups"] if g["key"] == key)
    return [(split["key"], split["name"], split["received"]) for split in group["channels"]]


def test_a_walk_in_and_an_sms_of_one_directorate_split_one_each(app, client, sms_and_walk_in):
    for source in ("tickets", "rollups"):
        if source == "rollups":
            with app.app_context():
                refresh_rollups()
        data = _json(client, "by=channel")
        assert data["by"] == "channel" and data["channel"] is None
        assert [(g["key"], g["received"]) for g in data["groups"]] == [("water", 2)], source
        expected = [("sms", "SMS", 1), ("walk_in", "in person, recorded by staff", 1)]
        assert _split(data) == expected, source
        assert _split(data, None) == expected, source
        water = data["groups"][0]["channels"]
        assert all(split["time_to_acknowledge"]["count"] == 0 for split in water)
        assert [split["overdue_now"] for split in water] == [0, 0]

        arabic = _json(client, "by=channel", "ar")
        assert _split(arabic) == [("sms", "رسالة نصية", 1), ("walk_in", "حضورياً، سجّلها موظف", 1)]

        walk_ins = _json(client, "channel=walk_in")
        assert walk_ins["channel"] == "walk_in" and walk_ins["by"] is None
        assert [(g["key"], g["received"]) for g in walk_ins["groups"]] == [("water", 1)]
        assert "channels" not in walk_ins["groups"][0]  # only when split
        assert _json(client, "channel=whatsapp")["total"]["received"] == 0
        # With the other choices: grouped by category, the walk-ins of one.
        by_kind = _json(client, "channel=walk_in&by=channel&group=category")
        assert [(g["key"], g["received"]) for g in by_kind["groups"]] == [("water-supply", 1)]
        assert _split(by_kind, "water-supply") == [("walk_in", expected[1][1], 1)]


def _channel_rows(page: str) -> list[tuple[str, str]]:
    """(channel name, received) of every split row of the page's table."""
    rows = re.findall(
        r'<tr class="channel-split">\s*<td></td>\s*<th scope="row">([^<]*)</th>\s*'
        r'<td class="num">([^<]*)</td>',
        page,
    )
    return [(name.strip(), received) for name, received in rows]


def test_the_page_filters_and_splits_by_channel(client, sms_and_walk_in):
    page = client.get("/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<select name="channel">' in page
    assert '<option value="" selected>Every channel</option>' in page
    assert '<option value="phone_call">by phone call, recorded by staff</option>' in page
    assert 'name="by" value="channel">' in page  # not ticked
    assert _channel_rows(page) == []

    page = client.get("/stats?by=channel", headers={"Accept-Language": "en"})
    page = page.get_data(as_text=True)
    assert 'name="by" value="channel" checked>' in page
    water = [("SMS", "1"), ("in person, recorded by staff", "1")]
    assert _channel_rows(page) == water + water  # under the directorate, under the total

    page = client.get("/stats?channel=walk_in&by=channel", headers={"Accept-Language": "ar"})
    page = page.get_data(as_text=True)
    assert '<option value="walk_in" selected>حضورياً، سجّلها موظف</option>' in page
    assert "الشكاوى الواردة عبر هذه القناة فقط: حضورياً، سجّلها موظف." in page
    assert _channel_rows(page) == [("حضورياً، سجّلها موظف", "1")] * 2
    # The sort links and the JSON link keep the channel.
    assert 'href="/stats.json?channel=walk_in&amp;by=channel"' in page
    assert re.search(r'href="/stats\?channel=walk_in&amp;by=channel&amp;sort=received', page)


def test_a_channel_not_known_is_said_on_the_page_and_refused_as_json(client, sms_and_walk_in):
    response = client.get("/stats?channel=fax&by=channel", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "“fax” is not a channel; showing every channel." in page
    assert '<option value="" selected>Every channel</option>' in page
    assert len(_channel_rows(page)) == 4  # every channel's figures, as said
    arabic = client.get("/stats?channel=fax", headers={"Accept-Language": "ar"})
    assert "«fax» ليست قناة معروفة؛ نعرض كل القنوات." in arabic.get_data(as_text=True)

    for value in ("fax", "SMS", "walk%20in", "%D9%88%D8%A7%D8%AA%D8%B3%D8%A7%D8%A8"):
        refused = client.get(f"/stats.json?channel={value}", headers={"Accept-Language": "en"})
        assert (refused.status_code, refused.mimetype) == (400, "application/json"), value
        assert "is not a channel" in refused.get_json()["error"]
    # A blank channel is every channel; a split by anything else is no split, as an unknown
    # grouping is the default one.
    assert _json(client, "channel=")["total"]["received"] == 2
    data = _json(client, "by=phone")
    assert data["by"] is None and "channels" not in data["total"]
