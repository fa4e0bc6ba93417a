"""Browser hardening on every response: a Content-Security-Policy whose scripts and styles are
our own files or carry this response's nonce (never 'unsafe-inline'), no framing, no sniffing,
a same-origin referrer, geolocation for our own pages only, HSTS in production, and no caching
of what a signed-in member of staff is shown."""

import secrets
from urllib.parse import urlsplit

from flask import Flask, g
from flask_login import current_user

PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This response's nonce, for the few inline scripts and styles we render (folium's)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str, tile_url: str | None) -> str:
    """Images may also come from the configured tile server; nothing else leaves the site."""
    images = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "*"))  # {s}: the server's subdomains
        images.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "img-src": " ".join(images),
        "connect-src": "'self'",
        "font-src": "'self'",
        "media-src": "'self'",  # voice notes on the officer's ticket page
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def register_security_headers(app: Flask) -> None:
    tile_url = app.config.get("TILE_URL")
    production = app.config.get("PRODUCTION", False)

    @app.context_processor
    def inject_nonce():
        return {"csp_nonce": csp_nonce}

    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), tile_url)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if production:
            headers["Strict-Transport-Security"] = HSTS
        if current_user.is_authenticated and "Cache-Control" not in headers:
            # A staff page (citizens' phones, internal notes) is kept by no cache or history.
            headers["Cache-Control"] = "no-store"
        return response
