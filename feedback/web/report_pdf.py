"""The monthly reports as PDF (`flask report monthly`): the same pages /reports serves, laid out
on A4 by WeasyPrint. It reads our own stylesheets from disk and fetches nothing else, so a
report renders the same offline, and links in it point at the public site."""

from datetime import date
from pathlib import Path

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from feedback.web.reports import directorate_html, governorate_html

# Links in the PDF are absolute against the public site; without one configured, this.
FALLBACK_BASE_URL = "http://localhost/"


class StaticFiles(URLFetcher):
    """Our /static/ files from the app's static folder; any other URL is refused."""

    def __init__(self, static_url: str, folder: Path) -> None:
        super().__init__(allowed_protocols=())
        self._prefix = static_url.rstrip("/") + "/"
        self._folder = folder.resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
        if not path.startswith(self._prefix):
            raise ValueError(f"a report fetches only its own static files, not {url}")
        found = (self._folder / path[len(self._prefix) :]).resolve()
        if not found.is_file() or self._folder not in found.parents:
            raise ValueError(f"no static file {path}")
        kind = "text/css" if found.suffix == ".css" else "application/octet-stream"
        return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": kind})


def monthly_pdf(first: date, codes: list[str], summary: bool, out: Path) -> int:
    """Write the month's governorate summary (when `summary`) then each directorate's page to
    `out`, in the current request's language; the number of pages written. ReportNotFound
    (feedback.web.reports) for a directorate or month there is no report of."""
    pages = [governorate_html(first)] if summary else []
    pages += [directorate_html(code, first) for code in codes]
    app = current_app
    fetcher = StaticFiles(app.static_url_path or "/static", Path(app.static_folder or "static"))
    base_url = app.config.get("PUBLIC_BASE_URL") or FALLBACK_BASE_URL
    documents = [
        HTML(string=page, base_url=base_url, url_fetcher=fetcher).render() for page in pages
    ]
    every_page = [page for document in documents for page in document.pages]
    documents[0].copy(every_page).write_pdf(out)
    return len(every_page)
