"""create_app() validates configuration at start-up: half-configured means refusing to start."""

from feedback import create_app


def test_default_app_is_not_testing():
    assert not create_app().testing


def test_twilio_backend_refuses_to_start_without_credentials(app_with):
    try:
        app_with(SMS_BACKEND="twilio", TWILIO_FROM=None)
    except RuntimeError as error:
        assert "TWILIO_FROM" in str(error)
    else:
        raise AssertionError("create_app accepted SMS_BACKEND=twilio without TWILIO_FROM")


def test_production_refuses_the_public_development_secret_key(app_with):
    try:
        app_with(PRODUCTION=True, SECRET_KEY="dev-only-not-secret")
    except RuntimeError as error:
        assert "SECRET_KEY" in str(error)
    else:
        raise AssertionError("production started with the public development SECRET_KEY")
