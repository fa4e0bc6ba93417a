"""GeoReport v2 bodies: the same dicts and lists as JSON or as schemaless XML (ElementTree
escapes), with the spec's content types and error format."""

import json
import re
import xml.etree.ElementTree as ET

from flask import Response

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# The XML element for each item of a list, by the list's own element name.
ITEM_TAGS = {
    "service_requests": "request",
    "services": "service",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Control characters XML 1.0 cannot carry, escaped or not; a stray one in an SMS would
# otherwise make the whole document unparseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def respond(data: dict | list, fmt: str, root: str, status: int = 200) -> Response:
    """`data` as a response in `fmt`; `root` names the XML document element."""
    body = _json(data) if fmt == "json" else _xml(root, data)
    response = Response(body, status=status, content_type=CONTENT_TYPES[fmt])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def error_response(code: int, description: str, fmt: str) -> Response:
    return respond([{"code": code, "description": description}], fmt, "errors", status=code)


def _json(data) -> str:
    # \u003c etc. keep a complaint's "<script>" inert even if a browser sniffs the body.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _xml(root: str, data) -> str:
    element = ET.Element(root)
    _fill(element, data)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")


def _fill(element: ET.Element, value) -> None:
    """A dict becomes child elements (None values left out), a list repeated item elements."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEM_TAGS[element.tag]), item)
    else:
        element.text = _text(value)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))
