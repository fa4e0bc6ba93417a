"""GeoReport v2's documents, field by field, from what the Open311 service found: the spec's
names and shapes live here, the rules about what may be shown in feedback.services.open311."""

from datetime import datetime

from flask import url_for

from feedback.services.open311 import MAX_DESCRIPTION, CreatedRequest, Service, ServiceRequest
from feedback.services.settings import settings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed in a way clients should notice (Service Discovery "changeset").
CHANGESET = "2026-11-23T00:00:00+03:00"
FORMATS = ["text/xml", "application/json"]


def discovery(base_url: str) -> dict:
    """The Service Discovery document for this one endpoint."""
    return {
        "changeset": CHANGESET,
        "contact": "Basra citizen feedback platform administrators, " + base_url,
        "key_service": "API keys for POST requests are issued by the platform administrators.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url.rstrip("/") + "/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(FORMATS),
            }
        ],
    }


def service_list(services: list[Service]) -> list[dict]:
    """Each a realtime service that asks no extra attributes."""
    return [
        {
            "service_code": service.code,
            "service_name": service.name,
            "description": service.description,
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(service.keywords),
            "group": service.group,
        }
        for service in services
    ]


def service_definition(service: Service) -> dict:
    return {"service_code": service.code, "attributes": []}


def request_list(requests: list[ServiceRequest]) -> list[dict]:
    return [_request(found) for found in requests]


def _request(found: ServiceRequest) -> dict:
    return {
        "service_request_id": found.reference,
        "status": "open" if found.is_open else "closed",
        "status_notes": found.status_notes,
        "service_name": found.service_name,
        "service_code": found.service_code,
        "description": _description(found),
        "agency_responsible": found.agency,
        "service_notice": "",
        "requested_datetime": local_datetime(found.created_at),
        "updated_datetime": local_datetime(found.updated_at),
        "expected_datetime": local_datetime(found.due_at),
        "address": found.address,
        "address_id": found.area_code,
        "zipcode": "",
        "lat": found.lat,
        "long": found.lon,
        "media_url": _media_url(found),
    }


def _media_url(found: ServiceRequest) -> str:
    """The public copy of the ticket's first approved photo, as an absolute URL; empty when
    none is approved (a photo waiting for a moderator is never named)."""
    if found.photo_id is None:
        return ""
    base = settings().public_base_url
    path = url_for(
        "web.public_photo",
        reference=found.reference,
        attachment_id=found.photo_id,
        _external=not base,
    )
    return base + path if base else path


def _description(found: ServiceRequest) -> str:
    """The citizen's words (masked), then the incident they are one report of, if any: the
    spec has no field for it, and each ticket stays a request of its own."""
    if found.incident is None:
        return found.public_text[:MAX_DESCRIPTION]
    note = f" [incident {found.incident.id}: {found.incident.reports} reports]"
    return found.public_text[: MAX_DESCRIPTION - len(note)] + note


def created(request: CreatedRequest) -> list[dict]:
    """A POST's answer: a list of one, as the spec wants."""
    return [
        {
            "service_request_id": request.reference,
            "service_notice": request.notice,
            "account_id": "",
        }
    ]


def local_datetime(value: datetime | None) -> str | None:
    """W3C datetime with Basra's offset, e.g. 2026-11-23T18:00:00+03:00."""
    if value is None:
        return None
    return value.astimezone(settings().timezone).isoformat(timespec="seconds")
