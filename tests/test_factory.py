"""create_app() validates configuration at start-up: half-configured means refusing to start."""

import pytest

from feedback import create_app


def test_default_app_is_not_testing():
    assert not create_app().testing


def test_twilio_backend_refuses_to_start_without_credentials(app_with):
    with pytest.raises(RuntimeError, match="TWILIO_FROM"):
        app_with(SMS_BACKEND="twilio", TWILIO_FROM=None)


def test_production_refuses_the_public_development_secret_key(app_with):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        app_with(PRODUCTION=True, SECRET_KEY="dev-only-not-secret")
