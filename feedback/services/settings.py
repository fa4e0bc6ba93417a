"""What the use cases need to know of the deployment, computed once when the app starts and
kept on it: the one place services read the app, so none of them reads its configuration or
asks the channels which of them are set up."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from feedback.domain.limits import Allowance, FloodLimit

_KEY = "feedback.settings"


@dataclass(frozen=True)
class Settings:
    channels: frozenset[str]  # the local SMS routes configured (feedback.domain.channels)
    timezone: ZoneInfo  # the city's: an SMS allowance is counted per local day
    allowance: Allowance
    flood: FloodLimit
    supporter_secret: bytes  # keys the hashes "me too" supporters are kept by
    public_base_url: str  # where SMS links point: the public site, no trailing slash


def install_settings(app: Flask, channels: frozenset[str]) -> None:
    """At start-up, from the app's configuration and the channels the app found set up."""
    config = app.config
    app.extensions[_KEY] = Settings(
        channels=channels,
        timezone=ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"]),
        allowance=Allowance(
            config["SMS_PER_RECIPIENT_PER_DAY"], config["SMS_PER_UNCONFIRMED_NUMBER_PER_DAY"]
        ),
        flood=FloodLimit(
            config["FLOOD_MESSAGES_PER_SENDER"],
            timedelta(minutes=config["FLOOD_WINDOW_MINUTES"]),
        ),
        supporter_secret=hmac.new(
            str(config["SECRET_KEY"]).encode(), b"incident-supporter", hashlib.sha256
        ).digest(),
        public_base_url=(config.get("PUBLIC_BASE_URL") or "").rstrip("/"),
    )


def settings() -> Settings:
    """The running app's settings."""
    found: Settings = current_app.extensions[_KEY]
    return found
