"""Folium map building for public pages. Leaflet and its plugins come from our own static
files, never a CDN, and no ticket is baked into the page: its script loads points by bounding
box (feedback.services.map_points), so the page weighs the same at 100 or 100,000 tickets."""

from dataclasses import dataclass

import folium
from folium.template import Template

BASRA_CITY = (30.515, 47.80)
MAX_ZOOM = 18


@dataclass(frozen=True)
class MapParts:
    """The pieces of a rendered folium figure, for a page that has its own layout."""

    name: str  # the global JavaScript variable holding the L.map
    header: str  # <link>/<script> tags for Leaflet and plugins, and the map's size
    html: str  # the map's <div>
    script: str  # creates the map; static/js/basemap.js adds its tiles and outlines


class _PageMap(folium.Map):
    """folium.Map without the page-wide styles of a stand-alone figure (html, body at 100 %,
    a viewport that forbids zooming), without jQuery, which nothing here needs, and without an
    inline <style> (its size is `.folium-map` in app.css, so the page's CSP needs none)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )


def public_map(asset_url) -> MapParts:
    """The public complaints map: Basra city, local assets (asset_url(path) -> URL of a file
    in static/). The basemap (tiles if configured, outlines) is added by static/js/basemap.js
    as on the other maps; points, clusters and the heat layer by static/js/public-map.js."""
    figure = folium.Figure()
    page_map = _PageMap(
        location=BASRA_CITY,
        zoom_start=11,
        tiles=None,
        min_zoom=6,
        max_zoom=MAX_ZOOM,
        maxZoom=MAX_ZOOM,  # clustering needs it on the map itself, tiles or not
        minZoom=6,
        control_scale=True,
    )
    page_map.add_to(figure)
    # Per instance: folium's class-level lists are shared by the whole process.
    page_map.default_js = [
        ("leaflet", asset_url("vendor/leaflet/leaflet.js")),
        ("markercluster", asset_url("vendor/leaflet.markercluster/leaflet.markercluster.js")),
        ("leaflet_heat", asset_url("vendor/leaflet.heat/leaflet_heat.min.js")),
    ]
    page_map.default_css = [
        ("leaflet_css", asset_url("vendor/leaflet/leaflet.css")),
        ("markercluster_css", asset_url("vendor/leaflet.markercluster/MarkerCluster.css")),
        (
            "markercluster_default_css",
            asset_url("vendor/leaflet.markercluster/MarkerCluster.Default.css"),
        ),
    ]
    figure.render()
    return MapParts(
        name=page_map.get_name(),
        header=figure.header.render(),
        html=figure.html.render(),
        script=figure.script.render(),
    )
