"""The public map and open-data exports: thin adapters over feedback.services.map_points and
feedback.services.open_data.

The map page carries no ticket; its script asks /map/points.geojson for what is in view."""

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from feedback.models import utcnow
from feedback.services.exports import csv_chunks, dumps_public, geojson_chunks
from feedback.services.map_points import (
    MAX_POINTS,
    MapIncident,
    MapPoints,
    map_choices,
    map_points,
)
from feedback.services.open_data import public_rows
from feedback.web.caching import public_cache
from feedback.web.folium_map import public_map
from feedback.web.labels import STATUS_LABELS, incident_status_label, status_label
from feedback.web.map_query import BadFilter, parse_bbox, parse_filter, parse_zoom

bp = Blueprint("public_map", __name__)

STATUS_COLOURS = {
    "new": "#d97706",
    "reopened": "#b42318",
    "acknowledged": "#2563eb",
    "in_progress": "#7c3aed",
    "resolved": "#067647",
    "rejected": "#6b7280",
    "closed": "#1f2937",
}
SUMMARY_LENGTH = 160
# A new complaint shows on a cached map within this many seconds.
MAP_MAX_AGE = 30


def _filter_or_400():
    try:
        return parse_filter(request.args)
    except BadFilter as error:
        abort(400, description=str(error))


@bp.get("/map")
def page():
    language = str(get_locale())
    wanted = _filter_or_400()
    parts = public_map(lambda path: url_for("static", filename=path))
    config = {
        "map": parts.name,
        "points": url_for("public_map.points"),
        "basemap": url_for("web.basemap"),
        "tiles": current_app.config.get("TILE_URL") or "",
        "attribution": current_app.config.get("TILE_ATTRIBUTION", ""),
        "language": language,
        "statuses": {
            code: {"label": str(label), "colour": STATUS_COLOURS[code]}
            for code, label in STATUS_LABELS.items()
        },
        "texts": {
            "category": _("Category"),
            "status": _("Status"),
            "age": _("Age"),
            "overdue": _("Past its deadline"),
            "open": _("Open the ticket page"),
            "complaints": _("Complaints"),
            "heat": _("Heat map"),
            "places": _("Districts and places"),
            "tiles": _("Street map"),
            "zoom_in": _("Click to zoom in"),
            "reports": _("Reports"),
            "open_incident": _("Open the incident page"),
            "loading": _("Loading…"),
            "failed": _("The complaints could not be loaded. Try again."),
            "none": _("No complaints match these filters here."),
            "clustered": _("%(total)s complaints in view, grouped by area; zoom in to see each."),
            "shown": _("%(total)s complaints in view."),
            "truncated": _(
                "%(total)s complaints in view; the newest %(shown)s are shown. "
                "Zoom in or filter to see the others."
            ),
        },
    }
    return render_template(
        "map/map.html",
        map_parts=parts,
        map_config=config,
        choices=map_choices(language),
        statuses=[(code, str(label)) for code, label in STATUS_LABELS.items()],
        wanted=wanted,
        export_args=wanted.as_args(),
    )


@bp.get("/map/points.geojson")
@public_cache(max_age=MAP_MAX_AGE)
def points():
    wanted = _filter_or_400()
    try:
        box = parse_bbox(request.args.get("bbox"))
        zoom = parse_zoom(request.args.get("zoom"))
    except BadFilter as error:
        abort(400, description=str(error))
    found = map_points(box, zoom, wanted)
    return _json(_points_geojson(found, str(get_locale())), "application/geo+json")


def _points_geojson(found: MapPoints, language: str) -> dict:
    if found.clustered:
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [cluster.lon, cluster.lat]},
                "properties": {
                    "cluster": True,
                    "count": cluster.count,
                    "status": cluster.status,
                    "statuses": cluster.statuses,
                },
            }
            for cluster in found.clusters
        ]
    else:
        now = utcnow()
        features = []
        for ticket in found.tickets:
            category = (
                found.categories.get(ticket.category_id) if ticket.category_id is not None else None
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [ticket.lon, ticket.lat]},
                    "properties": {
                        "reference": ticket.reference,
                        "status": ticket.status,
                        "status_label": status_label(ticket.status),
                        "category": category.code if category else None,
                        "category_name": category.name(language) if category else "",
                        "created_at": ticket.created_at.isoformat(),
                        "age": _age(ticket.created_at, now),
                        "overdue": ticket.overdue,
                        "summary": _summary(ticket.public_text),
                        "url": url_for("web.public_ticket", reference=ticket.reference),
                    },
                }
            )
        features += [_incident_feature(incident, found, language) for incident in found.incidents]
    return {
        "type": "FeatureCollection",
        "clustered": found.clustered,
        "total": found.total,
        "shown": found.shown if not found.clustered else found.total,
        "limit": MAX_POINTS,
        "features": features,
    }


def _incident_feature(incident: MapIncident, found: MapPoints, language: str) -> dict:
    """An incident's one marker: its category, status and number of reports, and its page."""
    category = found.categories.get(incident.category_id)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [incident.lon, incident.lat]},
        "properties": {
            "incident": incident.id,
            "status": incident.status,
            "status_label": incident_status_label(incident.incident_status),
            "category": category.code if category else None,
            "category_name": category.name(language) if category else "",
            "reports": incident.reports,
            "title": _("Incident %(number)s", number=incident.id),
            "url": url_for("web.public_incident", incident_id=incident.id),
        },
    }


def _age(created_at: datetime, now: datetime) -> str:
    days = max((now - created_at).days, 0)
    if days == 0:
        return _("today")
    return ngettext("%(num)d day", "%(num)d days", days)


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def _json(value, mimetype: str) -> Response:
    response = Response(dumps_public(value), mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/export/tickets.csv")
def export_csv():
    wanted = _filter_or_400()
    return _download(csv_chunks(public_rows(wanted)), "text/csv", "tickets.csv")


@bp.get("/export/tickets.geojson")
def export_geojson():
    wanted = _filter_or_400()
    return _download(geojson_chunks(public_rows(wanted)), "application/geo+json", "tickets.geojson")


def _download(chunks, mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
