"""Accounts: checking a password costs the same whoever is named, so timing tells nothing."""

import hashlib

import pytest

from feedback.extensions import db
from feedback.models import User
from feedback.services.accounts import authenticate


@pytest.fixture
def scrypt_calls(monkeypatch):
    """The cost parameters (n, r, p) of every scrypt run, counted as werkzeug makes them."""
    calls = []
    real = hashlib.scrypt

    def spy(password, *, salt, n, r, p, **kwargs):
        calls.append((n, r, p))
        return real(password, salt=salt, n=n, r=r, p=p, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", spy)
    return calls


def test_unknown_inactive_and_known_users_cost_one_hash_each(app, staff_user, scrypt_calls):
    known = staff_user("officer")
    inactive = staff_user("monitor")
    with app.app_context():
        db.session.get(User, inactive.id).active = False
        db.session.commit()
        n, r, p = map(
            int, db.session.get(User, known.id).password_hash.split("$")[0].split(":")[1:]
        )
        for username, password in [
            ("no-such-user", "a-wrong-password"),
            (known.username, "a-wrong-password"),
            (inactive.username, "a-wrong-password"),
            (inactive.username, inactive.password),
        ]:
            scrypt_calls.clear()
            assert authenticate(username, password) is None
            assert scrypt_calls == [(n, r, p)], username
        scrypt_calls.clear()
        assert authenticate(known.username, known.password).id == known.id
        assert scrypt_calls == [(n, r, p)]
