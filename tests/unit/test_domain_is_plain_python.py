"""The domain rules are plain Python: importing them loads neither Flask nor SQLAlchemy; and
the use cases depend on the domain and the models, never on the channels or the web."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_MODULES = sorted(p.stem for p in (ROOT / "feedback" / "domain").glob("*.py"))


def test_importing_the_domain_loads_no_web_or_database_framework():
    imports = "; ".join(f"import feedback.domain.{name}" for name in DOMAIN_MODULES)
    frameworks = "sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules)"
    check = f"{imports}; import sys; print({frameworks})"
    result = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    assert len(DOMAIN_MODULES) >= 10


# Packages the services must not import: the channels (they implement the outbox's port) and
# every HTTP adapter.
ADAPTERS = ("sms", "web", "officer", "admin", "monitor", "open311", "app", "cli")


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_services_import_nothing_from_the_channels_or_the_web():
    services = sorted((ROOT / "feedback" / "services").glob("*.py"))
    found = {
        f"{path.name}: {name}"
        for path in services
        for name in imports_of(path)
        if name.split(".")[:2] in (["feedback", adapter] for adapter in ADAPTERS)
    }
    assert found == set()
    assert len(services) >= 20


def test_the_check_sees_an_import_from_the_channels(tmp_path):
    """Inside a function too."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from feedback.sms.backends import enabled_channels\n")
    assert "feedback.sms.backends" in imports_of(module)
