"""Public pages a reverse proxy may keep: the scorecards, the map's points and Open311's GETs.

An anonymous visitor's response is `public` for a short while, with an ETag (a hash of the
body), so nginx or a browser can answer repeated loads and a conditional GET gets 304 Not
Modified. It varies by the visitor's language (Accept-Language, or the choice kept in the
session cookie). A signed-in member of staff gets the same figures but `private, no-store`:
the page around them carries their name and a form token, and nothing of theirs may reach a
shared cache (nor may the proxy hand them a page kept for anonymous visitors: Vary: Cookie)."""

from functools import wraps

from flask import make_response, request
from flask_login import current_user

# Seconds a proxy or browser may reuse an anonymous response without asking again.
PUBLIC_MAX_AGE = 60


def public_cache(max_age: int = PUBLIC_MAX_AGE, by_language: bool = True):
    """Decorate a GET view whose successful response is the same for every anonymous visitor
    (in one language)."""

    def decorate(view):
        @wraps(view)
        def cached(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            if by_language:
                response.vary.update(("Accept-Language", "Cookie"))
            if current_user.is_authenticated:
                response.headers["Cache-Control"] = "private, no-store"
                return response
            if response.status_code != 200:
                return response
            response.cache_control.public = True
            response.cache_control.max_age = max_age
            response.add_etag()
            return response.make_conditional(request)

        return cached

    return decorate
