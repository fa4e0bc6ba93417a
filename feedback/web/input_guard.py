"""A NUL byte is never part of what a person asks for: in a path it names nothing (404), in a
query string or a form it is the client's error (400). Refused here, before any view or
database sees it (PostgreSQL refuses NUL in text: it would be a 500).

Where citizens' messages arrive (the SMS webhooks, the report form) a NUL is cleaned out
instead (feedback.domain.text.clean_text), since a stray byte must not cost a complaint: those
views are marked @cleans_its_input and the query and form are left to them."""

from flask import Flask, abort, current_app, request

NUL = "\x00"


def cleans_its_input(view):
    """Mark a view that cleans what it is sent rather than have it refused."""
    view.cleans_its_input = True
    return view


def register_input_guard(app: Flask) -> None:
    @app.before_request
    def refuse_nul():
        if NUL in request.path:
            abort(404)
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "cleans_its_input", False):
            return
        for values in (request.args, request.form):
            if any(NUL in key or NUL in value for key, value in values.items(multi=True)):
                abort(400, description="A NUL character is not allowed here.")
