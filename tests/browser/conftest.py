"""A real browser: Playwright driving Debian's Chromium (installed by `make test`), offline:
any request that leaves the loopback interface is refused, as it would be on a LAN in Basra."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, request):
    """page_for(language[, viewport]) -> a fresh page; errors in page scripts fail the test,
    anything the Content-Security-Policy refused fails it at the end, and a screenshot is saved
    in tests/artifacts/ when the test fails."""
    pages = []

    def open_page(language: str, viewport: dict | None = None):
        context = browser.new_context(
            locale=language,
            extra_http_headers={"Accept-Language": language},
            viewport=viewport or {"width": 1100, "height": 900},
        )
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("http://127.0.0.1")
                else route.abort()
            ),
        )
        page = context.new_page()
        page.script_errors = []
        page.on("pageerror", lambda error: page.script_errors.append(str(error)))
        # The Content-Security-Policy refusing anything on our pages is a defect.
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                page.csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        pages.append(page)
        return page

    yield open_page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    violations = [text for page in pages for text in page.csp_violations]
    for number, page in enumerate(pages):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"{request.node.name}-{number}.png"
            page.screenshot(path=str(shot), full_page=True)
        page.context.close()
    assert violations == [], "the page broke its Content-Security-Policy"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
