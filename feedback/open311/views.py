"""GeoReport v2 endpoints: read the arguments, call feedback.services.open311, answer with its
findings as the spec's documents (documents.py) in the format the path's suffix names.
Every failure answers in the spec's error format."""

from datetime import datetime

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException

from feedback.domain.period import BadDate, parse_moment
from feedback.extensions import csrf
from feedback.open311 import documents
from feedback.open311.formats import error_response, respond
from feedback.services.open311 import (
    NewRequest,
    Open311Error,
    active_service,
    create_request,
    find_request,
    find_requests,
    services,
)
from feedback.services.settings import settings
from feedback.web.caching import public_cache

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

FORMAT = "<any(json, xml):fmt>"


@bp.get(f"/discovery.{FORMAT}")
@public_cache(by_language=False)  # English only
def discovery_document(fmt: str):
    base_url = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return respond(documents.discovery(base_url), fmt, "discovery")


@bp.get(f"/services.{FORMAT}")
@public_cache(by_language=False)  # English only
def service_list(fmt: str):
    return respond(documents.service_list(services()), fmt, "services")


@bp.get(f"/services/<code>.{FORMAT}")
@public_cache(by_language=False)  # English only
def service(code: str, fmt: str):
    return respond(documents.service_definition(active_service(code)), fmt, "service_definition")


@bp.get(f"/requests.{FORMAT}")
@public_cache(by_language=False)  # English only
def request_list(fmt: str):
    args = request.args
    found = find_requests(
        ids=_comma_list(args.get("service_request_id")),
        codes=_comma_list(args.get("service_code")),
        start=_datetime(args.get("start_date"), "start_date"),
        end=_datetime(args.get("end_date"), "end_date"),
        statuses=_comma_list(args.get("status")),
    )
    return respond(documents.request_list(found), fmt, "service_requests")


@bp.get(f"/requests/<reference>.{FORMAT}")
@public_cache(by_language=False)  # English only
def request_detail(reference: str, fmt: str):
    return respond(documents.request_list(find_request(reference)), fmt, "service_requests")


@bp.post(f"/requests.{FORMAT}")
@csrf.exempt  # authenticated by the api_key instead
def request_create(fmt: str):
    form = request.form
    created = create_request(
        NewRequest(
            api_key=_given(form.get("api_key")),
            service_code=_given(form.get("service_code")),
            lat=_given(form.get("lat")),
            lon=_given(form.get("long")),
            address_string=_given(form.get("address_string")),
            description=_given(form.get("description")),
            phone=_given(form.get("phone")),
        )
    )
    return respond(documents.created(created), fmt, "service_requests")


@bp.errorhandler(Open311Error)
def open311_error(error: Open311Error):
    return error_response(error.code, error.description, _format())


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return error_response(error.code or 500, error.description or error.name, _format())


def _format() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def _given(value: str | None) -> str | None:
    """The spec: an empty parameter is the same as an absent one."""
    value = (value or "").strip()
    return value or None


def _comma_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _datetime(value: str | None, name: str) -> datetime | None:
    """A W3C datetime; without an offset it is read as Basra time."""
    value = _given(value)
    if value is None:
        return None
    try:
        return parse_moment(value, name, settings().timezone)
    except BadDate as error:
        raise Open311Error(400, str(error)) from None
