"""The domain rules are plain Python: importing them loads neither Flask nor SQLAlchemy."""

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
