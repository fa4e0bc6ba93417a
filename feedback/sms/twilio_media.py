"""Fetching WhatsApp media from Twilio: the URL in the webhook's MediaUrlN needs the account's
credentials (HTTP Basic) and redirects to Twilio's media store.

Only hosts on MEDIA_FETCH_HOSTS are ever contacted, at every hop, over HTTPS (plain HTTP on
the loopback address alone, for a local fake), so a forged or odd URL cannot make the worker
reach into the network it runs in; the credentials go to the first host only."""

import time
from urllib.parse import urljoin, urlsplit

import requests

from feedback.services.attachments import FetchedMedia, FetchError

FETCH_TIMEOUT_SECONDS = 30  # to connect, and between two reads
FETCH_DEADLINE_SECONDS = 120  # for the whole body: a server dripping bytes is cut off
MAX_REDIRECTS = 3
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class TwilioMediaFetcher:
    def __init__(self, account_sid: str | None, auth_token: str | None, hosts: frozenset[str]):
        self.auth = (account_sid, auth_token) if account_sid and auth_token else None
        self.hosts = hosts

    @classmethod
    def for_config(cls, config: dict) -> "TwilioMediaFetcher":
        hosts = frozenset(
            host.strip().lower() for host in config["MEDIA_FETCH_HOSTS"].split(",") if host.strip()
        )
        return cls(config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN"), hosts)

    def fetch(self, url: str, max_bytes: int) -> FetchedMedia:
        first_host = self._allowed(url)
        with requests.Session() as session:
            session.trust_env = False  # no proxy or .netrc from the environment
            for _ in range(MAX_REDIRECTS + 1):
                host = self._allowed(url)
                auth = self.auth if host == first_host else None
                try:
                    response = session.get(
                        url,
                        auth=auth,
                        allow_redirects=False,
                        stream=True,
                        timeout=FETCH_TIMEOUT_SECONDS,
                    )
                except requests.RequestException as error:
                    raise FetchError(f"unreachable: {error}", retryable=True) from error
                with response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("Location", ""))
                        continue
                    return _read(response, max_bytes)
        raise FetchError("too many redirects", retryable=False)

    def _allowed(self, url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK)
        if host not in self.hosts or not secure:
            raise FetchError(f"host not allowed: {parts.scheme}://{host}", retryable=False)
        return host


def _read(response: requests.Response, max_bytes: int) -> FetchedMedia:
    """The body, refused past `max_bytes` without reading more than one chunk beyond."""
    if response.status_code != 200:
        retryable = response.status_code >= 500 or response.status_code in (404, 408, 429)
        raise FetchError(f"HTTP {response.status_code}", retryable)
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"too large: {declared} bytes", retryable=False)
    content = bytearray()
    deadline = time.monotonic() + FETCH_DEADLINE_SECONDS
    try:
        for chunk in response.iter_content(64 * 1024):
            content += chunk
            if len(content) > max_bytes:
                raise FetchError("too large", retryable=False)
            if time.monotonic() > deadline:
                raise FetchError("too slow", retryable=True)
    except requests.RequestException as error:
        raise FetchError(f"interrupted: {error}", retryable=True) from error
    return FetchedMedia(bytes(content), response.headers.get("Content-Type", ""))
